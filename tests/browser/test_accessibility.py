"""Every app is usable with a screen reader: axe-core finds nothing critical or serious, and
every form control has a name in Chromium's own accessibility tree (axe alone misses some),
and no two inputs share one."""

from __future__ import annotations

import pytest

from peercoach_lib.apps.registry import APPS
from tests.browser.harness import reach_charts

# Person 10 and partnership 5 of the demo cohort are only read here.
CONTEXT = {"person": 10, "partnership": 5, "cohort": 1}
PAGES = ["index.ipynb", *(app.notebook for app in APPS)]


@pytest.mark.parametrize("notebook", PAGES)
def test_no_critical_or_serious_violations_and_every_control_named(workbook, visit, notebook):
    page = visit(workbook.url(notebook, **CONTEXT))
    page.assert_clean()
    assert page.unnamed_controls() == []  # charts not reached yet: their buttons are named
    assert page.repeated_names() == []
    reach_charts(page.page)  # every chart drawn, so that its picture is checked too
    violations = [v for v in page.axe() if v["impact"] in ("critical", "serious")]
    assert not violations, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}): {v['nodes']}" for v in violations
    )
    assert page.unnamed_controls() == []
    assert page.glyph_names() == []  # icons are not part of a button's name
    p = page.page
    assert p.locator("[title='null']").count() == 0  # ipywidgets' unset tooltip, read out
    # Buttons that stay pressed say so; sections that open and close are keyboard buttons.
    assert p.locator(".widget-toggle-button:not([aria-pressed])").count() == 0
    headers = p.locator(".jupyter-widget-Collapse-header")
    assert (
        headers.count()
        == p.locator(
            ".jupyter-widget-Collapse-header[role='button'][tabindex='0'][aria-expanded]"
        ).count()
    )
