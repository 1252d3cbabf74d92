"""Everything the workbook stores about one person, field by field, and who can see each field.

Who can see what follows what the apps actually show:

- *only me*: the person's own pages (their notes, plans, assessments, drafts…).
- *my partner*: the partner's pages show it (a shared preparation in their session preparation,
  the agreement both fill in, feedback, what came of a courageous conversation).
- *facilitator*: the cohort dashboard shows it as it is (names of pairs, which weeks a pair met).
- *facilitator (aggregates)*: the dashboard counts or averages it without showing it (commitment
  statuses as follow-through, session checks as totals and flags, GAS levels and the LSI as
  changes), never the words anyone wrote.

Preparations, session notes and ending notes are private until the person shares them with their
partner (:func:`set_shared`); a preparation's private notes are never shared.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

import sqlalchemy as sa

from peercoach_lib import change_plan, dates, sharing
from peercoach_lib.model import (
    Agreement,
    ChangePlan,
    Cohort,
    Commitment,
    Conversation,
    Draft,
    EndingNote,
    Feedback,
    FeedbackRole,
    FlagEpisode,
    GasRating,
    GasScale,
    LsiAssessment,
    Partnership,
    Person,
    Record,
    Session,
    SessionCheck,
    SessionNote,
    SessionPrep,
    SessionStatus,
)
from peercoach_lib.model.flags import FROM_ONE_PARTNER
from peercoach_lib.store import Store, Transaction, schema

ME = "only me"
PARTNER = "my partner"
FACILITATOR = "facilitator"
AGGREGATES = "facilitator (aggregates)"

#: What each audience means, for a legend.
AUDIENCES = {
    ME: "no one else: it shows only on your own pages",
    PARTNER: "your partner sees it on their pages",
    FACILITATOR: "your facilitator's cohort dashboard shows it",
    AGGREGATES: "your facilitator sees it only counted or averaged with others, never as you "
    "wrote it",
}


@dataclass(frozen=True)
class Kind:
    """A kind of item: its section title, one item's name and several items' name, and what the
    section says about sharing."""

    title: str
    singular: str
    plural: str
    about: str = ""


#: The kinds of item, in the order the inventory lists them.
KINDS: dict[str, Kind] = {
    "person": Kind("About me", "identity", "identities"),
    "partnership": Kind("Partnerships", "partnership", "partnerships"),
    "agreement": Kind(
        "My part of our agreements",
        "agreement",
        "agreements",
        "The agreement is filled in by both of you.",
    ),
    "session": Kind("Sessions", "session", "sessions", "The facts of a session are the pair's."),
    "session_prep": Kind(
        "Session preparations",
        "session preparation",
        "session preparations",
        "Private until you share one; the private notes are never shared.",
    ),
    "session_note": Kind(
        "Session notes", "session note", "session notes", "Private until you share one."
    ),
    "commitment": Kind(
        "Commitments",
        "commitment",
        "commitments",
        "A preparation you share tells your partner how your commitments went.",
    ),
    "feedback": Kind(
        "Feedback I gave",
        "piece of feedback",
        "pieces of feedback",
        "As the person coached, feedback is for your coach; your reflection as coach is yours.",
    ),
    "session_check": Kind("Session checks", "session check", "session checks"),
    "lsi": Kind("Lifestyle Satisfaction Index", "assessment", "assessments"),
    "change_plan": Kind("Change plans", "change plan", "change plans"),
    "conversation": Kind(
        "Courageous conversations",
        "courageous conversation",
        "courageous conversations",
        "Your preparation is yours; what came of the conversation is shared with your partner.",
    ),
    "ending_note": Kind(
        "Ending notes", "ending note", "ending notes", "Private until you share one."
    ),
    "draft": Kind(
        "Drafts", "draft", "drafts", "Unsaved work, kept so that closing a tab loses nothing."
    ),
    "history": Kind("Kept changes", "history", "histories"),
}

#: The kinds a person can share with their partner, or keep private, and their records.
SHAREABLE: dict[str, type[Record]] = {
    "session_prep": SessionPrep,
    "session_note": SessionNote,
    "ending_note": EndingNote,
}


@dataclass(frozen=True)
class Entry:
    """One field of an item: its name, its value as written (or a short rendering), its readers.

    ``follows_share``: the field reaches the partner exactly when the item is shared.
    """

    label: str
    value: str
    seen_by: tuple[str, ...]
    follows_share: bool = False


@dataclass(frozen=True)
class Item:
    """One stored record about the person (or the part of one that is theirs)."""

    kind: str
    label: str
    entries: tuple[Entry, ...]
    date: dt.date | None = None
    record_id: int | None = None
    shareable: bool = False
    shared: bool = False

    @property
    def what(self) -> str:
        return KINDS[self.kind].singular

    @property
    def seen_by(self) -> tuple[str, ...]:
        """Everyone who sees at least one field of the item, in a fixed order."""
        found = {who for entry in self.entries for who in entry.seen_by}
        return tuple(who for who in (ME, PARTNER, FACILITATOR, AGGREGATES) if who in found)

    def with_shared(self, shared: bool) -> Item:
        """The item as it is once shared (or made private): the fields that follow it change."""
        entries = tuple(
            replace(e, seen_by=_share_audience(shared)) if e.follows_share else e
            for e in self.entries
        )
        return replace(self, shared=shared, entries=entries)


def _share_audience(shared: bool) -> tuple[str, ...]:
    return (PARTNER,) if shared else (ME,)


# -- rendering values ----------------------------------------------------------------------------


def day_text(day: dt.date | None) -> str:
    return dates.short(day) if day else ""


def _minutes(n: int) -> str:
    return f"{n} minute{'s' if n != 1 else ''}"


def _level(level: int) -> str:
    return f"{level:+d}".replace("-", "\u2212") if level else "0"


def _ratings(ratings: list[GasRating], ends: int = 3) -> str:
    """Levels rated by date; a long run keeps its first and latest few, with the count."""
    shown = [f"{day_text(r.rated_on)}: {_level(r.level)}" for r in ratings]
    if len(shown) <= 2 * ends:
        return "; ".join(shown)
    return f"{len(shown)} ratings: " + "; ".join([*shown[:ends], "…", *shown[-ends:]])


def _entries(*rows: tuple) -> tuple[Entry, ...]:
    """Entries from ``(label, value, seen_by[, follows_share])``, leaving out empty values."""
    out = []
    for row in rows:
        label, value, seen_by, *rest = row
        if value is None or value == "" or value == []:
            continue
        out.append(Entry(label, str(value), tuple(seen_by), bool(rest and rest[0])))
    return tuple(out)


#: A day, a moment or a time of day as a draft keeps it (ISO 8601): not words typed.
_ISO_WHEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}(:\d{2})?"
)


def _short(data: object, limit: int = 200) -> str:
    """A few words of a draft's content: its filled-in text values, joined (not those of the
    saved record it was typed over, kept beside them as its ``base``)."""
    words: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in ("base", "status"):  # a record under it, a state: not words
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and value.strip() and not _ISO_WHEN.fullmatch(value):
            words.append(value.strip())

    walk(data)
    text = " · ".join(words)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the inventory -------------------------------------------------------------------------------


def _day(moment: dt.datetime | None, zone: str) -> dt.date | None:
    """The day of a stored instant (UTC) in the person's own time zone: what they did at
    23:50 on 1 October in Sydney was on 1 October, not on 30 September (UTC's day)."""
    return dates.in_zone(moment, zone).date() if moment is not None else None


@dataclass
class _Context:
    """What the items need to name things: partners, sessions, partnerships; and the person's
    time zone, which days of stored instants are told in."""

    person_id: int
    names: dict[int, str]
    pairs: dict[int, Partnership]
    sessions: dict[int, Session]
    zone: str

    def day(self, moment: dt.datetime | None) -> dt.date | None:
        return _day(moment, self.zone)

    def partner(self, partnership_id: int) -> str:
        pair = self.pairs.get(partnership_id)
        if pair is None:
            return "a partner"
        return self.names.get(pair.partner_of(self.person_id), "a partner")

    def session_day(self, session_id: int | None) -> dt.date | None:
        session = self.sessions.get(session_id) if session_id else None
        return None if session is None else session.day

    def session_label(self, session_id: int | None) -> str:
        session = self.sessions.get(session_id) if session_id else None
        if session is None:
            return "A session"
        when = day_text(self.session_day(session_id)) or "unplanned"
        return f"Session of {when} with {self.partner(session.partnership_id)}"


def inventory(store: Store, person_id: int, *, today: dt.date | None = None) -> list[Item]:
    """Every item the workbook stores about the person, kind by kind (see :data:`KINDS`), newest
    first within a kind (sessions: those up to today, then those to come, soonest first), each
    field with who can see it. Read in one transaction. ``today`` (by default the person's, in
    their time zone) tells a partnership that starts later, and sessions to come.

    Raises :class:`peercoach_lib.errors.NotFoundError` when there is no such person.
    """
    with store.reading() as tx:
        me = tx.get(Person, person_id)
        pairs = tx.find(Partnership, person_a_id=person_id) + tx.find(
            Partnership, person_b_id=person_id
        )
        pair_ids = [p.id for p in pairs]
        others = sorted({p.partner_of(person_id) for p in pairs})
        names = {p.id: p.name for p in tx.find(Person, id=others)}
        cohorts = {c.id: c for c in tx.find(Cohort, id=[me.cohort_id] if me.cohort_id else [])}
        sessions = tx.find(Session, partnership_id=pair_ids)
        context = _Context(
            person_id, names, {p.id: p for p in pairs}, {s.id: s for s in sessions}, me.time_zone
        )
        plans = tx.find(ChangePlan, person_id=person_id)
        preps = tx.find(SessionPrep, person_id=person_id)
        today = today or dates.in_zone(dt.datetime.now(dt.UTC), me.time_zone).date()
        items = [
            _person(me, cohorts.get(me.cohort_id)),
            *_partnerships(
                context,
                pairs,
                [
                    f
                    for f in tx.find(FlagEpisode, partnership_id=pair_ids)
                    if f.rule not in FROM_ONE_PARTNER
                ],
                today,
            ),
            *_agreements(context, tx.find(Agreement, partnership_id=pair_ids), plans),
            *_sessions(context, sessions, today),
            *_preps(context, preps),
            *_notes(context, tx.find(SessionNote, person_id=person_id)),
            *_commitments(context, tx.find(Commitment, person_id=person_id), preps),
            *_feedback(context, tx.find(Feedback, author_id=person_id)),
            *_checks(context, tx.find(SessionCheck, person_id=person_id)),
            *_assessments(tx.find(LsiAssessment, person_id=person_id)),
            *_plans(plans, tx.find(GasRating, plan_id=[p.id for p in plans])),
            *_conversations(context, tx.find(Conversation, person_id=person_id)),
            *_endings(context, tx.find(EndingNote, person_id=person_id)),
            *_drafts(context, tx.find(Draft, person_id=person_id)),
            *_history(tx, plans, pair_ids),
        ]
    if me.cohort_id is None and all(p.cohort_id is None for p in pairs):
        # In no cohort, nor any partnership of theirs: no facilitator's dashboard shows them.
        items = [_without_facilitator(item) for item in items]
    return items


def _without_facilitator(item: Item) -> Item:
    entries = tuple(
        replace(e, seen_by=tuple(w for w in e.seen_by if w not in (FACILITATOR, AGGREGATES)))
        for e in item.entries
    )
    return replace(item, entries=entries)


def by_kind(items: Iterable[Item]) -> dict[str, list[Item]]:
    """The items grouped by kind, in the order of :data:`KINDS` (kinds with no item left out)."""
    groups: dict[str, list[Item]] = {kind: [] for kind in KINDS}
    for item in items:
        groups[item.kind].append(item)
    return {kind: found for kind, found in groups.items() if found}


def _newest_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.date or dt.date.min, i.record_id or 0), reverse=True)


