"""Drafts: a form as its person left it, kept so that a reload or a closed tab loses nothing.

A draft is private to its person and is found by the form it belongs to (``kind``: the session
log, the preparation) and what in that form it is about (``key``: a session, say). Saving the
real record drops the draft, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from peercoach_lib.model import Draft
from peercoach_lib.store import Store, Transaction


def keep(store: Store, person_id: int, kind: str, key: str, data: dict) -> Draft:
    """Keep ``data`` as the person's draft of ``kind`` for ``key``, replacing the one before."""
    with store.transaction() as tx:
        found = tx.find(Draft, person_id=person_id, kind=kind, key=key)
        return tx.save(
            Draft(
                id=found[0].id if found else None,
                person_id=person_id,
                kind=kind,
                key=key,
                data=data,
            )
        )


def keep_or_drop(
    store: Store, person_id: int, kind: str, key: str, data: dict, *, as_stored: bool
) -> bool:
    """After an edit: keep ``data`` as the draft, or (``as_stored``: the form is back to what
    is stored) drop the draft, there being nothing to keep. Whether a draft is kept."""
    if as_stored:
        discard(store, person_id, kind, key)
        return False
    keep(store, person_id, kind, key, data)
    return True


def find(store: Store, person_id: int, kind: str, key: str) -> Draft | None:
    found = store.find(Draft, person_id=person_id, kind=kind, key=key)
    return found[0] if found else None


def drop(tx: Transaction, person_id: int, kind: str, keys: str | Sequence[str]) -> None:
    """Drop the person's drafts of ``kind`` for ``keys``, within ``tx`` (a save's)."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    for draft in tx.find(Draft, person_id=person_id, kind=kind, key=keys):
        tx.delete(Draft, draft.id)


def discard(store: Store, person_id: int, kind: str, key: str) -> None:
    with store.transaction() as tx:
        drop(tx, person_id, kind, key)
