"""The home page: what is in this workbook, and the way to each app."""

from __future__ import annotations

import datetime as dt
import html
import logging

import ipywidgets as widgets
import sqlalchemy as sa

from peercoach_lib import dates
from peercoach_lib.apps import context, forms, registry, runtime
from peercoach_lib.config import describe, notebooks_dir
from peercoach_lib.errors import ConfigurationError
from peercoach_lib.store import Store, schema

log = logging.getLogger(__name__)


def workbook_summary(store: Store, today: dt.date | None = None) -> dict[str, object]:
    """Counts for the home page: people, cohorts, partnerships running ``today`` and those
    starting later, sessions held, last session."""
    today = today or context.today(store)
    s, p = schema.sessions, schema.partnerships
    running = p.c.ended_on.is_(None)
    with store.reading() as tx:
        c = tx.connection
        held = s.c.status == "held"
        return {
            "people": c.execute(  # those who asked to be forgotten are no longer counted
                sa.select(sa.func.count()).where(schema.persons.c.forgotten_at.is_(None))
            ).scalar_one(),
            "cohorts": c.execute(
                sa.select(sa.func.count()).select_from(schema.cohorts)
            ).scalar_one(),
            # Running as the dashboard counts them: begun, and not ended.
            "partnerships": c.execute(
                sa.select(sa.func.count()).where(running, p.c.started_on <= today)
            ).scalar_one(),
            "starting_later": c.execute(
                sa.select(sa.func.count()).where(running, p.c.started_on > today)
            ).scalar_one(),
            "sessions_held": c.execute(sa.select(sa.func.count()).where(held)).scalar_one(),
            "last_held": c.execute(sa.select(sa.func.max(s.c.held_on))).scalar_one(),
            "demo": c.execute(
                sa.select(sa.func.count()).where(schema.persons.c.is_demo)
            ).scalar_one()
            > 0,
        }


