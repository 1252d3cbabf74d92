"""How a piece of writing is put, as the helpers that coach it read it (never refusing it)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SENTENCE_END = re.compile(r"[.!?]+\s+(?!\d)\S")
#: Abbreviations whose full stop ends no sentence ("since Oct. 1").
_ABBREVIATION = re.compile(
    r"\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mrs?|ms|dr|st|e\.g|i\.e|etc|vs|approx)\.",
    re.IGNORECASE,
)


def listed(items: Iterable[str]) -> str:
    """Items as a sentence lists them: "A", "A and B", "A, B and C" ("" for none)."""
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


#: Letters that Unicode does not take apart into a letter and a mark, as people alphabetize
#: them: "Łukasz" among the Ls, "Øyvind" among the Os.
_OWN_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ŀ": "l",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
    }
)


def alphabetical(name: str) -> tuple[str, str]:
    """A sort key that puts names in the order people look for them in a list: by their
    letters, whatever their case, accents and punctuation ("émile" beside "Emma", "Łukasz"
    among the Ls, "O'Brien" after "Oakley"; a plain sort, SQLite's too, puts every lower-case
    or accented name after "Zoë"). (:func:`partnerships.name_key` is another thing: whether
    two names are the same.)"""
    folded = unicodedata.normalize("NFKD", name.casefold()).translate(_OWN_LETTERS)
    letters = "".join(
        ch for ch in folded if not unicodedata.combining(ch) and (ch.isalnum() or ch.isspace())
    )
    return letters, name


def isolated(name: str) -> str:
    """A name written right to left set apart from the text around it (Unicode's first-strong
    isolate), so that in a line of plain text (a chooser's option) the words and numbers
    after it stay after it: "Thu 3 Dec with مريم الحداد, 18:30" put the time inside the name.
    A name of left-to-right letters is returned as it is."""
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in name):
        return f"\u2068{name}\u2069"
    return name


def several_sentences(text: str) -> bool:
    """Whether ``text`` runs to more than one sentence (a full stop, "!" or "?" followed by
    more words; not one of an abbreviation, nor a decimal point)."""
    return bool(_SENTENCE_END.search(_ABBREVIATION.sub("", text.strip())))
