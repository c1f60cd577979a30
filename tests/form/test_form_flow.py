"""The transition table: every row, completeness, and the paths it produces."""

from __future__ import annotations

import pytest

from assistant.form import TRANSITIONS, Guard, Step, next_step, path
from assistant.form.fields import FIELD_STEPS
from assistant.form.flow import CONDITIONS, applies, is_optional

# Answers under which exactly the named guard holds among the guards of its step's rows.
GUARD_EXAMPLES: dict[Guard, dict] = {
    Guard.ALWAYS: {"audience": ["staff"], "contributors": ["staff"], "host": "school"},
    Guard.AUDIENCE_PUPILS: {"audience": ["pupils"]},
    Guard.AUDIENCE_OTHER_SCHOOLS: {"audience": ["other_schools"]},
    Guard.AUDIENCE_OTHERS: {"audience": ["others"]},
    Guard.CONTRIBUTORS_PUPILS: {"contributors": ["pupils"]},
    Guard.CONTRIBUTORS_OTHER_SCHOOLS: {"contributors": ["other_schools"]},
    Guard.CONTRIBUTORS_OTHERS: {"contributors": ["others"]},
    Guard.THIRD_PARTY_HOST: {"host": "third_party"},
    Guard.CHILD_CONTRIBUTORS: {"contributors": ["pupils"]},
}


@pytest.mark.parametrize(
    "row",
    TRANSITIONS,
    ids=[f"{r.source.value}-{r.guard.name}-{r.target.value}" for r in TRANSITIONS],
)
def test_each_row_of_the_table_is_taken_when_its_guard_alone_holds(row):
    answers = GUARD_EXAMPLES[row.guard]
    assert row.guard.holds(answers)
    assert next_step(row.source, answers) is row.target


def test_every_field_has_rows_ending_in_always():
    for step in FIELD_STEPS:
        rows = [r for r in TRANSITIONS if r.source is step]
        assert rows, step
        assert rows[-1].guard is Guard.ALWAYS, step
        assert all(r.guard is not Guard.ALWAYS for r in rows[:-1]), step


def test_rows_only_move_forward_in_appendix_b_order():
    order = [*FIELD_STEPS, Step.REVIEW]
    for row in TRANSITIONS:
        assert order.index(row.target) > order.index(row.source), row


def test_a_follow_up_is_entered_only_under_its_condition():
    for row in TRANSITIONS:
        if row.target in CONDITIONS and row.guard is not Guard.ALWAYS:
            assert row.guard is CONDITIONS[row.target], row


def test_shortest_path_skips_every_follow_up():
    answers = {"audience": ["staff"], "contributors": ["staff"], "host": "school"}
    assert path(answers) == [s for s in FIELD_STEPS if s not in CONDITIONS]


def test_longest_path_asks_every_question():
    answers = {
        "audience": ["pupils", "other_schools", "others"],
        "contributors": ["pupils", "other_schools", "others"],
        "host": "third_party",
    }
    assert path(answers) == list(FIELD_STEPS)


@pytest.mark.parametrize(
    ("contributors", "others", "asked"),
    [
        (["staff"], None, False),
        (["pupils"], None, True),
        (["other_schools"], None, True),
        (["public", "families"], None, False),
        (["others"], "adults with learning disabilities from the day centre", True),
        (["others"], "children from the youth club", True),
        (["others"], "visiting authors", False),
    ],
)
def test_consent_is_asked_only_when_contributors_include_children(contributors, others, asked):
    answers = {"contributors": contributors, "contributors_others": others}
    assert applies(Step.CONSENT, answers) is asked
    assert (Step.CONSENT in path(answers)) is asked


@pytest.mark.parametrize(
    ("contributors", "optional"),
    [(["staff"], True), (["pupils", "staff"], True), (["families"], False), (["public"], False)],
)
def test_vetting_and_advertising_are_optional_only_without_external_contributors(
    contributors, optional
):
    answers = {"contributors": contributors}
    assert is_optional(Step.VETTING, answers) is optional
    assert is_optional(Step.ADVERTISING, answers) is optional
    assert not is_optional(Step.DEPARTMENT, answers)