class HomeApp(widgets.VBox):
    """The landing page of the workbook."""

    def __init__(self, store: Store | None = None):
        super().__init__(layout=widgets.Layout(max_width="960px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-home")
        self.banner = widgets.HTML()
        self.summary = widgets.HTML()
        self.apps = widgets.HTML()
        self.children = [self.banner, self.summary, self.apps]
        try:
            store = store or Store()
            facts = workbook_summary(store)
        except (ConfigurationError, sa.exc.SQLAlchemyError, OSError) as exc:
            log.exception("cannot open the workbook's database")
            self.banner.value = _notice(
                "The workbook's database cannot be opened, so nothing can be shown yet. "
                f"Ask whoever runs this workbook to check its set-up. ({html.escape(str(exc))})",
                kind="error",
            )
            return
        self.facts = facts
        if facts["demo"]:
            self.banner.value = _notice(
                "<strong>Demo data.</strong> This workbook holds a made-up demo cohort so that "
                "you can try every app. The people, notes and numbers are not real.",
                kind="demo",
            )
        viewer = context.viewer(store)
        place = {name: context.int_param(name) for name in ("person", "partnership", "cohort")}
        apps = registry.available(notebooks_dir())
        if viewer.signed_in:
            # A shared server: links are for the signed-in person, and the database's
            # whereabouts are the operator's business.
            place = {"person": viewer.person_id}
            if not viewer.is_facilitator:
                apps = [a for a in apps if a.notebook != registry.COHORT_DASHBOARD]
            # The workbook's counts span every cohort: for those who run it, not participants.
            counts = _summary_html(facts, None) if viewer.is_facilitator else ""
            self.summary.value = _signed_in_html(viewer) + counts
        else:
            self.summary.value = _summary_html(facts, _where(store.url)) + _NOBODY_SIGNS_IN
        self.apps.value = _apps_html(apps, place)


def build_home(store: Store | None = None) -> widgets.Widget:
    """The home page, ready to display."""
    return runtime.launch(HomeApp, store)


#: What stays private holds between people who sign in: said where nobody does.
_NOBODY_SIGNS_IN = (
    "<p style='font-size:13px;color:#444'><strong>Nobody signs in here:</strong> whoever uses "
    "this computer can open anyone's pages by choosing their name, private notes included. For "
    "a cohort, whoever runs the workbook serves it with sign-in (its README's &ldquo;Deploy "
    "for a cohort&rdquo; says how), where each person sees only their own.</p>"
)

_STYLES = {
    "demo": "background:#fff4d6;border-left:6px solid #b26b00;color:#3d2a00",
    "error": "background:#fde8e8;border-left:6px solid #b3261e;color:#410e0b",
}


def _notice(text: str, *, kind: str) -> str:
    return (
        f'<div role="status" class="peercoach-notice peercoach-{kind}" '
        f'style="{_STYLES[kind]};padding:10px 14px;border-radius:4px;font-size:14px">'
        f"{text}</div>"
    )


def _signed_in_html(viewer) -> str:
    if viewer.person is None:
        who = html.escape(forms.not_a_participant(viewer))
    else:
        role = " (facilitator)" if viewer.is_facilitator else ""
        who = (
            f"You are signed in as <strong>{html.escape(viewer.person.name)}</strong>{role}. "
            "Every app opens your own workbook."
        )
    return f"<p class='peercoach-signed-in' style='font-size:14px'>{who}</p>"


def _where(url: str) -> str:
    """Where the data is, for the person running the workbook on their own computer: a SQLite
    database as its file, another as its address without the password (HTML)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return "memory only (it goes when the server stops)"
        return f"the file <code>{html.escape(parsed.database)}</code>"
    return f"the database <code>{html.escape(describe(url))}</code>"


def _summary_html(facts: dict[str, object], where: str | None) -> str:
    if not facts["people"]:
        return (
            "<p>This workbook is empty. Run <code>peercoach demo</code> to try it with a "
            "demo cohort, or start with your partnership's first-session agreement.</p>"
        )
    last = facts["last_held"]
    items = [
        ("person" if facts["people"] == 1 else "people", facts["people"]),
        ("cohort" if facts["cohorts"] == 1 else "cohorts", facts["cohorts"]),
        (
            "running partnership" if facts["partnerships"] == 1 else "running partnerships",
            facts["partnerships"],
        ),
        (
            "session held" if facts["sessions_held"] == 1 else "sessions held",
            facts["sessions_held"],
        ),
    ]
    cells = "".join(
        f'<div style="padding:8px 14px;border:1px solid #c8c8c8;border-radius:6px;min-width:110px">'
        f'<div style="font-size:22px;font-weight:600">{value:,}</div>'
        f'<div style="font-size:13px;color:#444">{html.escape(label)}</div></div>'
        for label, value in items
    )
    last_line = f" The most recent session was held on {dates.long(last)}." if last else ""
    later = facts["starting_later"]
    if later:
        last_line += (
            " 1 more partnership starts later."
            if later == 1
            else f" {later:,} more partnerships start later."
        )
    return (
        "<h2 style='margin:16px 0 8px'>In this workbook</h2>"
        f'<div style="display:flex;gap:10px;flex-wrap:wrap">{cells}</div>'
        f"<p style='font-size:13px;color:#444'>{last_line.strip()}"
        + (f" Data is kept in {where}." if where else "")
        + "</p>"
    )


def _apps_html(apps: list[registry.AppInfo], place: dict[str, int] | None = None) -> str:
    """The list of apps; each link carries the person's place (``place``: person, partnership…)."""
    if not apps:
        return ""
    items = "".join(
        f'<li style="margin:6px 0">'
        f'<a href="{html.escape(context.link(app.notebook, **(place or {})))}" '
        f'style="{forms.LINK}"><strong>'
        f"{html.escape(app.title)}</strong></a> "
        f"<span style='color:#444'>({html.escape(app.audience)})</span>"
        f"<br>{html.escape(app.summary)}</li>"
        for app in apps
    )
    return f"<h2 style='margin:16px 0 8px'>Apps</h2><ul style='padding-left:20px'>{items}</ul>"
