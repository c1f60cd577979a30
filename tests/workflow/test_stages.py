"""The transition table, one case per row and every illegal pair."""

from __future__ import annotations

import itertools

import pytest

from assistant.errors import IllegalTransition
from assistant.workflow.stages import (
    FINAL,
    INITIAL,
    STAGES,
    TRANSITIONS,
    Event,
    Stage,
    Status,
    current_stage,
    is_pending,
    next_stage,
    next_status,
    pending_status,
)


@pytest.mark.parametrize(
    ("status", "event", "expected"), [(s, e, n) for (s, e), n in TRANSITIONS.items()]
)
def test_every_row_of_the_table(status: Status, event: Event, expected: Status) -> None:
    assert next_status(status, event) is expected


ILLEGAL = [(s, e) for s, e in itertools.product(Status, Event) if (s, e) not in TRANSITIONS]


@pytest.mark.parametrize(("status", "event"), ILLEGAL)
def test_illegal_transitions_name_themselves(status: Status, event: Event) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status(status, event)
    assert status.value in str(caught.value) and event.value in str(caught.value)


def test_final_statuses_have_no_way_out() -> None:
    assert {s for s, _ in TRANSITIONS} == set(Status) - FINAL
    assert [(s, e) for s in Status if s in FINAL for e in Event] == ILLEGAL


def test_stages_follow_appendix_b_order() -> None:
    assert STAGES == (Stage.LINE_MANAGER, Stage.SENIOR_MANAGER, Stage.PRINCIPAL)
    assert INITIAL is Status.PENDING_LINE_MANAGER
    assert [next_stage(s) for s in STAGES] == [Stage.SENIOR_MANAGER, Stage.PRINCIPAL, None]
    for stage in STAGES:
        assert current_stage(pending_status(stage)) is stage
        assert is_pending(pending_status(stage))
    assert all(current_stage(s) is None and not is_pending(s) for s in FINAL)


def test_approving_every_stage_ends_approved() -> None:
    status = INITIAL
    for stage in STAGES:
        assert current_stage(status) is stage
        status = next_status(status, Event.APPROVE)
    assert status is Status.APPROVED
