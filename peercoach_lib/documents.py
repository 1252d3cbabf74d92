"""Readable documents: Markdown people can keep, and a standalone HTML page made from it."""

from __future__ import annotations

import html
import re

import mistune

#: Markdown to HTML with raw HTML escaped: what people wrote is shown, never run as markup.
_RENDER = mistune.create_markdown(escape=True)


#: Characters that are Markdown syntax wherever they stand (links, images, emphasis, code, HTML,
#: tables, strikethrough, entities); each is escaped with a backslash.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&!])")
#: What opens a block at the start of a line: a heading, a quote, a list item, a rule.
_BLOCK_START = re.compile(r"^(\d+(?=[.)])|)([#>+=.)-])")


#: Before an indent: a character that shows as nothing and is not a space, so that a renderer
#: that drops the spaces opening a line after a line break keeps the no-break spaces after it.
_INDENT = "\u2060"  # WORD JOINER


def words(text: str) -> str:
    """What a person wrote, for a Markdown document, so that any viewer shows it as typed.

    Markdown syntax is escaped with backslashes ("<b>", "# Status", "![x](http://…)" and
    "*this*" show as written, and load nothing), and each line break is kept as a line break
    (a backslash at the line's end), blank lines included, so that several lines stay within
    the paragraph or list item they are written into. A line's indent is kept too (as
    no-break spaces, which Markdown reads neither as a code block nor as a list): "  - a point"
    under a line stays set in under it.
    """
    lines = []
    for line in text.strip().splitlines():  # (the first line's indent goes: it follows a label)
        said = _BLOCK_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", line.strip()))
        indent = line[: len(line) - len(line.lstrip())].expandtabs(4)
        lines.append(_INDENT + "\u00a0" * len(indent) + said if said and indent else said)
    return "\\\n".join(lines)


def html_page(markdown_text: str, title: str) -> str:
    """A standalone, printable HTML page from Markdown."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        # Nothing in the page may load or run anything: it is a document, kept offline.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{html.escape(title)}</title>"
        # Long words and addresses wrap in the column; each paragraph runs in the direction of
        # its own script (Arabic or Hebrew right to left).
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1a1a1a;overflow-wrap:anywhere}"
        "p,li,h1,h2,h3{unicode-bidi:plaintext}h1{font-size:1.6rem}"
        "h2{margin-top:2rem;border-bottom:1px solid #ccc}</style></head>"
        f"<body><main>{_RENDER(markdown_text)}</main></body></html>\n"
    )
