"""A synthetic demo cohort: realistic enough to try every app, and marked as demo data throughout.

``generate(store, pairs=12, weeks=16, seed=1)`` writes a facilitator, a cohort and ``pairs``
partnerships with ``weeks`` of history up to ``as_of`` (today by default): agreements, Lifestyle
Satisfaction Index assessments at the start and every eight weeks, change plans with Goal
Attainment Scaling levels, sessions on each pair's agreed rhythm (some pairs lapse, some are
one-sided, some rate their sessions low), commitments with varied follow-through, session checks,
feedback, private notes and session preparations.

The same seed and ``as_of`` give the same data. Rows are built as whole columns with numpy and
written with bulk inserts, so that 10,000 pairs over a year take seconds, not hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydantic_core
import sqlalchemy as sa

from peercoach_lib import dates, partnerships
from peercoach_lib.model.agreement import Weekday
from peercoach_lib.model.lsi import DEFAULT_AREAS
from peercoach_lib.store import Store, Transaction, schema

FIRST_NAMES = [
    "Ada",
    "Amara",
    "Ana",
    "Anouk",
    "Aya",
    "Bea",
    "Bilal",
    "Carmen",
    "Chen",
    "Chidi",
    "Dara",
    "Dev",
    "Elif",
    "Emeka",
    "Esra",
    "Farah",
    "Femi",
    "Gita",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jae",
    "Jonas",
    "Kai",
    "Kemal",
    "Lea",
    "Leila",
    "Lucas",
    "Maya",
    "Mei",
    "Mila",
    "Nadia",
    "Nia",
    "Noah",
    "Omar",
    "Oona",
    "Priya",
    "Quinn",
    "Rafael",
    "Rania",
    "Rosa",
    "Sami",
    "Sara",
    "Sofia",
    "Tariq",
    "Tess",
    "Theo",
    "Uma",
    "Vera",
    "Wren",
    "Yara",
    "Yusuf",
    "Zane",
    "Zoe",
]
LAST_NAMES = [
    "Abe",
    "Adeyemi",
    "Almeida",
    "Bakker",
    "Banerjee",
    "Berg",
    "Castro",
    "Costa",
    "Dahl",
    "Diallo",
    "Duarte",
    "Eriksen",
    "Farouk",
    "Fischer",
    "Garcia",
    "Haddad",
    "Hansen",
    "Ito",
    "Jansen",
    "Kaur",
    "Keller",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Mensah",
    "Meyer",
    "Moreau",
    "Nakamura",
    "Ncube",
    "Novak",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Quispe",
    "Rahman",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Sousa",
    "Tanaka",
    "Torres",
    "Varga",
    "Walsh",
    "Weber",
    "Yilmaz",
    "Zhou",
]
TIME_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Australia/Sydney",
)

COMMITMENTS = (
    "Block two mornings for deep work",
    "Ask my manager for feedback on the proposal",
    "Walk thirty minutes on three days",
    "Draft the first page of the funding bid",
    "Have the conversation with my co-founder about roles",
    "Say no to one new request",
    "Book the health check I keep postponing",
    "Write down three wins every Friday",
    "Call two people in my network",
    "Finish the budget review before Thursday",
    "Leave work by six on four days",
    "Prepare the agenda for the team retreat",
    "Read one chapter of the leadership book",
    "Delegate the weekly report",
    "Spend an evening offline with family",
    "Sketch the plan for the new volunteer programme",
)
CHANGES = (
    ("Lead meetings that end with clear decisions", "Work and career"),
    ("Protect time for deep work", "Pace of life"),
    ("Build a steady exercise habit", "Health and energy"),
    ("Grow my network in the sector", "Friends and community"),
    ("Put our finances on a sound footing", "Money"),
    ("Be more present with my family", "Family"),
    ("Learn to delegate well", "Personal growth and learning"),
    ("Make room for play and rest", "Fun and recreation"),
)
#: What the partners help each other towards, for the goal of the partnership that a change
#: plan of ``CHANGES`` serves.
GOAL_TOPICS = {
    "Lead meetings that end with clear decisions": "meetings that end with clear decisions",
    "Protect time for deep work": "protected time for deep work",
    "Build a steady exercise habit": "a steady exercise habit",
    "Grow my network in the sector": "a wider network in the sector",
    "Put our finances on a sound footing": "finances on a sound footing",
    "Be more present with my family": "being more present at home",
    "Learn to delegate well": "delegating well",
    "Make room for play and rest": "room for play and rest",
}
PURPOSES = (
    "Decide how to raise the workload issue with my team",
    "Plan the first month of the new role",
    "Understand why I keep postponing the bid",
    "Prepare for a courageous conversation with a colleague",
    "Learn from the launch that did not go well",
    "Get clear on my priorities for the quarter",
)
NOTES = (
    "Noticed I talk faster when the topic is money.",
    "Next time ask what support would look like this week.",
    "The reframe about the deadline landed well.",
    "Felt rushed at the end; keep an eye on time.",
    "Partner seemed tired; check in by message midweek.",
    "Good energy today, clear next steps.",
)
HELPFUL = (
    "Your question about what I was avoiding.",
    "Summarising back what I said.",
    "Keeping me on the outcome I came for.",
    "The silence after the hard question.",
)
LESS_HELPFUL = (
    "The advice about my manager came too early.",
    "We ran out of time for next steps.",
    "",
    "",
)
REFLECTIONS = (
    "Listened more than I spoke.",
    "I jumped to solutions once; hold back next time.",
    "Tracking time worked; try a check-in question at the start.",
)

# Engagement profiles: chance a planned session is held, chance a commitment is done.
PROFILES = pd.DataFrame(
    {
        "hold": [0.92, 0.75, 0.9],
        "done": [0.75, 0.5, 0.4],
        "progress": [1.0, 0.5, 0.25],
    },
    index=["steady", "wobbly", "lapsing"],
)


@dataclass(frozen=True)
class DemoSummary:
    cohort_id: int
    pairs: int
    weeks: int
    seed: int
    as_of: dt.date
    rows: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate(
    store: Store,
    *,
    pairs: int = 12,
    weeks: int = 16,
    seed: int = 1,
    as_of: dt.date | None = None,
) -> DemoSummary:
    """Write one demo cohort into ``store`` in a single transaction, and say what was written."""
    if pairs < 1:
        raise ValueError("a demo cohort needs at least 1 pair")
    if not 1 <= weeks <= 520:
        raise ValueError("weeks must be from 1 to 520")
    as_of = as_of or dt.date.today()
    with store.transaction() as tx:
        builder = _Builder(tx, pairs=pairs, weeks=weeks, seed=seed, as_of=as_of)
        rows = builder.write()
    if pairs <= FLAG_HISTORY_PAIRS:
        rows["flag_episodes"] = _flag_history(store, builder.cohort_id, builder.start, as_of)
    return DemoSummary(builder.cohort_id, pairs, weeks, seed, as_of, rows)


#: Demo cohorts up to this size get their flags' history, replayed week by week.
FLAG_HISTORY_PAIRS = 200


def _flag_history(store: Store, cohort_id: int, start: pd.Timestamp, as_of: dt.date) -> int:
    """Replay the facilitator's flags week by week, as if the dashboard had been opened weekly."""
    from peercoach_lib import cohort

    day = start.date() + dt.timedelta(weeks=4)
    while day < as_of:
        cohort.track_flags(store, cohort.load(store, cohort_id, end=day), on=day)
        day += dt.timedelta(weeks=1)
    cohort.track_flags(store, cohort.load(store, cohort_id, end=as_of), on=as_of)
    with store.transaction() as tx:
        episodes = schema.flag_episodes
        in_cohort = sa.select(schema.partnerships.c.id).where(
            schema.partnerships.c.cohort_id == cohort_id
        )
        tx.connection.execute(
            episodes.update().where(episodes.c.partnership_id.in_(in_cohort)).values(is_demo=True)
        )
        return tx.connection.execute(
            sa.select(sa.func.count()).where(episodes.c.partnership_id.in_(in_cohort))
        ).scalar_one()