def _person(me: Person, cohort: Cohort | None) -> Item:
    return Item(
        "person",
        me.name,
        _entries(
            ("Name", me.name, (PARTNER, FACILITATOR)),
            ("E-mail", me.email, (ME,)),
            # The first partner's time zone is what a new agreement suggests to both.
            ("Time zone", me.time_zone, (PARTNER,)),
            ("Cohort", cohort.name if cohort else "", (FACILITATOR,)),
            ("In the workbook since", day_text(_day(me.created_at, me.time_zone)), (ME,)),
        ),
        date=_day(me.created_at, me.time_zone),
        record_id=me.id,
    )


def _partnerships(
    context: _Context, pairs: list[Partnership], flags: list[FlagEpisode], today: dt.date
) -> list[Item]:
    raised: dict[int, list[FlagEpisode]] = {}
    for flag in flags:
        raised.setdefault(flag.partnership_id, []).append(flag)
    items = []
    for pair in pairs:
        episodes = sorted(raised.get(pair.id, []), key=lambda f: f.raised_on)
        flag_text = "; ".join(
            f"{f.rule.value}, {day_text(f.raised_on)}"
            + (f" to {day_text(f.closed_on)} ({f.outcome.value})" if f.closed_on else " (open)")
            for f in episodes
        )
        items.append(
            Item(
                "partnership",
                f"With {context.partner(pair.id)}",
                _entries(
                    ("Partner", context.partner(pair.id), (PARTNER, FACILITATOR)),
                    (
                        "Starts on" if pair.started_on > today else "Started on",
                        day_text(pair.started_on),
                        (PARTNER, FACILITATOR),
                    ),
                    ("Ended on", day_text(pair.ended_on), (PARTNER, FACILITATOR)),
                    (
                        "Reason for ending",
                        pair.end_reason.value if pair.end_reason else "",
                        (PARTNER, AGGREGATES),
                    ),
                    ("Flags on the pair", flag_text, (FACILITATOR,)),
                ),
                date=pair.started_on,
                record_id=pair.id,
            )
        )
    return _newest_first(items)


