"""How a piece of writing is put, as the helpers that coach it read it (never refusing it)."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?]+\s+(?!\d)\S")
#: Abbreviations whose full stop ends no sentence ("since Oct. 1").
_ABBREVIATION = re.compile(
    r"\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mrs?|ms|dr|st|e\.g|i\.e|etc|vs|approx)\.",
    re.IGNORECASE,
)


def several_sentences(text: str) -> bool:
    """Whether ``text`` runs to more than one sentence (a full stop, "!" or "?" followed by
    more words; not one of an abbreviation, nor a decimal point)."""
    return bool(_SENTENCE_END.search(_ABBREVIATION.sub("", text.strip())))
