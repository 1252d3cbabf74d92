"""The notebooks stay thin and clean: they build one app and speak to the user in Markdown."""

from __future__ import annotations

import ast

import nbformat
import pytest

from peercoach_lib.config import notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_only_imports_and_builds(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) == 1, "one code cell: imports and the call that builds the app"
    tree = ast.parse(code[0])
    for node in ast.walk(tree):
        assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda), path.name
        if isinstance(node, ast.Attribute):
            assert node.attr != "observe", f"{path.name}: wiring belongs in peercoach_lib"
    *imports, last = tree.body
    assert all(isinstance(n, ast.Import | ast.ImportFrom) for n in imports)
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
    assert any(cell.cell_type == "markdown" for cell in notebook.cells)