def _agreements(
    context: _Context, agreements: list[Agreement], plans: list[ChangePlan]
) -> list[Item]:
    mine = {p.id for p in plans}
    items = []
    for agreement in agreements:
        section = next((s for s in agreement.partners if s.person_id == context.person_id), None)
        goals = [g.text for g in agreement.goals if g.change_plan_id in mine]
        if section is None and not goals:
            continue
        both = (PARTNER,)
        rows = []
        if section is not None:
            affirmed = context.day(section.affirmed_at)
            rows = [
                ("What confidentiality means to me", section.confidentiality_meaning, both),
                ("Affirmed confidentiality on", day_text(affirmed), both),
                ("What I hope to get out of peer coaching", section.hopes, both),
                ("What tends to work for me", section.works_for_me, both),
                ("What does not work for me", section.does_not_work, both),
                ("What support looks like for me", section.support_looks_like, both),
            ]
        rows.append(("Goals linked to my change plans", "; ".join(goals), both))
        items.append(
            Item(
                "agreement",
                f"Agreement with {context.partner(agreement.partnership_id)}",
                _entries(*rows),
                date=context.day(agreement.updated_at),
                record_id=agreement.id,
            )
        )
    return _newest_first(items)


def _sessions(context: _Context, sessions: list[Session], today: dt.date) -> list[Item]:
    """The partnership's sessions: those up to today newest first, then those to come, soonest
    first (newest first put the bookings furthest ahead on top, and the sessions held behind
    "Show all")."""
    items = []
    for s in sessions:
        day = s.day
        if s.status is SessionStatus.HELD:
            status = f"held on {day_text(s.held_on)}"
        elif s.status is SessionStatus.SCHEDULED:
            status = f"booked for {day_text(s.scheduled_on)}" if s.scheduled_on else "booked"
        else:
            status = f"{s.status.value} ({day_text(day)})" if day else s.status.value
        received = sum(h.minutes for h in s.halves if h.client_id == context.person_id)
        gave = sum(h.minutes for h in s.halves if h.coach_id == context.person_id)
        items.append(
            Item(
                "session",
                context.session_label(s.id),
                _entries(
                    ("What happened", status, (PARTNER, FACILITATOR)),
                    (
                        "Coaching I received",
                        _minutes(received) if s.halves else "",
                        (PARTNER, AGGREGATES),
                    ),
                    ("Coaching I gave", _minutes(gave) if s.halves else "", (PARTNER, AGGREGATES)),
                ),
                date=day,
                record_id=s.id,
            )
        )
    coming = [i for i in items if i.date is not None and i.date > today]
    gone = [i for i in items if i.date is None or i.date <= today]
    return _newest_first(gone) + sorted(coming, key=lambda i: (i.date, i.record_id or 0))


