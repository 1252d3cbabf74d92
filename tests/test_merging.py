"""Three-way merging of two saves from two windows."""

from __future__ import annotations

from peercoach_lib import merging


def test_each_side_keeps_what_only_it_changed_and_clashes_are_named():
    base = {"a": 1, "b": 1, "c": 1, "d": 1}
    theirs = {"a": 2, "b": 1, "c": 3, "d": 5}
    ours = {"a": 1, "b": 4, "c": 3, "d": 6}
    merged, clashes = merging.merge_values(base, theirs, ours)
    # a: only theirs; b: only ours; c: both, alike; d: both, differently (left to the caller).
    assert merged == {"a": 2, "b": 4, "c": 3}
    assert clashes == ["d"]


def test_keys_only_one_side_has_and_a_chosen_set_of_keys():
    merged, clashes = merging.merge_values({}, {"x": 1}, {"y": 2})
    assert (merged, clashes) == ({"y": 2, "x": 1}, [])
    merged, _ = merging.merge_values({}, {"x": 1}, {"y": 2}, ["y"])
    assert merged == {"y": 2}
