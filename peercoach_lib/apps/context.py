"""The page's context: its URL (``?person=3&partnership=2``), so links keep a person's place, and
who is looking (:func:`viewer`), which on a shared server limits what the URL can ask for.

Voilà hands the query string to the kernel as ``QUERY_STRING`` (a preheated kernel gets it only
when its page is requested: :func:`await_visitor`). Values that are not what they
should be (``?person=abc``) are ignored, never an error.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from peercoach_lib.identity import Viewer
    from peercoach_lib.store import Store

_visitor_arrived = False
_viewer: Viewer | None = None


def await_visitor() -> None:
    """In a preheated kernel, block until a page asks for this kernel and its URL is known.

    Voilà starts a few kernels ahead of need and runs each notebook in them; such a kernel
    learns its page's URL (``QUERY_STRING``) only once a request arrives, and learns it from
    ``voila.utils.wait_for_request``. Does nothing in any other kernel, or the second time.
    """
    global _visitor_arrived
    if _visitor_arrived:
        return
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request

        wait_for_request()
    _visitor_arrived = True


def preheating() -> bool:
    """Whether this is a preheated kernel that has not yet met its page's visitor."""
    return os.environ.get("VOILA_PREHEAT") == "True" and not _visitor_arrived


def url_params(environ: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    if environ is None:
        await_visitor()
        environ = os.environ
    return urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=False)


def int_param(name: str, environ: Mapping[str, str] | None = None) -> int | None:
    values = url_params(environ).get(name, [])
    try:
        value = int(values[0]) if values else None
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


def date_param(name: str, environ: Mapping[str, str] | None = None) -> dt.date | None:
    """A day the URL names as ``?from=2026-09-01`` (None when absent or not such a day)."""
    values = url_params(environ).get(name, [])
    try:
        return dt.date.fromisoformat(values[0].strip()) if values else None
    except ValueError:
        return None


def list_param(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    return [v.strip() for v in url_params(environ).get(name, []) if v.strip()]


def unknown_in_url(store: Store, environ: Mapping[str, str] | None = None) -> list[str]:
    """What the URL names that this workbook does not hold ("person 9999", "partnership abc"),
    so the page can say so instead of quietly showing something else. On a shared server the
    URL chooses nothing (the signed-in person does), so nothing is reported there."""
    from peercoach_lib import model
    from peercoach_lib.errors import NotFoundError

    if environ is None and viewer(store).signed_in:
        return []
    params = url_params(environ)
    unknown = []
    for name, kind in (
        ("person", model.Person),
        ("partnership", model.Partnership),
        ("cohort", model.Cohort),
    ):
        if not params.get(name):
            continue
        value = int_param(name, environ)
        try:
            record = store.get(kind, value) if value is not None else None
        except NotFoundError:
            record = None
        if record is None:
            unknown.append(f"{name} {params[name][0]}")
        elif getattr(record, "forgotten_at", None) is not None:
            # Deleted ("forgotten"): the record stays for the counts, nameless, offered nowhere.
            unknown.append(f"{name} {value} (deleted from the workbook)")
    return unknown


def link(notebook: str, **params: object) -> str:
    """A relative link to another app, carrying the given context."""
    query = urllib.parse.urlencode(
        [
            (k, v)
            for k, values in params.items()
            if values is not None
            for v in (values if isinstance(values, list | tuple) else [values])
        ]
    )
    return notebook + (f"?{query}" if query else "")


def viewer(store: Store | None = None) -> Viewer:
    """Who is looking at this page (:mod:`peercoach_lib.identity`), found out once per kernel,
    after the page's visitor has arrived. A kernel serves one page of one person's server."""
    global _viewer
    if _viewer is None:
        from peercoach_lib import identity

        await_visitor()
        if identity.hub_user() is None:
            _viewer = identity.ANYONE
        else:
            from peercoach_lib.store import Store

            _viewer = identity.resolve(store or Store())
    return _viewer


def today(store: Store | None = None) -> dt.date:
    """Today for the person at the page: on a shared server, in the signed-in person's time
    zone (the server's clock may be a day ahead of or behind them); locally, the computer's."""
    me = viewer(store).person
    if me is None:
        return dt.date.today()
    return dt.datetime.now(ZoneInfo(me.time_zone)).date()


def now(store: Store | None = None, person_id: int | None = None) -> dt.datetime:
    """The time for the person at the page: on a shared server in the signed-in person's time
    zone; locally in that of the person chosen under "I am" (``person_id``: the clock their
    "your time" is), else the computer's (naive, local)."""
    found = zone(store, person_id)
    if found is None:
        return dt.datetime.now()
    return dt.datetime.now(ZoneInfo(found))


def schedule_today(
    time_zone: str | None, store: Store | None = None, *, given: dt.date | None = None
) -> dt.date:
    """Today as a partnership's schedule counts days. Its sessions are booked on days of its
    agreement's time zone (``time_zone``), so a session is due, past or still to come by that
    zone's day, whoever looks: a partner a day behind it may log a session held this morning
    there, and one a day ahead does not see yesterday's session, still to come, as past.
    ``given`` (a page built for one day, as tests do) wins; with no zone, :func:`today`."""
    if given is not None:
        return given
    if time_zone is None:
        return today(store)
    return dt.datetime.now(ZoneInfo(time_zone)).date()


def local_time(
    moment: dt.datetime, store: Store | None = None, person_id: int | None = None
) -> dt.datetime:
    """A stored instant (aware, UTC) as the person at the page reads clocks, as :func:`now`
    has it."""
    from peercoach_lib import dates

    return dates.in_zone(moment, zone(store, person_id))


def zone(store: Store | None = None, person_id: int | None = None) -> str | None:
    """The time zone the person at the page reads clocks in: on a shared server the signed-in
    person's; locally that of the person chosen under "I am" (``person_id``, read from
    ``store``), whose sessions say "your time" in it; else None, the computer's own clock."""
    me = viewer(store).person
    if me is not None:
        return me.time_zone
    if person_id is None or store is None:
        return None
    from peercoach_lib.model import Person

    chosen = store.find(Person, id=person_id)
    return chosen[0].time_zone if chosen else None


@contextmanager
def viewing_as(who: Viewer) -> Iterator[Viewer]:
    """Build pages as ``who`` sees them (for tests, and for tools that render a page)."""
    global _viewer
    before, _viewer = _viewer, who
    try:
        yield who
    finally:
        _viewer = before


def person_param(
    store: Store | None = None, environ: Mapping[str, str] | None = None
) -> int | None:
    """The person a page is for: ``?person=`` locally; on a shared server, the signed-in
    person whatever the URL says."""
    return viewer(store).person_or(int_param("person", environ))
