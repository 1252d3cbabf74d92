"""One complete, valid example of every record, used by round-trip and validation tests."""

from __future__ import annotations

import datetime as dt

from peercoach_lib import model

UTC = dt.UTC


def complete_records(ids: dict[str, int]) -> list[model.Record]:
    """Every kind of record, with every field filled, referring to the given ids.

    ``ids`` names ``alice``, ``bob``, ``partnership``, ``session``, ``plan`` and ``cohort``.
    """
    a, b = ids["alice"], ids["bob"]
    return [
        model.Agreement(
            partnership_id=ids["partnership"],
            partners=[
                model.PartnerSection(
                    person_id=a,
                    confidentiality_meaning="Nothing leaves the call.",
                    affirmed_at=dt.datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
                    hopes="Clarity",
                    works_for_me="Questions",
                    does_not_work="Advice",
                    support_looks_like="Texts",
                ),
                model.PartnerSection(
                    person_id=b,
                    confidentiality_meaning="Same for me.",
                    affirmed_at=dt.datetime(2026, 1, 5, 9, 31, tzinfo=UTC),
                ),
            ],
            medium="video",
            format="weekly split",
            minutes_per_person=15,
            frequency="weekly",
            day="Tuesday",
            time=dt.time(18, 30),
            time_zone="Europe/London",
            caller_id=a,
            first_session_on=dt.date(2026, 1, 13),
            session_count=8,
            goals=[model.PartnershipGoal(text="Meet weekly", change_plan_id=ids["plan"])],
            updated_by=a,
        ),
        model.SessionNote(
            session_id=ids["session"], person_id=a, text="Private thought", shared=False
        ),
        model.SessionPrep(
            session_id=ids["session"],
            person_id=a,
            purpose="Decide on the bid",
            outcomes="A clear yes or no",
            process="Options, then decision",
            pinned_questions=["What is the opportunity here?"],
            shared=True,
            private_notes="Nervous",
        ),
        model.Commitment(
            partnership_id=ids["partnership"],
            person_id=a,
            made_in_session_id=ids["session"],
            text="Draft the bid",
            by_when=dt.date(2026, 1, 20),
            goal_id=ids["plan"],
            status="partly",
            obstacle="Ill for two days",
            reviewed_in_session_id=ids["session"],
        ),
        model.Feedback(
            session_id=ids["session"],
            author_id=a,
            role="client",
            most_helpful="The reframe",
            less_helpful="Ran over time",
        ),
        model.Feedback(
            session_id=ids["session"],
            author_id=b,
            role="coach",
            what_worked="Listening",
            try_next_time="Check in on time",
        ),
        model.SessionCheck(
            session_id=ids["session"],
            person_id=a,
            heard=9,
            focus=8,
            approach=7,
            overall=8,
            total_below=30,
            item_below=5,
        ),
        model.LsiAssessment(
            person_id=a,
            taken_on=dt.date(2026, 1, 4),
            note="Tired month",
            areas=[
                model.LsiAreaRating(area=name, satisfaction=i % 11, importance=10 - i % 11)
                for i, name in enumerate(model.DEFAULT_AREAS)
            ],
        ),
        model.GasRating(
            plan_id=ids["plan"], session_id=ids["session"], rated_on=dt.date(2026, 1, 13), level=1
        ),
        model.Conversation(
            partnership_id=ids["partnership"],
            person_id=a,
            prompted_by="lapsing",
            issue="We have cancelled three sessions in a row",
            example="Last Tuesday I waited twenty minutes",
            feeling="Let down, and a little relieved",
            stakes="Whether the coaching helps either of us",
            my_part="I cancelled the first one",
            wish="A fixed slot we both protect",
            invitation="How does it look from your side?",
            held_on=dt.date(2026, 2, 3),
            outcome="agreed how to go on",
            agreed="Thursdays at 8, no cancelling by message",
            hold_to_it="We say so at the start of the next session",
            review_on=dt.date(2026, 3, 3),
        ),
        model.EndingNote(
            partnership_id=ids["partnership"],
            person_id=b,
            reason="Our weeks never lined up",
            learned="Agree the slot before anything else",
            shared=True,
        ),
        model.FlagEpisode(
            partnership_id=ids["partnership"],
            rule="lapsing",
            raised_on=dt.date(2026, 1, 20),
            closed_on=dt.date(2026, 2, 3),
            outcome="recovered",
        ),
    ]


def complete_plan(person_id: int) -> model.ChangePlan:
    return model.ChangePlan(
        person_id=person_id,
        change="Protect time for deep work",
        why_it_matters="Focus",
        importance=9,
        confidence=6,
        lsi_area="Pace of life",
        goal_statement="Two 2-hour focus blocks a week by 31 March 2026",
        steps=[model.PlanStep(text="Block Tuesday mornings", by_when=dt.date(2026, 1, 12))],
        supports="My manager",
        obstacles=[model.Obstacle(obstacle="Urgent requests", response="Defer to the afternoon")],
        evidence="Calendar shows the blocks",
        milestones=[model.Milestone(due_on=dt.date(2026, 2, 2), description="Month one")],
        gas=model.GasScale(
            much_less="No blocks",
            somewhat_less="One block a fortnight",
            expected="One block a week",
            somewhat_more="Two blocks a week",
            much_more="Three or more",
        ),
        baseline_level=-2,
        weight=2.0,
        status="dropped",
        status_reason="Changed role",
        created_on=dt.date(2026, 1, 5),
    )


def complete_session(partnership_id: int, a: int, b: int) -> model.Session:
    return model.Session(
        partnership_id=partnership_id,
        planned=True,
        scheduled_on=dt.date(2026, 1, 13),
        scheduled_time=dt.time(18, 30),
        status="held",
        held_on=dt.date(2026, 1, 13),
        halves=[
            model.SessionHalf(coach_id=a, client_id=b, minutes=15),
            model.SessionHalf(coach_id=b, client_id=a, minutes=14),
        ],
    )


def quoted(label: str) -> str:
    """A field's label as a refused save's summary names it: “Date”."""
    return f"\u201c{label}\u201d"
