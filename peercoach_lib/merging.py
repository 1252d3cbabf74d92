"""Two saves of one record from two windows: what each changed, field by field.

A form keeps the record as it loaded it. When the store holds something newer at saving time
(saved from another window meanwhile), :func:`merge_fields` takes what only one side changed
from that side, so neither save silently undoes the other; a field both changed, differently,
is named for the person to settle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from peercoach_lib.model.base import Record

R = TypeVar("R", bound=Record)

#: Kept by the store, not typed by anyone.
_BOOKKEEPING = {"id", "created_at", "updated_at", "updated_by"}


def merge_values(
    base: Mapping, theirs: Mapping, ours: Mapping, keys: Iterable | None = None
) -> tuple[dict, list]:
    """Key by key (``keys``, or every key of the three): the value only one side changed since
    ``base``, from that side; and the keys both sides changed, differently, which the merged
    values leave out for the caller to settle."""
    merged, clashes = {}, []
    for key in dict.fromkeys([*ours, *theirs, *base]) if keys is None else keys:
        was, there, here = base.get(key), theirs.get(key), ours.get(key)
        if here == was:
            merged[key] = there
        elif there in (was, here):
            merged[key] = here
        else:
            clashes.append(key)
    return merged, clashes


def merge_fields(base: R, theirs: R, ours: R) -> tuple[R, tuple[str, ...]]:
    """``ours`` with every field that only ``theirs`` changed since ``base`` taken from
    ``theirs``, and the titles of the fields both changed differently (ours kept in those)."""
    here = ours.model_dump()
    merged, clashes = merge_values(
        base.model_dump(), theirs.model_dump(), here, [n for n in here if n not in _BOOKKEEPING]
    )
    titles = tuple(type(ours).model_fields[name].title or name for name in clashes)
    return ours.replace(**merged), titles