def _preps(context: _Context, preps: list[SessionPrep]) -> list[Item]:
    items = []
    for p in preps:
        seen = _share_audience(p.shared)
        items.append(
            Item(
                "session_prep",
                context.session_label(p.session_id),
                _entries(
                    ("Purpose", p.purpose, seen, True),
                    ("Outcomes", p.outcomes, seen, True),
                    ("Process", p.process, seen, True),
                    ("Questions for my coach", "; ".join(p.pinned_questions), seen, True),
                    ("Private notes", p.private_notes, (ME,)),
                ),
                date=context.session_day(p.session_id),
                record_id=p.id,
                shareable=True,
                shared=p.shared,
            )
        )
    return _newest_first(items)


def _notes(context: _Context, notes: list[SessionNote]) -> list[Item]:
    return _newest_first(
        [
            Item(
                "session_note",
                context.session_label(n.session_id),
                _entries(("Notes", n.text, _share_audience(n.shared), True)),
                date=context.session_day(n.session_id),
                record_id=n.id,
                shareable=True,
                shared=n.shared,
            )
            for n in notes
        ]
    )


def _commitments(
    context: _Context, commitments: list[Commitment], preps: list[SessionPrep]
) -> list[Item]:
    # A preparation shared with the partner tells them how its commitments went.
    told: set[int] = set()
    for p in preps:
        session = context.sessions.get(p.session_id)
        if not p.shared or session is None:
            continue
        pair = session.partnership_id
        told.update(
            c.id
            for c in sharing.shown_with_prep(
                (c for c in commitments if c.partnership_id == pair),
                (s for s in context.sessions.values() if s.partnership_id == pair),
                p.session_id,
            )
        )
    items = []
    for c in commitments:
        made = context.session_day(c.made_in_session_id)
        label = (
            f"Made at the session of {day_text(made)} with {context.partner(c.partnership_id)}"
            if made
            else f"Made with {context.partner(c.partnership_id)}"
        )
        mine = (PARTNER,) if c.id in told else (ME,)
        items.append(
            Item(
                "commitment",
                label,
                _entries(
                    ("I will", c.text, mine),
                    ("By when", day_text(c.by_when), mine),
                    # Counted as follow-through once reviewed at a session.
                    ("Status", c.status.words, (*mine, AGGREGATES)),
                    ("What got in the way", c.obstacle, mine),
                ),
                date=made or c.by_when,
                record_id=c.id,
            )
        )
    return _newest_first(items)


