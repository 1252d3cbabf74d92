"""Validation: every field's bad values give one error type with a message a person understands."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peercoach_lib import ValidationError, model
from peercoach_lib.model.base import _inner_model
from tests.examples import complete_plan, complete_records, complete_session

IDS = {"alice": 1, "bob": 2, "partnership": 3, "session": 4, "plan": 5, "cohort": 6}


def valid_examples() -> list[model.Record]:
    return [
        model.Person(
            name="Alice",
            email="a@example.org",
            role="participant",
            time_zone="Europe/Paris",
            cohort_id=6,
            is_demo=True,
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ),
        model.Cohort(
            name="Spring",
            facilitator_id=9,
            starts_on=dt.date(2026, 1, 5),
            description="First cohort",
            settings=model.CohortSettings(),
        ),
        model.Partnership(
            cohort_id=6,
            person_a_id=1,
            person_b_id=2,
            started_on=dt.date(2026, 1, 5),
            ended_on=dt.date(2026, 6, 1),
            end_reason="programme completed",
        ),
        complete_plan(1),
        complete_session(3, 1, 2),
        model.FlagFollowUp(
            partnership_id=3, rule="lapsing", followed_up_on=dt.date(2026, 2, 1), by=9
        ),
        model.Draft(
            person_id=1,
            kind="session_log",
            key="session:4",
            data={"notes": "half written", "minutes": [45, 40]},
        ),
        model.HistoryEntry(
            table_name="change_plans",
            record_id=5,
            action="updated",
            changed_at=dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC),
            changed_by=1,
            changes={"importance": model.FieldChange(before=9, after=3)},
        ),
        *complete_records(IDS),
    ]


EXAMPLES = {type(r): r for r in valid_examples()}
# Fields whose every value of the right type is valid: nothing to reject but a wrong type.
FREE = {"is_demo", "shared", "planned"}


def bad_values(record: type[model.Record], name: str) -> list[tuple[object, str]]:
    """(bad value, the exact message expected) for one field, derived from its declared type."""
    info = record.model_fields[name]
    annotation = info.annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    optional = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    base = args[0] if optional and args else annotation
    lower = upper = longest = None
    metadata = list(info.metadata)
    for arg in typing.get_args(base):
        metadata.extend(getattr(arg, "metadata", []))
        metadata.append(arg)
    for item in metadata:
        lower = getattr(item, "ge", getattr(item, "gt", lower))
        upper = getattr(item, "le", getattr(item, "lt", upper))
        longest = getattr(item, "max_length", None) or longest
    origin = typing.get_origin(base)
    if origin is typing.Annotated:
        base = typing.get_args(base)[0]
    if base is bool:
        return [("maybe", "must be yes or no")]
    if isinstance(base, type) and issubclass(base, enum.Enum):
        expected = ", ".join(m.value for m in base)
        expected = " or ".join(expected.rsplit(", ", 1))
        return [("nonsense", f"must be one of: {expected}")]
    if base is int:
        out: list[tuple[object, str]] = [
            (
                "three",
                "must be a whole number"
                + (f" from {lower} to {upper}" if lower is not None and upper is not None else ""),
            )
        ]
        if upper is not None:
            out.append((upper + 1, f"must be from {lower} to {upper}"))
        if lower is not None:
            out.append(
                (
                    lower - 1,
                    f"must be from {lower} to {upper}"
                    if upper is not None
                    else f"must be at least {lower}",
                )
            )
        return out
    if base is float:
        return [("heavy", "must be a number"), (upper * 2, f"must be from {lower} to {upper}")]
    if base is dt.date:
        return [
            ("2026-02-30", "must be a real date, such as 2026-03-01"),
            ("2206-01-01", "must be between 2000 and 2100"),
        ]
    if base is dt.datetime:
        return [("yesterday", "must be a real date and time, such as 2026-03-01 18:30")]
    if base is dt.time:
        return [("25:61", "must be a time of day, such as 18:30")]
    if base is str:
        out = [(["a", "list"], "must be text")]
        if longest is not None:
            out.append(
                (
                    "x" * (longest + 1),
                    f"must be at most {longest:,} characters (it has {longest + 1:,})",
                )
            )
        return out
    if origin is list or typing.get_origin(annotation) is list:
        return [("not a list", "must be a list")]
    if origin is dict:
        return [("not a mapping", "must be a record with named fields")]
    if _inner_model(annotation) is not None:
        return [("flat text", "must be a record with named fields")]
    raise AssertionError(f"no bad value known for {record.__name__}.{name}: {annotation}")


CASES = [
    pytest.param(kind, name, value, message, id=f"{kind.__name__}.{name}={str(value)[:12]}")
    for kind in EXAMPLES
    for name in kind.model_fields
    if name != "id"
    for value, message in bad_values(kind, name)
]


@pytest.mark.parametrize(("kind", "name", "value", "message"), CASES)
def test_every_field_rejects_bad_values_with_a_human_message(kind, name, value, message):
    data = EXAMPLES[kind].model_dump()
    data[name] = value
    with pytest.raises(ValidationError) as caught:
        kind.model_validate(data)
    errors = [e for e in caught.value.errors if e.path.split(".")[0].split("[")[0] == name]
    assert errors, f"no error located at {name}: {caught.value}"
    error = errors[0]
    assert error.message == message
    assert error.label == (kind.model_fields[name].title or error.label)
    assert "Input should" not in str(caught.value)


def test_every_example_is_valid_and_every_record_kind_is_covered():
    assert set(EXAMPLES) == {
        m.record
        for m in __import__("peercoach_lib.store.mapping", fromlist=["TABLE_MAPS"]).TABLE_MAPS
    }
    for record in EXAMPLES.values():
        assert type(record).model_validate(record.model_dump()) == record


def test_one_error_lists_every_failing_field_with_its_place():
    with pytest.raises(ValidationError) as caught:
        model.LsiAssessment(
            person_id=0,
            taken_on="2026-02-30",
            areas=[
                {"area": "Money", "satisfaction": 11},
                {"area": "", "satisfaction": "high"},
            ],
        )
    assert [(e.path, e.label, e.message) for e in caught.value.errors] == [
        ("person_id", "Person", "must be at least 1"),
        ("taken_on", "Date", "must be a real date, such as 2026-03-01"),
        ("areas[0].satisfaction", "Satisfaction (area 1)", "must be from 0 to 10"),
        ("areas[1].area", "Area (area 2)", "cannot be empty"),
        ("areas[1].satisfaction", "Satisfaction (area 2)", "must be a whole number from 0 to 10"),
    ]
    assert str(caught.value).startswith(
        "Lsi assessment: 5 problems\n  - Person: must be at least 1"
    )
    assert caught.value.messages()["areas[1].area"] == "cannot be empty"


@pytest.mark.parametrize(
    ("build", "path", "message"),
    [
        (
            lambda: model.Partnership(person_a_id=1, person_b_id=1, started_on="2026-01-05"),
            "person_b_id",
            "must be a different person from the first partner",
        ),
        (
            lambda: model.Partnership(
                person_a_id=1,
                person_b_id=2,
                started_on="2026-01-05",
                ended_on="2026-01-04",
                end_reason="other",
            ),
            "ended_on",
            "cannot be before the start date",
        ),
        (
            lambda: model.Partnership(
                person_a_id=1, person_b_id=2, started_on="2026-01-05", end_reason="other"
            ),
            "end_reason",
            "needs an end date as well",
        ),
        (
            lambda: model.Agreement(
                partnership_id=1, partners=[{"person_id": 1}, {"person_id": 1}]
            ),
            "partners",
            "each partner can appear only once",
        ),
        (
            lambda: model.Agreement(partnership_id=1, partners=[{"person_id": 1}], caller_id=2),
            "caller_id",
            "must be one of the two partners",
        ),
        (
            lambda: model.Agreement(partnership_id=1, session_count=0),
            "session_count",
            "must be from 1 to 104",
        ),
        (
            lambda: model.LsiAssessment(person_id=1, taken_on="2026-01-01", areas=[]),
            "areas",
            "needs at least 1 entry",
        ),
        (
            lambda: model.LsiAssessment(
                person_id=1,
                taken_on="2026-01-01",
                areas=[{"area": "Money", "satisfaction": 1}, {"area": "money", "satisfaction": 2}],
            ),
            "areas",
            "each area can appear only once",
        ),
        (
            lambda: model.ChangePlan(
                person_id=1, change="x", created_on="2026-01-01", status="dropped"
            ),
            "status_reason",
            "say briefly why the plan was dropped",
        ),
        (
            lambda: model.Session(partnership_id=1),
            "scheduled_on",
            "a planned session needs its booked date",
        ),
        (
            lambda: model.Session(partnership_id=1, planned=False, status="held"),
            "held_on",
            "say on which date the session was held",
        ),
        (
            lambda: model.Session(
                partnership_id=1, planned=False, status="missed", held_on="2026-01-01"
            ),
            "held_on",
            "only a held session has a date held",
        ),
        (
            lambda: model.Session(
                partnership_id=1,
                planned=False,
                halves=[
                    {"coach_id": 1, "client_id": 2, "minutes": 30},
                    {"coach_id": 1, "client_id": 2, "minutes": 30},
                ],
            ),
            "halves",
            "each partner coaches at most one half",
        ),
        (
            lambda: model.Session(
                partnership_id=1,
                planned=False,
                halves=[
                    {"coach_id": 1, "client_id": 2, "minutes": 30},
                    {"coach_id": 3, "client_id": 1, "minutes": 30},
                ],
            ),
            "halves",
            "both halves must be between the same two partners",
        ),
        (
            lambda: model.SessionHalf(coach_id=1, client_id=1, minutes=30),
            "client_id",
            "must be someone other than the coach",
        ),
        (
            lambda: model.Feedback(session_id=1, author_id=1, role="client"),
            "try_next_time",
            "write at least one piece of feedback",
        ),
        (
            lambda: model.Feedback(session_id=1, author_id=1, role="client", what_worked="x"),
            "what_worked",
            "is for the coach's reflection; as client use the first two fields",
        ),
        (
            lambda: model.Feedback(session_id=1, author_id=1, role="coach", most_helpful="x"),
            "most_helpful",
            "is for the client's feedback; as coach use the last two fields",
        ),
        (
            lambda: model.SessionPrep(session_id=1, person_id=1, purpose="  "),
            "purpose",
            "cannot be empty",
        ),
        (
            lambda: model.Person(name="A", email="not an address"),
            "email",
            "must look like name@example.org",
        ),
        (
            lambda: model.Person(name="A", time_zone="Mars/Olympus"),
            "time_zone",
            "must be a time zone name such as Europe/London or America/New_York",
        ),
        (
            lambda: model.Person(name="A", nickname="Al"),
            "nickname",
            "is not a field of this record",
        ),
    ],
)
def test_rules_across_fields(build, path, message):
    with pytest.raises(ValidationError) as caught:
        build()
    assert caught.value.messages().get(path) == message, str(caught.value)


def test_replace_validates_the_change():
    person = model.Person(name="Alice")
    assert person.replace(name="Alicia").name == "Alicia"
    with pytest.raises(ValidationError, match="Name: cannot be empty"):
        person.replace(name="")


def test_records_are_immutable():
    person = model.Person(name="Alice")
    with pytest.raises(Exception, match="frozen"):
        person.name = "Mallory"


def test_session_check_flags_follow_the_thresholds():
    check = model.SessionCheck(session_id=1, person_id=1, heard=9, focus=9, approach=9, overall=9)
    assert (check.total, check.flagged) == (36, False)
    # With the default thresholds an item under 6 pulls the total under 36 as well.
    low_item = check.replace(heard=10, focus=10, approach=5, overall=10, total_below=30)
    assert low_item.total == 35 and low_item.flag_reasons == ["below 6: The approach suited me"]
    assert check.replace(approach=5).flag_reasons == [
        "total 32 is below 36",
        "below 6: The approach suited me",
    ]
    low_total = check.replace(overall=8)
    assert low_total.flag_reasons == ["total 35 is below 36"]
    assert check.replace(overall=8, total_below=30).flagged is False


# -- property: whatever comes in, the answer is a record or our ValidationError -------------------

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-01-05",
            "2026-02-30",
            "18:30",
            "Europe/London",
            "held",
            "weekly",
            "client",
            "../..",
            "\x00",
        ]
    ),
    st.dates().map(str),
    st.datetimes().map(str),
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _inputs(kind: type[model.Record]):
    example = EXAMPLES[kind].model_dump(mode="json")
    names = [*kind.model_fields, "unknown"]
    # Start from a valid record and spoil some fields, so both outcomes are explored.
    return st.dictionaries(st.sampled_from(names), json_values, max_size=6).map(
        lambda changes: {**example, **changes}
    )


@pytest.mark.parametrize("kind", list(EXAMPLES), ids=lambda k: k.__name__)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_input_validates_or_raises_the_validation_error(kind, data):
    values = data.draw(st.one_of(_inputs(kind), json_values))
    try:
        record = kind.model_validate(values)
    except ValidationError as exc:
        assert exc.errors and all(e.message for e in exc.errors)
    else:
        assert isinstance(record, kind)


def test_a_refusal_marks_its_fields_and_sums_up_the_rest():
    import ipywidgets as widgets

    from peercoach_lib.apps import forms
    from peercoach_lib.model import Person

    fields = {"name": forms.Field(widgets.Text(), "name")}
    with pytest.raises(ValidationError) as refused:
        Person(name="", email="not-an-address")
    summary = forms.refusal(fields, refused.value, "Nobody was added")
    assert "Error" in fields["name"].message.value
    assert "Nobody was added: " in summary and "must look like name@example.org" in summary
    with pytest.raises(ValidationError) as refused:
        Person(name="")
    assert "Nothing saved: 1 field needs attention (marked Error)." in forms.refusal(
        fields, refused.value, "Nothing saved"
    )


def test_a_time_zone_in_other_letter_case_is_taken_as_its_name():
    assert model.Person(name="A", time_zone="europe/london").time_zone == "Europe/London"
    assert model.Person(name="A", time_zone=" AMERICA/NEW_YORK ").time_zone == "America/New_York"
