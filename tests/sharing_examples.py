"""Two partners with something of every kind, each text a marker that can be looked for.

Every text either partner writes is a distinct upper-case marker ("ALICE-NOTE"), so a test can
say exactly where a piece of text must and must not appear.
"""

from __future__ import annotations

import base64
import datetime as dt
import re

from peercoach_lib import model
from peercoach_lib.store import Store

#: Today, for the apps: Alice and Bob's next session is two days away.
TODAY = dt.date(2026, 3, 1)


def populate(store: Store, pair: dict) -> dict:
    """Sessions, notes, preparations, feedback, checks, commitments, plans, assessments, a
    conversation each and a draft for the ``pair`` fixture's Alice and Bob; returns the records."""
    p = pair["partnership"]
    alice, bob = pair["alice"].id, pair["bob"].id

    def held(day: dt.date) -> model.Session:
        return store.save(
            model.Session(
                partnership_id=p.id,
                scheduled_on=day,
                status="held",
                held_on=day,
                halves=[
                    model.SessionHalf(coach_id=alice, client_id=bob, minutes=45),
                    model.SessionHalf(coach_id=bob, client_id=alice, minutes=40),
                ],
            )
        )

    s1, s2 = held(dt.date(2026, 2, 3)), held(dt.date(2026, 2, 17))
    s3 = store.save(model.Session(partnership_id=p.id, scheduled_on=dt.date(2026, 3, 3)))
    s4 = store.save(model.Session(partnership_id=p.id, scheduled_on=dt.date(2026, 3, 17)))
    plan = store.save(
        model.ChangePlan(
            person_id=alice,
            change="ALICE-PLAN-CHANGE",
            goal_statement="ALICE-PLAN-GOAL",
            steps=[model.PlanStep(text="ALICE-PLAN-STEP")],
            gas=model.GasScale(expected="ALICE-PLAN-EXPECTED"),
            weight=2.0,
            created_on=dt.date(2026, 1, 20),
        )
    )
    records = {
        "sessions": [s1, s2, s3, s4],
        "plan": plan,
        "agreement": store.save(
            model.Agreement(
                partnership_id=p.id,
                partners=[
                    model.PartnerSection(person_id=alice, hopes="ALICE-HOPES"),
                    model.PartnerSection(person_id=bob, hopes="BOB-HOPES"),
                ],
                frequency="every two weeks",
                goals=[model.PartnershipGoal(text="ALICE-GOAL", change_plan_id=plan.id)],
            )
        ),
        "alice_prep": store.save(
            model.SessionPrep(
                session_id=s3.id,
                person_id=alice,
                purpose="ALICE-PREP-PURPOSE",
                outcomes="ALICE-PREP-OUTCOMES",
                pinned_questions=["ALICE-PREP-QUESTION"],
                private_notes="ALICE-PREP-PRIVATE",
            )
        ),
        "bob_prep": store.save(
            model.SessionPrep(
                session_id=s3.id,
                person_id=bob,
                purpose="BOB-PREP-PURPOSE",
                shared=True,
                private_notes="BOB-PREP-PRIVATE",
            )
        ),
        "alice_note": store.save(
            model.SessionNote(session_id=s2.id, person_id=alice, text="ALICE-NOTE")
        ),
        "bob_note": store.save(
            model.SessionNote(session_id=s2.id, person_id=bob, text="BOB-NOTE", shared=True)
        ),
        "bob_private_note": store.save(
            model.SessionNote(session_id=s1.id, person_id=bob, text="BOB-PRIVATE-NOTE")
        ),
        "alice_feedback": store.save(
            model.Feedback(
                session_id=s2.id, author_id=alice, role="client", most_helpful="ALICE-FEEDBACK"
            )
        ),
        "bob_feedback": store.save(
            model.Feedback(
                session_id=s2.id, author_id=bob, role="client", most_helpful="BOB-FEEDBACK"
            )
        ),
        # A coach's own reflection: never the partner's to read.
        "bob_reflection": store.save(
            model.Feedback(
                session_id=s2.id, author_id=bob, role="coach", what_worked="BOB-REFLECTION"
            )
        ),
        "alice_check": store.save(
            model.SessionCheck(
                session_id=s2.id, person_id=alice, heard=9, focus=8, approach=7, overall=8
            )
        ),
        "alice_commitment": store.save(
            model.Commitment(
                partnership_id=p.id,
                person_id=alice,
                made_in_session_id=s1.id,
                text="ALICE-COMMITMENT",
                status="done",
                reviewed_in_session_id=s2.id,
            )
        ),
        "alice_lsi": store.save(
            model.LsiAssessment(
                person_id=alice,
                taken_on=dt.date(2026, 1, 10),
                areas=[model.LsiAreaRating(area="Money", satisfaction=4, importance=9)],
                note="ALICE-LSI-NOTE",
            )
        ),
        "alice_rating": store.save(
            model.GasRating(plan_id=plan.id, session_id=s2.id, rated_on=s2.held_on, level=1)
        ),
        "bob_talk": store.save(
            model.Conversation(
                partnership_id=p.id,
                person_id=bob,
                issue="BOB-TALK-ISSUE",
                wish="BOB-TALK-WISH",
                held_on=dt.date(2026, 2, 20),
                outcome="agreed how to go on",
                agreed="BOB-TALK-AGREED",
                hold_to_it="BOB-TALK-HOLD",
                review_on=dt.date(2026, 3, 2),
            )
        ),
        "alice_talk": store.save(
            model.Conversation(
                partnership_id=p.id,
                person_id=alice,
                issue="ALICE-TALK-ISSUE",
                feeling="ALICE-TALK-FEELING",
            )
        ),
        "alice_draft": store.save(
            model.Draft(
                person_id=alice,
                kind="session_log",
                key=f"partnership:{p.id}:session:{s3.id}",
                data={"note": "ALICE-DRAFT"},
            )
        ),
    }
    return records


def widget_text(widget) -> str:
    """Every string a widget tree holds (values, labels, options), for "is it on the page"."""
    seen: list[str] = []

    def walk(w) -> None:
        for name in ("value", "description", "placeholder", "tooltip"):
            value = getattr(w, name, None)
            if isinstance(value, str):
                seen.append(value)
        for option in getattr(w, "options", ()) or ():
            seen.append(str(option))
        for child in getattr(w, "children", ()) or ():
            walk(child)

    walk(widget)
    text = "\n".join(seen)
    # Download links carry their file as base64: read those too.
    blobs = re.findall(r"base64,([A-Za-z0-9+/=]+)", text)
    return text + "".join(base64.b64decode(b).decode("utf-8", "replace") for b in blobs)