def _feedback(context: _Context, feedback: list[Feedback]) -> list[Item]:
    items = []
    for f in feedback:
        role = "as the person coached" if f.role is FeedbackRole.CLIENT else "as coach"
        items.append(
            Item(
                "feedback",
                f"{context.session_label(f.session_id)}, {role}",
                _entries(
                    ("What was most helpful", f.most_helpful, (PARTNER,)),
                    ("What was less helpful", f.less_helpful, (PARTNER,)),
                    ("What worked", f.what_worked, (ME,)),
                    ("What to try next time", f.try_next_time, (ME,)),
                ),
                date=context.session_day(f.session_id),
                record_id=f.id,
            )
        )
    return _newest_first(items)


def _checks(context: _Context, checks: list[SessionCheck]) -> list[Item]:
    items = []
    for c in checks:
        both = (ME, AGGREGATES)
        items.append(
            Item(
                "session_check",
                context.session_label(c.session_id),
                _entries(
                    (
                        "My answers (0 to 10)",
                        "; ".join(
                            f"{SessionCheck.model_fields[k].title} {getattr(c, k)}" for k in c.ITEMS
                        ),
                        both,
                    ),
                    ("Total", f"{c.total} of 40", both),
                    # The dashboard counts, pair by pair, the checks below the line (never the
                    # answers): of a pair's one or two checks, whether this one was is told.
                    ("Below the flag line", "yes" if c.flagged else "no", (ME, FACILITATOR)),
                ),
                date=context.session_day(c.session_id),
                record_id=c.id,
            )
        )
    return _newest_first(items)


