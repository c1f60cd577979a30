"""Random sequences of submit/approve/reject/withdraw by random people, against a model."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.messages import Identity
from assistant.workflow.service import ApprovalService
from assistant.workflow.stages import STAGES, Event, Stage, Status, current_stage, next_status
from tests.workflow.conftest import ANNA, BEN, EVE, LINDA, PAT, SIMON, SUE, answers

PEOPLE = (ANNA, BEN, LINDA, SUE, SIMON, PAT, EVE)
ROLE_MEMBERS = {
    Stage.LINE_MANAGER: {LINDA},
    Stage.SENIOR_MANAGER: {SUE, SIMON},
    Stage.PRINCIPAL: {PAT},
}
LINE_MANAGERS = (
    {"name": "Ben Brown", "identity": str(BEN)},
    {"name": "Linda Lee", "identity": None},
    {"name": "Mr Nobody", "identity": None},
)

people = st.sampled_from(PEOPLE)
steps = st.one_of(
    st.tuples(st.just("submit"), people, st.sampled_from(LINE_MANAGERS)),
    st.tuples(
        st.sampled_from(["approve", "reject"]),
        st.integers(0, 4),
        st.sampled_from(STAGES),
        people,
        st.sampled_from(["", "Not suitable"]),
    ),
    st.tuples(st.just("withdraw"), st.integers(0, 4), people),
)


def _allowed(stage: Stage, requester: Identity, line_manager: dict[str, Any]) -> set[Identity]:
    """Who may decide, worked out independently of the service."""
    if stage is Stage.LINE_MANAGER and line_manager["name"] in ("Ben Brown", "Linda Lee"):
        named = BEN if line_manager["name"] == "Ben Brown" else LINDA
        return {named} - {requester}
    return ROLE_MEMBERS[stage] - {requester}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(steps, min_size=1, max_size=14))
def test_random_sequences_keep_every_invariant(service: ApprovalService, sequence) -> None:
    # Each example makes new requests, so examples sharing one database do not interfere.
    ids: list[int] = []
    model: dict[int, tuple[Status, Identity, dict[str, Any]]] = {}
    trails: dict[int, list] = {}
    for step in sequence:
        if step[0] == "submit":
            _, who, line_manager = step
            service.submit(who, "Someone", answers(line_manager), platform="slack")
            request = service.list_requests(requester=who)[-1]
            ids.append(request.id)
            model[request.id] = (Status.PENDING_LINE_MANAGER, who, line_manager)
        elif ids:
            request_id = ids[step[1] % len(ids)]
            status, requester, line_manager = model[request_id]
            if step[0] == "withdraw":
                who = step[2]
                service.withdraw(request_id, who)
                if who == requester and current_stage(status) is not None:
                    status = next_status(status, Event.WITHDRAW)
            else:
                verb, _, stage, who, reason = step
                approve = verb == "approve"
                service.decide(request_id, stage, who, "X", approve, reason)
                if (
                    current_stage(status) is stage
                    and who in _allowed(stage, requester, line_manager)
                    and (approve or reason)
                ):
                    status = next_status(status, Event.APPROVE if approve else Event.REJECT)
            model[request_id] = (status, requester, line_manager)
        for request_id in ids:
            _check(service, request_id, model[request_id][0], trails)


def _check(service: ApprovalService, request_id: int, expected: Status, trails: dict) -> None:
    request = service.get(request_id)
    assert request.status is expected
    decisions = service.decisions(request_id)
    stages = [d.stage for d in decisions]
    assert len(stages) == len(set(stages)), "two decisions for one stage"
    approved = [d.stage for d in decisions if d.approved]
    assert approved == list(STAGES[: len(approved)]), "stages approved out of order"
    assert sum(not d.approved for d in decisions) <= 1
    if expected is Status.APPROVED:
        assert approved == list(STAGES)
    elif current_stage(expected) is not None:
        assert approved == list(STAGES[: STAGES.index(current_stage(expected))])
    trail = service.audit(request_id)
    earlier = trails.get(request_id, [])
    assert trail[: len(earlier)] == earlier, "the audit trail changed its past"
    assert len(trail) == 1 + len(decisions) + (expected is Status.WITHDRAWN)
    trails[request_id] = trail