def _no_note_twice_running(notes: pd.DataFrame) -> pd.DataFrame:
    """The notes with none the same as the person's note before it among those shared (or
    those kept private): the partner reads the shared ones in a row, and one sentence three
    times running reads as a fault. Taken in turn from the bank, without the generator, so the
    rest of the cohort stays as it was."""
    order = notes.sort_values(["person_id", "shared", "session_id"], kind="stable")
    codes = order["text"].map({text: k for k, text in enumerate(NOTES)}).to_numpy().copy()
    group = (order["person_id"].astype(str) + order["shared"].astype(str)).to_numpy()
    for k in range(1, len(codes)):
        if group[k] == group[k - 1] and codes[k] == codes[k - 1]:
            codes[k] = (codes[k] + 1) % len(NOTES)
    text = pd.Series(np.asarray(NOTES, dtype=object)[codes], index=order.index)
    return notes.assign(text=text.reindex(notes.index))


class _Builder:
    def __init__(self, tx: Transaction, *, pairs: int, weeks: int, seed: int, as_of: dt.date):
        self.tx = tx
        self.n = pairs
        self.weeks = weeks
        self.seed = seed
        self.as_of = pd.Timestamp(as_of)
        self.rng = np.random.default_rng(seed)
        # Start on the Monday `weeks` weeks back, so the history ends at as_of.
        start = self.as_of - pd.Timedelta(weeks=weeks)
        self.start = start - pd.Timedelta(days=start.weekday())
        self.ids = {t.name: self._next_id(t) for t in schema.metadata.sorted_tables if "id" in t.c}
        self.rows: dict[str, int] = {}

    def _next_id(self, table: sa.Table) -> int:
        return (self.tx.connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def _take_ids(self, table: sa.Table, count: int) -> np.ndarray:
        """The next ``count`` ids of ``table``; ids are never handed out twice."""
        first = self.ids[table.name]
        self.ids[table.name] = first + count
        return first + np.arange(count)

    def _insert(self, table: sa.Table, frame: pd.DataFrame) -> None:
        """Insert rows, giving them ids (unless they have theirs) and marking them as demo data."""
        if "id" in table.c and "id" not in frame:
            frame.insert(0, "id", self._take_ids(table, len(frame)))
        if "is_demo" in table.c:
            frame["is_demo"] = True
        records = _records(frame)
        self.tx.insert_rows(table, records)
        self.rows[table.name] = self.rows.get(table.name, 0) + len(records)

    def _save(self, record):
        """Insert one record as it is: every date and stamp comes from the demo's own clock."""
        saved = self.tx.insert(record)
        name = type(saved).__name__
        table = {
            "Person": "persons",
            "Partnership": "partnerships",
            "Agreement": "agreements",
            "Session": "sessions",
            "Conversation": "conversations",
            "EndingNote": "ending_notes",
            "HistoryEntry": "record_history",
        }[name]
        self.rows[table] = self.rows.get(table, 0) + 1
        return saved

    def _pick(self, bank, size) -> np.ndarray:
        return np.asarray(bank, dtype=object)[self.rng.integers(0, len(bank), size)]

    # -- the cohort, step by step ----------------------------------------------------------------

    def write(self) -> dict[str, int]:
        self._people()
        self._partnerships()
        self._plans()
        self._agreements()
        self._history()
        self._sessions()
        self._halves()
        self._commitments()
        self._checks_feedback_notes()
        self._preps()
        self._lsi()
        self._gas()
        self._conversations_and_endings()
        self._session_counts()
        return self.rows

    def _session_counts(self) -> None:
        """Each agreement's number of sessions as saving it would count them: the planned ones
        held or missed, and those booked (so that saving an agreement unchanged changes nothing)."""
        a, s = schema.agreements, schema.sessions
        counted = (
            sa.select(sa.func.count())
            .where(
                s.c.partnership_id == a.c.partnership_id,
                s.c.planned,
                s.c.status.in_(["held", "missed", "scheduled"]),
            )
            .scalar_subquery()
        )
        self.tx.connection.execute(
            sa.update(a)
            .where(
                a.c.partnership_id.in_(
                    sa.select(schema.partnerships.c.id).where(
                        schema.partnerships.c.cohort_id == self.cohort_id
                    )
                )
            )
            .values(session_count=sa.case((counted < 1, 1), (counted > 104, 104), else_=counted))
        )

    def _unique_names(self, first: np.ndarray, last: np.ndarray) -> tuple[list[str], list[str]]:
        """The names drawn, each one the workbook has already (or this cohort has drawn before)
        drawn again: no two people may share a name, or the choosers could not tell them apart.
        The draws again come from a generator of their own, so the rest of the cohort is the
        same as without them; past every name the banks make, a number tells them apart."""
        taken = {
            partnerships.name_key(n)
            for n in self.tx.connection.execute(sa.select(schema.persons.c.name)).scalars()
        }
        again = np.random.default_rng([self.seed, 1])
        firsts, lasts = [], []
        for f, la in zip(first, last, strict=True):
            for _ in range(20):
                if partnerships.name_key(f"{f} {la}") not in taken:
                    break
                f, la = (
                    FIRST_NAMES[again.integers(len(FIRST_NAMES))],
                    LAST_NAMES[again.integers(len(LAST_NAMES))],
                )
            number = 2
            base = la
            while partnerships.name_key(f"{f} {la}") in taken:
                la, number = f"{base} {number}", number + 1
            taken.add(partnerships.name_key(f"{f} {la}"))
            firsts.append(f)
            lasts.append(la)
        return firsts, lasts

    def _cohort_name(self) -> str:
        """ "Demo cohort November 2026"; another seed's cohort in the workbook is told apart by
        its seed, and a cohort of the same name there by a number ("... (2)")."""
        name = f"Demo cohort {self.as_of:%B %Y}" + ("" if self.seed == 1 else f", set {self.seed}")
        taken = {
            n.casefold()
            for n in self.tx.connection.execute(sa.select(schema.cohorts.c.name)).scalars()
        }
        number, unique = 2, name
        while unique.casefold() in taken:
            unique, number = f"{name} ({number})", number + 1
        return unique

    def _people(self) -> None:
        n_people = 2 * self.n + 1
        pid = self._take_ids(schema.persons, n_people)
        first, last = self._unique_names(
            self._pick(FIRST_NAMES, n_people), self._pick(LAST_NAMES, n_people)
        )
        names = pd.Series(first) + " " + pd.Series(last)
        emails = (
            pd.Series(first).str.lower()
            + "."
            + pd.Series(last).str.lower().str.replace(" ", "")
            + "."
            + pd.Series(pid).astype(str)
            + "@example.org"
        )
        self.facilitator_id = int(pid[0])
        self.cohort_id = int(self._take_ids(schema.cohorts, 1)[0])
        created = _utc(self.start - pd.Timedelta(days=7))
        people = pd.DataFrame(
            {
                "id": pid,
                "name": names,
                "email": emails,
                # On a shared server each demo person signs in as first name and id ("amara2").
                "sign_in": pd.Series(first).str.lower() + pd.Series(pid).astype(str),
                "role": ["facilitator"] + ["participant"] * (n_people - 1),
                "time_zone": self._pick(TIME_ZONES, n_people),
                "cohort_id": None,
                "created_at": created,
            }
        )
        # Persons first, then the cohort that names its facilitator, then each person's cohort.
        self._insert(schema.persons, people)
        self._insert(
            schema.cohorts,
            pd.DataFrame(
                [
                    {
                        "id": self.cohort_id,
                        "name": self._cohort_name(),
                        "facilitator_id": self.facilitator_id,
                        "starts_on": self.start.date(),
                        "description": (
                            "Synthetic demo data: the people, notes and numbers are made up."
                        ),
                        "settings": {
                            "check_total_below": 36,
                            "check_item_below": 6,
                            "lapse_factor": 1.5,
                            "low_follow_through": 0.5,
                        },
                    }
                ]
            ),
        )
        self.tx.connection.execute(
            schema.persons.update()
            .where(schema.persons.c.id.in_([int(i) for i in pid]))
            .values(cohort_id=self.cohort_id)
        )
        self.participants = pid[1:]

    def _partnerships(self) -> None:
        n, rng = self.n, self.rng
        a, b = self.participants[0::2], self.participants[1::2]
        self.pair_id = self._take_ids(schema.partnerships, n)
        offset = rng.integers(0, 7, n)
        self.first_day = self.start + pd.to_timedelta(offset, unit="D")
        freq = rng.choice(3, n, p=[0.55, 0.35, 0.10])
        self.interval = np.array([7, 14, 28])[freq]  # "monthly" books every four weeks
        split = (freq == 0) & (rng.random(n) < 0.6)
        self.minutes = np.where(split, 15, rng.choice([45, 60], n, p=[0.8, 0.2]))
        self.profile = rng.choice(PROFILES.index.to_numpy(), n, p=[0.6, 0.25, 0.15])
        self.one_sided = rng.random(n) < 0.1
        self.low_quality = rng.random(n) < 0.1
        self.pairs = pd.DataFrame(
            {
                "pair": self.pair_id,
                "a": a,
                "b": b,
                "profile": self.profile,
                "interval": self.interval,
                "minutes": self.minutes,
            }
        )
        self._insert(
            schema.partnerships,
            pd.DataFrame(
                {
                    "id": self.pair_id,
                    "cohort_id": self.cohort_id,
                    "person_a_id": a,
                    "person_b_id": b,
                    "started_on": self.first_day.date,
                    "ended_on": None,
                    "end_reason": None,
                }
            ),
        )
        # A few pairs have not both affirmed confidentiality yet: their agreement is not in force.
        affirmed_b = rng.random(n) > 0.05
        days = np.array([day.value for day in Weekday])
        rows = []
        for i in range(n):
            when = _utc(self.first_day[i] + pd.Timedelta(hours=9))
            partners = [
                _partner_section(int(a[i]), when, rng),
                _partner_section(int(b[i]), when if affirmed_b[i] else None, rng),
            ]
            rows.append(
                {
                    "partnership_id": int(self.pair_id[i]),
                    "partners": partners,
                    "medium": ["phone", "video", "in person"][i % 3],
                    "format": "weekly split"
                    if split[i]
                    else ("one-way, back to back" if i % 2 else "one-way, separate"),
                    "minutes_per_person": int(self.minutes[i]),
                    "frequency": ["weekly", "every two weeks", "monthly"][freq[i]],
                    "day": days[self.first_day[i].weekday()],
                    "time": dt.time(8 + i % 10, 0),
                    "time_zone": "Europe/London",
                    "caller_id": int(a[i]),
                    "first_session_on": self.first_day[i].date(),
                    "session_count": 8,
                    "goals": [
                        {
                            "text": "Meet on our agreed rhythm and keep our commitments",
                            "change_plan_id": None,
                        }
                    ],
                    "updated_at": when,
                    "updated_by": int(a[i]),
                }
            )
        # Written once the change plans are (:meth:`_agreements`): goals link to them.
        self._agreement_rows = rows

    def _agreements(self) -> None:
        """The agreements, each with a goal linked to the first change plan of each partner
        (one goal when both plans are about the same)."""
        firsts = self.plans.drop_duplicates("person")
        first_plan = dict(zip(firsts["person"].tolist(), firsts["plan"].tolist(), strict=True))
        for pair, row in zip(self.pairs.itertuples(), self._agreement_rows, strict=True):
            for person in (pair.a, pair.b):
                plan = first_plan[person]
                text = f"Help each other towards {GOAL_TOPICS[self.plan_change[plan]]}"
                if all(goal["text"] != text for goal in row["goals"]):
                    row["goals"].append({"text": text, "change_plan_id": plan})
        agreements = pd.DataFrame(self._agreement_rows)
        self._insert(schema.agreements, agreements)
        self.agreement_ids = agreements["id"].to_numpy()
        self.callers = agreements["caller_id"].to_numpy()

    def _plans(self) -> None:
        rng = self.rng
        people = self.participants
        second = rng.random(len(people)) < 0.4
        owner = np.concatenate([people, people[second]])
        n = len(owner)
        plan_id = self._take_ids(schema.change_plans, n)
        which = rng.integers(0, len(CHANGES), n)
        start = self.start.date()
        milestones = [
            {
                "due_on": (self.start + pd.Timedelta(weeks=4 * k)).date().isoformat(),
                "description": f"Month {k}: review progress with my partner",
            }
            for k in (1, 2)
        ]
        baseline = np.where(rng.random(n) < 0.7, -1, -2)
        deadline = start + dt.timedelta(weeks=12)
        rows = []
        for i in range(n):
            change, area = CHANGES[which[i]]
            rows.append(
                {
                    "id": int(plan_id[i]),
                    "person_id": int(owner[i]),
                    "change": change,
                    "why_it_matters": "It shapes how I feel at the end of every week.",
                    "importance": int(rng.integers(6, 11)),
                    "confidence": int(rng.integers(4, 9)),
                    "lsi_area": area,
                    "goal_statement": f"{change}, three times a week, by {dates.long(deadline)}.",
                    "steps": [
                        {
                            "text": "Name the first small step",
                            "by_when": (start + dt.timedelta(days=7)).isoformat(),
                        },
                        {
                            "text": "Review what worked with my partner",
                            "by_when": (start + dt.timedelta(days=28)).isoformat(),
                        },
                    ],
                    "supports": "My peer coach; a colleague who has done this.",
                    "obstacles": [
                        {
                            "obstacle": "A busy month at work",
                            "response": "Keep the smallest version going",
                        }
                    ],
                    "evidence": "I see it in my calendar and my energy.",
                    "milestones": milestones,
                    "gas": {
                        "much_less": "I have stopped trying",
                        "somewhat_less": "I do it now and then",
                        "expected": "I do it most weeks",
                        "somewhat_more": "I do it every week",
                        "much_more": "It has become part of who I am",
                    },
                    "baseline_level": int(baseline[i]),
                    "weight": 1.0,
                    "status": "active",
                    "status_reason": "",
                    "created_on": start,
                    "updated_at": _utc(self.start),
                }
            )
        self._insert(schema.change_plans, pd.DataFrame(rows))
        self.plans = pd.DataFrame({"plan": plan_id, "person": owner, "baseline": baseline})
        self.plan_change = {int(pid): CHANGES[k][0] for pid, k in zip(plan_id, which, strict=True)}

    def _history(self) -> None:
        """A "created" entry for each record kept in history, as the store writes on a save,
        when the record was made: the cohort and the change plans as the cohort starts, each
        partnership on its first day and its agreement at that first session (by its caller).
        """
        first = pd.Series(self.first_day)
        made = [
            ("cohorts", [self.cohort_id], self.start, None),
            ("partnerships", self.pair_id, first + pd.Timedelta(hours=8), None),
            ("agreements", self.agreement_ids, first + pd.Timedelta(hours=9), self.callers),
            ("change_plans", self.plans["plan"].to_numpy(), self.start, None),
        ]
        entries = pd.concat(
            [
                pd.DataFrame(
                    {"table_name": name, "record_id": ids, "changed_at": when, "changed_by": by}
                )
                for name, ids, when, by in made
            ],
            ignore_index=True,
        )
        entries["action"] = "created"
        entries["changed_at"] = [_utc(pd.Timestamp(when)) for when in entries["changed_at"]]
        entries["changed_by"] = [None if pd.isna(by) else int(by) for by in entries["changed_by"]]
        entries["changes"] = [{} for _ in range(len(entries))]
        self._insert(schema.record_history, entries)

    def _sessions(self) -> None:
        rng, pairs = self.rng, self.pairs
        horizon = self.as_of + pd.Timedelta(days=21)
        first = pd.Series(self.first_day)
        count = ((horizon - first).dt.days // pairs["interval"]).to_numpy() + 1
        pair_index = np.repeat(np.arange(self.n), count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        planned = pd.DataFrame(
            {
                "pair_index": pair_index,
                "date": np.repeat(self.first_day.to_numpy(), count)
                + pd.to_timedelta(k * pairs["interval"].to_numpy()[pair_index], unit="D"),
            }
        )
        past = planned["date"] <= self.as_of
        profile = PROFILES.loc[pairs["profile"].to_numpy()[pair_index]]
        p_hold = profile["hold"].to_numpy().copy()
        # Lapsing pairs stop meeting somewhere in the second half of their history.
        lapse_day = self.first_day + pd.to_timedelta(
            (rng.uniform(0.45, 0.8, self.n) * self.weeks * 7).astype(int), unit="D"
        )
        lapsed = (pairs["profile"].to_numpy()[pair_index] == "lapsing") & (
            planned["date"].to_numpy() > lapse_day.to_numpy()[pair_index]
        )
        p_hold[lapsed] = 0.1
        u = rng.random(len(planned))
        status = np.where(
            u < p_hold, "held", np.where(rng.random(len(planned)) < 0.7, "missed", "rescheduled")
        )
        status = np.where(past, status, "scheduled")
        planned["status"] = status
        planned["planned"] = True
        planned["scheduled_on"] = planned["date"]
        # Most rescheduled sessions happen a few days later, as an unplanned session.
        moved = planned[(planned["status"] == "rescheduled") & (rng.random(len(planned)) < 0.8)]
        makeup = pd.DataFrame(
            {
                "pair_index": moved["pair_index"].to_numpy(),
                "date": moved["date"].to_numpy()
                + pd.to_timedelta(rng.integers(2, 5, len(moved)), unit="D"),
                "status": "held",
                "planned": False,
                "scheduled_on": pd.NaT,
            }
        )
        makeup = makeup[makeup["date"] <= self.as_of]
        sessions = pd.concat([planned, makeup], ignore_index=True)
        sessions = sessions.sort_values(["pair_index", "date"], kind="stable", ignore_index=True)
        sessions["id"] = self._take_ids(schema.sessions, len(sessions))
        sessions["pair"] = self.pair_id[sessions["pair_index"].to_numpy()]
        held = sessions["status"] == "held"
        self._insert(
            schema.sessions,
            pd.DataFrame(
                {
                    "id": sessions["id"],
                    "partnership_id": sessions["pair"],
                    "planned": sessions["planned"],
                    "scheduled_on": _dates(sessions["scheduled_on"]),
                    "scheduled_time": None,
                    "status": sessions["status"],
                    "held_on": _dates(sessions["date"].where(held)),
                    "created_at": _utc(self.start),
                }
            ),
        )
        self.sessions = sessions
        self.held = sessions[held].reset_index(drop=True)
        h = self.held
        h["a"] = pairs["a"].to_numpy()[h["pair_index"]]
        h["b"] = pairs["b"].to_numpy()[h["pair_index"]]
        h["next_id"] = h.groupby("pair_index")["id"].shift(-1)
        h["t"] = ((h["date"] - self.start).dt.days / max(self.weeks * 7, 1)).clip(0, 1)
        upcoming = sessions[sessions["status"] == "scheduled"]
        self.next_scheduled = upcoming.groupby("pair_index").head(1)

    def _halves(self) -> None:
        rng, h = self.rng, self.held
        agreed = self.minutes[h["pair_index"]]
        first = np.clip(np.rint(agreed * rng.normal(1.0, 0.08, len(h))), 1, 240).astype(int)
        second = np.clip(np.rint(agreed * rng.normal(1.0, 0.08, len(h))), 1, 240)
        short = self.one_sided[h["pair_index"]] & (rng.random(len(h)) < 0.7)
        second = np.where(
            short, np.maximum(1, np.rint(second * rng.uniform(0.2, 0.5, len(h)))), second
        ).astype(int)
        halves = pd.concat(
            [
                pd.DataFrame(
                    {
                        "session_id": h["id"],
                        "position": 0,
                        "coach_id": h["a"],
                        "client_id": h["b"],
                        "minutes": first,
                    }
                ),
                pd.DataFrame(
                    {
                        "session_id": h["id"],
                        "position": 1,
                        "coach_id": h["b"],
                        "client_id": h["a"],
                        "minutes": second,
                    }
                ),
            ],
            ignore_index=True,
        )
        self._insert(schema.session_halves, halves)

    def _both(self) -> pd.DataFrame:
        """One row per held session and partner (as the person being coached)."""
        h = self.held
        return pd.concat(
            [h.assign(person=h["a"]), h.assign(person=h["b"])], ignore_index=True
        ).sort_values(["id", "person"], ignore_index=True)

    def _commitments(self) -> None:
        rng = self.rng
        rows = self._both()
        rows = rows.loc[rows.index.repeat(np.where(rng.random(len(rows)) < 0.5, 2, 1))]
        rows = rows.reset_index(drop=True)
        n = len(rows)
        done_p = PROFILES.loc[self.pairs["profile"].to_numpy()[rows["pair_index"]], "done"]
        u = rng.random(n)
        done_p = done_p.to_numpy()
        status = np.select(
            [u < done_p, u < done_p + (1 - done_p) * 0.4, u < done_p + (1 - done_p) * 0.85],
            ["done", "partly", "not done"],
            "dropped",
        )
        reviewed = rows["next_id"].notna().to_numpy()
        status = np.where(reviewed, status, "open")
        obstacle = np.where(
            np.isin(status, ["not done", "dropped", "partly"]),
            self._pick(
                (
                    "Work took over",
                    "I was ill for two days",
                    "It turned out bigger than I thought",
                    "",
                ),
                n,
            ),
            "",
        )
        first_plan = self.plans.groupby("person")["plan"].first()
        goal = np.where(rng.random(n) < 0.5, first_plan.reindex(rows["person"]).to_numpy(), None)
        interval = self.interval[rows["pair_index"]]
        self._insert(
            schema.commitments,
            pd.DataFrame(
                {
                    "partnership_id": rows["pair"],
                    "person_id": rows["person"],
                    "made_in_session_id": rows["id"],
                    "text": self._pick(COMMITMENTS, n),
                    "by_when": _dates(rows["date"] + pd.to_timedelta(interval, unit="D")),
                    "goal_id": goal,
                    "status": status,
                    "obstacle": obstacle,
                    "reviewed_in_session_id": rows["next_id"]
                    .astype("Int64")
                    .astype(object)
                    .where(reviewed, None),
                }
            ),
        )

    def _checks_feedback_notes(self) -> None:
        rng = self.rng
        rows = self._both()
        n = len(rows)
        # The flag line is high (36 of 40: nine on average), so a good session scores 9-10 on
        # most items; pairs that are not working score around 7.
        low = self.low_quality[rows["pair_index"]]
        quality = np.where(low, 7.0, 9.45)
        spread = np.where(low, 0.9, 0.55)
        items = {
            name: np.clip(np.rint(quality + rng.normal(0, 1, n) * spread), 0, 10).astype(int)
            for name in ("heard", "focus", "approach", "overall")
        }
        self._insert(
            schema.session_checks,
            pd.DataFrame(
                {
                    "session_id": rows["id"],
                    "person_id": rows["person"],
                    **items,
                    "total_below": 36,
                    "item_below": 6,
                }
            ),
        )
        gives = rows[rng.random(n) < 0.6]
        self._insert(
            schema.feedback,
            pd.DataFrame(
                {
                    "session_id": gives["id"],
                    "author_id": gives["person"],
                    "role": "client",
                    "most_helpful": self._pick(HELPFUL, len(gives)),
                    "less_helpful": self._pick(LESS_HELPFUL, len(gives)),
                    "what_worked": "",
                    "try_next_time": "",
                }
            ),
        )
        reflects = rows[rng.random(n) < 0.3]
        # As coach, each partner reflects on the half in which they coached the other.
        coach = np.where(reflects["person"] == reflects["a"], reflects["b"], reflects["a"])
        self._insert(
            schema.feedback,
            pd.DataFrame(
                {
                    "session_id": reflects["id"],
                    "author_id": coach,
                    "role": "coach",
                    "most_helpful": "",
                    "less_helpful": "",
                    "what_worked": self._pick(REFLECTIONS, len(reflects)),
                    "try_next_time": "Open with a check-in question.",
                }
            ),
        )
        noted = rows[rng.random(n) < 0.5]
        notes = pd.DataFrame(
            {
                "session_id": noted["id"],
                "person_id": noted["person"],
                "text": self._pick(NOTES, len(noted)),
                "shared": rng.random(len(noted)) < 0.2,
            }
        )
        self._insert(schema.session_notes, _no_note_twice_running(notes))

    def _preps(self) -> None:
        rng = self.rng
        rows = self._both()
        past = rows[rng.random(len(rows)) < 0.4][["id", "person"]]
        nxt = self.next_scheduled
        pairs = self.pairs
        upcoming = pd.concat(
            [
                pd.DataFrame({"id": nxt["id"], "person": pairs["a"].to_numpy()[nxt["pair_index"]]}),
                pd.DataFrame({"id": nxt["id"], "person": pairs["b"].to_numpy()[nxt["pair_index"]]}),
            ]
        )
        upcoming = upcoming[rng.random(len(upcoming)) < 0.5]
        preps = pd.concat([past, upcoming], ignore_index=True)
        n = len(preps)
        self._insert(
            schema.session_preps,
            pd.DataFrame(
                {
                    "session_id": preps["id"],
                    "person_id": preps["person"],
                    "purpose": self._pick(PURPOSES, n),
                    "outcomes": "This session will be a success if I leave with one next step.",
                    "process": "Ten minutes on what happened, then options, then commitments.",
                    "pinned_questions": [["What is the opportunity here?"]] * n,
                    "shared": rng.random(n) < 0.6,
                    "private_notes": self._pick(("I am nervous about raising this.", ""), n),
                    "updated_at": _utc(self.start),
                }
            ),
        )

    def _lsi(self) -> None:
        rng = self.rng
        people = self.participants
        n_areas = len(DEFAULT_AREAS)
        times = np.arange(0, self.weeks + 1, 8)
        base = rng.integers(2, 9, (len(people), n_areas))
        importance = rng.integers(3, 11, (len(people), n_areas))
        pair_index = np.repeat(np.arange(self.n), 2)
        gain = PROFILES.loc[self.profile[pair_index], "progress"].to_numpy()[:, None]
        trend = rng.normal(1.5, 1.0, (len(people), n_areas)) * gain
        assessments, ratings = [], []
        for week in times:
            frac = week / max(self.weeks, 1)
            ids = self._take_ids(schema.lsi_assessments, len(people))
            day = self.start + pd.Timedelta(weeks=int(week))
            assessments.append(
                pd.DataFrame(
                    {
                        "id": ids,
                        "person_id": people,
                        "taken_on": min(day, self.as_of).date(),
                        "note": "",
                        "created_at": _utc(day),
                    }
                )
            )
            sat = np.clip(np.rint(base + trend * frac + rng.normal(0, 0.6, base.shape)), 0, 10)
            ratings.append(
                pd.DataFrame(
                    {
                        "assessment_id": np.repeat(ids, n_areas),
                        "position": np.tile(np.arange(n_areas), len(people)),
                        "area": np.tile(np.array(DEFAULT_AREAS, dtype=object), len(people)),
                        "satisfaction": sat.astype(int).ravel(),
                        "importance": importance.ravel(),
                    }
                )
            )
        self._insert(schema.lsi_assessments, pd.concat(assessments, ignore_index=True))
        self._insert(schema.lsi_ratings, pd.concat(ratings, ignore_index=True))

    def _gas(self) -> None:
        rng = self.rng
        rows = self._both()[["id", "date", "t", "pair_index", "person"]]
        rated = rows.merge(self.plans, on="person")
        progress = PROFILES.loc[self.profile[rated["pair_index"]], "progress"].to_numpy()
        level = np.rint(
            rated["baseline"] + progress * 2.5 * rated["t"] + rng.normal(0, 0.45, len(rated))
        )
        self._insert(
            schema.gas_ratings,
            pd.DataFrame(
                {
                    "plan_id": rated["plan"],
                    "session_id": rated["id"],
                    "rated_on": _dates(rated["date"]),
                    "level": np.clip(level, -2, 2).astype(int),
                }
            ),
        )

    def _conversations_and_endings(self) -> None:
        """One pair that talked and agreed how to go on; one that ended, and a new pair after it.

        Written last, with its own random numbers, so the rest of the cohort is as before.
        """
        from peercoach_lib import model as m

        rng = np.random.default_rng(self.seed + 1)
        start, as_of = self.start.date(), self.as_of.date()
        # A pair that talked about its follow-through, and agreed to look at it again soon.
        talked = int(self.pair_id[min(6, self.n - 1)])
        a = int(self.pairs["a"].iloc[min(6, self.n - 1)])
        held_on = max(as_of - dt.timedelta(days=9), self.first_day[min(6, self.n - 1)].date())
        self._save(
            m.Conversation(
                partnership_id=talked,
                person_id=a,
                prompted_by="low follow-through",
                issue="Most of the commitments we make do not happen by the next session",
                example="Last month I said I would send the bid and it is still a draft.",
                feeling="Embarrassed, and a bit flat about our sessions.",
                stakes="Whether the coaching moves anything forward for either of us.",
                my_part="I agree to commitments I already doubt I will keep.",
                wish="Smaller commitments that we check at the start of each session.",
                invitation="How do our commitments feel from your side?",
                held_on=held_on,
                outcome=m.ConversationOutcome.AGREED,
                agreed="One commitment each, small enough to finish within the week.",
                hold_to_it="We open each session by saying how it went, before anything else.",
                review_on=max(as_of + dt.timedelta(days=5), held_on + dt.timedelta(days=1)),
                created_at=_utc(pd.Timestamp(held_on) - pd.Timedelta(days=3)),
                updated_at=_utc(pd.Timestamp(held_on) + pd.Timedelta(hours=20)),
                is_demo=True,
            )
        )
        # A partnership that did not work out: it ended, and one of them has a new partner.
        names = [
            f"{f} {la}"
            for f, la in zip(
                *self._unique_names(
                    np.array(["Noor", "Ben", "Ines"]), np.array(["Alvarez", "Okoye", "Moreau"])
                ),
                strict=True,
            )
        ]
        x, y, z = (
            self._save(
                m.Person(
                    name=name,
                    email=name.lower().replace(" ", ".") + "@example.org",
                    time_zone="Europe/London",
                    cohort_id=self.cohort_id,
                    created_at=_utc(self.start - pd.Timedelta(days=7)),
                    is_demo=True,
                )
            )
            for name in names
        )
        for who in (x, y, z):
            self.tx.connection.execute(
                schema.persons.update()
                .where(schema.persons.c.id == who.id)
                .values(sign_in=f"{who.name.split()[0].lower()}{who.id}")
            )
        weeks = max(2, min(7, self.weeks - 2))
        ended_on = min(start + dt.timedelta(weeks=weeks), as_of - dt.timedelta(days=7))
        ended_on = max(ended_on, start)
        earlier = self._save(
            m.Partnership(
                cohort_id=self.cohort_id,
                person_a_id=x.id,
                person_b_id=y.id,
                started_on=start,
                is_demo=True,
            )
        )
        self._created(earlier, at=start, by=None)
        when = _utc(self.start + pd.Timedelta(hours=9))
        agreement = self._save(
            m.Agreement.model_validate(
                {
                    "partnership_id": earlier.id,
                    "partners": [
                        _partner_section(x.id, when, rng),
                        _partner_section(y.id, when, rng),
                    ],
                    "medium": "video",
                    "format": "one-way, separate",
                    "minutes_per_person": 45,
                    "frequency": "weekly",
                    "day": list(Weekday)[start.weekday()].value,
                    "time_zone": "Europe/London",
                    "caller_id": x.id,
                    "first_session_on": start,
                    "session_count": 8,
                    "updated_at": when,
                    "updated_by": x.id,
                    "is_demo": True,
                }
            )
        )
        self._created(agreement, at=when, by=x.id)
        statuses = ["held", "held", "missed", "held", "missed", "missed", "missed"]
        for k, status in enumerate(statuses):
            day = start + dt.timedelta(weeks=k)
            if day >= ended_on:
                break
            held = status == "held"
            self._save(
                m.Session(
                    partnership_id=earlier.id,
                    scheduled_on=day,
                    status=status,
                    held_on=day if held else None,
                    halves=[
                        m.SessionHalf(coach_id=x.id, client_id=y.id, minutes=45),
                        m.SessionHalf(coach_id=y.id, client_id=x.id, minutes=40),
                    ]
                    if held
                    else [],
                    created_at=when,
                    is_demo=True,
                )
            )
        self._save(
            m.Conversation(
                partnership_id=earlier.id,
                person_id=x.id,
                prompted_by="lapsing",
                issue="We have missed most of our sessions since the second week",
                example="I waited on the call for twenty minutes twice this month.",
                feeling="Frustrated, and unsure whether it is worth going on.",
                stakes="A term of coaching that neither of us is getting much from.",
                my_part="I never said how much the missed sessions bothered me.",
                wish="Either a slot we both keep, or an honest ending.",
                invitation="What is getting in the way for you?",
                held_on=ended_on,
                outcome=m.ConversationOutcome.END,
                created_at=_utc(pd.Timestamp(ended_on) - pd.Timedelta(days=4)),
                updated_at=_utc(pd.Timestamp(ended_on) + pd.Timedelta(hours=12)),
                is_demo=True,
            )
        )
        # Ended by one partner: the partnership's history notes the change, as the app would.
        reason = m.EndReason.SCHEDULES_DID_NOT_FIT
        partnerships = schema.partnerships
        self.tx.connection.execute(
            partnerships.update()
            .where(partnerships.c.id == earlier.id)
            .values(ended_on=ended_on, end_reason=reason.value)
        )
        self._save(
            m.HistoryEntry(
                table_name="partnerships",
                record_id=earlier.id,
                action=m.HistoryAction.UPDATED,
                changed_at=_utc(pd.Timestamp(ended_on) + pd.Timedelta(hours=12)),
                changed_by=x.id,
                changes={
                    "ended_on": m.FieldChange(before=None, after=ended_on.isoformat()),
                    "end_reason": m.FieldChange(before=None, after=reason.value),
                },
            )
        )
        for person, shared, reason, learned in (
            (
                x,
                True,
                "Our weeks never lined up once the new rota started.",
                "Agree the slot before anything else, and say early when it is not working.",
            ),
            (
                y,
                False,
                "I could not commit the time this term.",
                "I should have said so at the first session.",
            ),
        ):
            self._save(
                m.EndingNote(
                    partnership_id=earlier.id,
                    person_id=person.id,
                    reason=reason,
                    learned=learned,
                    shared=shared,
                    created_at=_utc(pd.Timestamp(ended_on) + pd.Timedelta(hours=12)),
                    is_demo=True,
                )
            )
        # The new pair starts at its own first-session agreement.
        again = self._save(
            m.Partnership(
                cohort_id=self.cohort_id,
                person_a_id=x.id,
                person_b_id=z.id,
                started_on=max(ended_on, as_of - dt.timedelta(days=6)),
                is_demo=True,
            )
        )
        self._created(again, at=again.started_on, by=None)

    def _created(self, record, *, at: dt.date | dt.datetime, by: int | None) -> None:
        """The "created" entry the store writes when ``record`` is first saved: on its day
        (at 08:00, the facilitator pairing people) or at the moment given."""
        from peercoach_lib import model as m

        if not isinstance(at, dt.datetime):
            at = _utc(pd.Timestamp(at) + pd.Timedelta(hours=8))
        self._save(
            m.HistoryEntry(
                table_name={m.Partnership: "partnerships", m.Agreement: "agreements"}[type(record)],
                record_id=record.id,
                action=m.HistoryAction.CREATED,
                changed_at=at,
                changed_by=by,
            )
        )


def _partner_section(person_id: int, affirmed: dt.datetime | None, rng) -> dict:
    return {
        "person_id": person_id,
        "confidentiality_meaning": "What I share stays between us unless I say otherwise.",
        # Serialised exactly as the record itself would be, so exports compare equal.
        "affirmed_at": pydantic_core.to_jsonable_python(affirmed),
        "hopes": str(
            rng.choice(
                [
                    "Clarity on my next career step",
                    "Steadier energy and better boundaries",
                    "Confidence in leading my team",
                ]
            )
        ),
        "works_for_me": "Questions that make me think; being held to my word.",
        "does_not_work": "Quick advice before I have finished thinking.",
        "support_looks_like": "A short message midweek to ask how it is going.",
    }


def _utc(moment: pd.Timestamp) -> dt.datetime:
    return moment.to_pydatetime().replace(tzinfo=dt.UTC)


def _dates(values: pd.Series) -> pd.Series:
    """Python dates (or None), which every database driver accepts."""
    values = pd.to_datetime(values)
    return pd.Series(
        [v.date() if not pd.isna(v) else None for v in values], dtype=object, index=values.index
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (numpy integers and NaN become int and None)."""
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")