def _assessments(assessments: list[LsiAssessment]) -> list[Item]:
    return _newest_first(
        [
            Item(
                "lsi",
                f"Taken on {day_text(a.taken_on)}",
                _entries(
                    # The dashboard averages satisfaction into an index and shows its change.
                    (
                        "Satisfaction by area",
                        "; ".join(f"{r.area} {r.satisfaction}" for r in a.areas),
                        (ME, AGGREGATES),
                    ),
                    (
                        "Importance by area",
                        "; ".join(f"{r.area} {r.importance}" for r in a.areas),
                        (ME,),
                    ),
                    ("Note to self", a.note, (ME,)),
                ),
                date=a.taken_on,
                record_id=a.id,
            )
            for a in assessments
        ]
    )


def _plans(plans: list[ChangePlan], ratings: list[GasRating]) -> list[Item]:
    levels: dict[int, list[GasRating]] = {}
    for rating in sorted(ratings, key=lambda r: (r.rated_on, r.id)):
        levels.setdefault(rating.plan_id, []).append(rating)
    items = []
    titles = change_plan.plan_names(plans)  # two plans saying the same are told apart
    for p in plans:
        scale = "; ".join(
            f"{GasScale.model_fields[name].title}: {getattr(p.gas, name)}"
            for name in GasScale.model_fields
            if getattr(p.gas, name)
        )
        rated = _ratings(levels.get(p.id, []))
        status = p.status.value + (f" ({p.status_reason})" if p.status_reason else "")
        items.append(
            Item(
                "change_plan",
                titles[p.id],
                _entries(
                    ("The change I want to make", p.change, (ME,)),
                    ("Why it matters to me", p.why_it_matters, (ME,)),
                    ("Importance and confidence", f"{p.importance} and {p.confidence}", (ME,)),
                    ("Life area it serves", p.lsi_area, (ME,)),
                    ("Goal statement", p.goal_statement, (ME,)),
                    (
                        "Steps",
                        "; ".join(
                            s.text + (f" (by {day_text(s.by_when)})" if s.by_when else "")
                            for s in p.steps
                        ),
                        (ME,),
                    ),
                    ("Who and what can help", p.supports, (ME,)),
                    (
                        "Obstacles",
                        "; ".join(
                            o.obstacle + (f": {o.response}" if o.response else "")
                            for o in p.obstacles
                        ),
                        (ME,),
                    ),
                    ("How I will know it is working", p.evidence, (ME,)),
                    (
                        "Milestones",
                        "; ".join(
                            f"{day_text(m.due_on)}"
                            + (f": {m.description}" if m.description else "")
                            for m in p.milestones_by_date
                        ),
                        (ME,),
                    ),
                    ("Goal attainment levels", scale, (ME,)),
                    ("Where I start", _level(p.baseline_level), (ME,)),
                    # The dashboard turns levels and weights into a T-score change per person.
                    ("Weight", f"{p.weight:g}", (ME, AGGREGATES)),
                    ("Levels rated", rated, (ME, AGGREGATES)),
                    ("Status", status, (ME,)),
                ),
                date=p.created_on,
                record_id=p.id,
            )
        )
    return _newest_first(items)


