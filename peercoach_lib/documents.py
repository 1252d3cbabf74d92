"""Readable documents: Markdown people can keep, and a standalone HTML page made from it."""

from __future__ import annotations

import html

import mistune

#: Markdown to HTML with raw HTML escaped: what people wrote is shown, never run as markup.
_RENDER = mistune.create_markdown(escape=True)


def words(text: str) -> str:
    """What a person wrote, for a Markdown document: ``<`` and ``&`` are escaped with a backslash,
    so no Markdown viewer takes "<b>" or "<script>" in someone's words for markup (they show as
    typed)."""
    return text.replace("\\", "\\\\").replace("<", "\\<").replace("&", "\\&")


def html_page(markdown_text: str, title: str) -> str:
    """A standalone, printable HTML page from Markdown."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1a1a1a}h1{font-size:1.6rem}"
        "h2{margin-top:2rem;border-bottom:1px solid #ccc}</style></head>"
        f"<body><main>{_RENDER(markdown_text)}</main></body></html>\n"
    )