def _conversations(context: _Context, talks: list[Conversation]) -> list[Item]:
    items = []
    for c in talks:
        partner = context.partner(c.partnership_id)
        rows = [
            ("The issue, in one sentence", c.issue, (ME,)),
            ("A specific example", c.example, (ME,)),
            ("How I feel about it", c.feeling, (ME,)),
            ("What is at stake", c.stakes, (ME,)),
            ("My own part in it", c.my_part, (ME,)),
            ("What I would like to happen", c.wish, (ME,)),
            ("How I will invite my partner's view", c.invitation, (ME,)),
        ]
        if c.outcome is not None:
            rows += [
                ("We talked on", day_text(c.held_on), (PARTNER,)),
                ("What we decided", c.outcome.value, (PARTNER,)),
                ("What we agreed", c.agreed, (PARTNER,)),
                ("How we will hold each other to it", c.hold_to_it, (PARTNER,)),
                ("Review date", day_text(c.review_on), (PARTNER,)),
            ]
        created = context.day(c.created_at)
        items.append(
            Item(
                "conversation",
                f"With {partner}" + (f", talked on {day_text(c.held_on)}" if c.held_on else ""),
                _entries(*rows),
                date=c.held_on or created,
                record_id=c.id,
            )
        )
    return _newest_first(items)


def _endings(context: _Context, notes: list[EndingNote]) -> list[Item]:
    items = []
    for n in notes:
        pair = context.pairs.get(n.partnership_id)
        ended = pair.ended_on if pair else None
        seen = _share_audience(n.shared)
        items.append(
            Item(
                "ending_note",
                f"Partnership with {context.partner(n.partnership_id)}"
                + (f", ended {day_text(ended)}" if ended else ""),
                _entries(
                    ("Why, in my words", n.reason, seen, True),
                    ("What I learned", n.learned, seen, True),
                ),
                date=ended,
                record_id=n.id,
                shareable=True,
                shared=n.shared,
            )
        )
    return _newest_first(items)


_DRAFT_FORMS = {
    "agreement": "First-session agreement",
    "session_log": "Session log",
    "preparation": "Session preparation",
    "conversation": "Courageous conversation",
}


def _draft_for(context: _Context, key: str) -> str:
    """What a draft's ``key`` is for, as the person knows it: "Session of 3 Dec 2026 with Ann",
    "with Ann" ("" when its key names neither a session nor a partnership of theirs)."""
    session = re.search(r"\bsession:(\d+)\b", key)
    if session and int(session[1]) in context.sessions:
        return context.session_label(int(session[1]))
    pair = re.search(r"\bpartnership:(\d+)\b", key)
    if pair and int(pair[1]) in context.pairs:
        unplanned = "an unplanned session " if "session:unplanned" in key else ""
        return f"{unplanned}with {context.partner(int(pair[1]))}"
    return ""


def _drafts(context: _Context, drafts: list[Draft]) -> list[Item]:
    items = []
    for d in drafts:
        changed = context.day(d.updated_at)
        about = _draft_for(context, d.key)
        items.append(
            Item(
                "draft",
                # Named for what it is of: two read alike ("Unsaved session log").
                f"Unsaved {(_DRAFT_FORMS.get(d.kind) or d.kind.replace('_', ' ')).lower()}"
                + (f": {about}" if about else ""),
                _entries(
                    ("Last changed", day_text(changed), (ME,)),
                    ("What it holds", _short(d.data) or "nothing typed yet", (ME,)),
                ),
                date=changed,
                record_id=d.id,
            )
        )
    return _newest_first(items)


def _history(tx: Transaction, plans: list[ChangePlan], pair_ids: list[int]) -> list[Item]:
    """How many earlier versions are kept of the person's plans, agreements and partnerships."""
    h = schema.record_history
    agreement_ids = list(
        tx.connection.execute(
            sa.select(schema.agreements.c.id).where(
                schema.agreements.c.partnership_id.in_(pair_ids)
            )
        ).scalars()
    )
    wanted = {
        schema.change_plans.name: [p.id for p in plans],
        schema.agreements.name: agreement_ids,
        schema.partnerships.name: pair_ids,
    }
    counts: Counter[str] = Counter()
    for table, ids in wanted.items():
        if ids:
            counts[table] = tx.connection.execute(
                sa.select(sa.func.count()).where(h.c.table_name == table, h.c.record_id.in_(ids))
            ).scalar_one()
    if not sum(counts.values()):
        return []

    def changes(n: int) -> str:
        return f"{n} change{'s' if n != 1 else ''}" if n else ""

    return [
        Item(
            "history",
            "Earlier versions, with when and by whom they were changed",
            _entries(
                ("My change plans", changes(counts[schema.change_plans.name]), (ME,)),
                # The agreement's page lists its changes: when, who, which fields.
                ("Our agreements", changes(counts[schema.agreements.name]), (PARTNER,)),
                ("Our partnerships", changes(counts[schema.partnerships.name]), (ME,)),
            ),
        )
    ]


# -- sharing -------------------------------------------------------------------------------------


def set_shared(
    store: Store, person_id: int, kind: str, record_id: int, shared: bool
) -> SessionPrep | SessionNote | EndingNote:
    """Share one of the person's own items with their partner, or make it private again.

    Stored at once, so every page opened from now on shows it so. Raises :class:`ValueError`
    for a kind that cannot be shared, :class:`peercoach_lib.errors.NotFoundError` when there is
    no such record, and :class:`PermissionError` when the record is someone else's (nothing is
    changed then).
    """
    record_type = SHAREABLE.get(kind)
    if record_type is None:
        raise ValueError(
            f"{kind!r} cannot be shared; only these can: {', '.join(sorted(SHAREABLE))}"
        )
    with store.transaction() as tx:
        record = tx.get(record_type, record_id)
        if record.person_id != person_id:
            raise PermissionError(
                f"{record_type.label().lower()} {record_id} is not person {person_id}'s own, so "
                "they cannot share it or make it private"
            )
        if record.shared == bool(shared):
            return record
        return tx.save(record.replace(shared=bool(shared)))


def discard_draft(store: Store, person_id: int, draft_id: int) -> bool:
    """Drop one of the person's drafts (what they typed and did not save); the form it was of
    shows what is saved from then on. False when it was gone already (saved or discarded in
    another window meanwhile); :class:`PermissionError` for someone else's."""
    with store.transaction() as tx:
        found = tx.find(Draft, id=draft_id)
        if not found:
            return False
        if found[0].person_id != person_id:
            raise PermissionError(
                f"draft {draft_id} is not person {person_id}'s own, so they cannot discard it"
            )
        tx.delete(Draft, draft_id)
        return True


__all__ = [
    "AGGREGATES",
    "AUDIENCES",
    "FACILITATOR",
    "KINDS",
    "ME",
    "PARTNER",
    "SHAREABLE",
    "Entry",
    "Item",
    "Kind",
    "by_kind",
    "day_text",
    "discard_draft",
    "inventory",
    "set_shared",
]
