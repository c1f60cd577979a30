"""Random sequences of submit/approve/reject/withdraw by random people, against a model."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assistant.messages import Identity
from assistant.workflow.service import ApprovalService
from assistant.workflow.stages import STAGES, Event, Stage, Status, current_stage, next_status
from tests.workflow.conftest import ANNA, BEN, EVE, LINDA, PAT, SIMON, SUE, answers

PEOPLE = (ANNA, BEN, LINDA, SUE, SIMON, PAT, EVE)
ROLE_MEMBERS = {
    Stage.LINE_MANAGER: {LINDA, BEN},
    Stage.SENIOR_MANAGER: {SUE, SIMON},
    Stage.PRINCIPAL: {PAT},
}
LINE_MANAGERS = (
    {"name": "Ben Brown", "identity": str(BEN)},
    {"name": "Linda Lee", "identity": None},
    {"name": "Mr Nobody", "identity": None},
)

people = st.sampled_from(PEOPLE)
submits = st.tuples(st.just("submit"), people, st.sampled_from(LINE_MANAGERS))
# None stands for "the current stage" and "someone allowed to decide it", so that
# sequences reach the later stages often, not only by luck.
decisions = st.tuples(
    st.sampled_from(["approve", "approve", "approve", "reject"]),
    st.sampled_from([0, 0, 0, 1, 2]),  # mostly the first request, so it gets far
    st.one_of(st.none(), st.none(), st.sampled_from(STAGES)),
    st.one_of(st.none(), st.none(), people),
    st.sampled_from(["", "Not suitable"]),
)
withdrawals = st.tuples(st.just("withdraw"), st.integers(0, 4), people)
steps = st.one_of(submits, decisions, decisions, decisions, decisions, withdrawals)


def _allowed(
    stage: Stage, requester: Identity, line_manager: dict[str, Any], deciders: set[Identity]
) -> set[Identity]:
    """Who may decide, worked out independently of the service: never the requester, the
    site's author (Anna on every form here) or whoever decided an earlier stage."""
    out = {requester, ANNA} | deciders
    if stage is Stage.LINE_MANAGER and line_manager["name"] in ("Ben Brown", "Linda Lee"):
        named = BEN if line_manager["name"] == "Ben Brown" else LINDA
        if named not in out:  # naming someone who may not decide leaves it to the role
            return {named}
    return ROLE_MEMBERS[stage] - out


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=submits, sequence=st.lists(steps, min_size=4, max_size=16))
def test_random_sequences_keep_every_invariant(service: ApprovalService, first, sequence) -> None:
    # Each example makes new requests, so examples sharing one database do not interfere.
    ids: list[int] = []
    model: dict[int, tuple[Status, Identity, dict[str, Any]]] = {}
    deciders: dict[int, set[Identity]] = {}
    trails: dict[int, list] = {}
    for step in [first, *sequence]:
        if step[0] == "submit":
            _, who, line_manager = step
            service.submit(who, "Someone", answers(line_manager), platform="slack")
            request = service.list_requests(requester=who)[-1]
            ids.append(request.id)
            model[request.id] = (Status.PENDING_LINE_MANAGER, who, line_manager)
            deciders[request.id] = set()
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
                stage = stage or current_stage(status) or Stage.PRINCIPAL
                earlier = deciders[request_id]
                allowed = sorted(_allowed(stage, requester, line_manager, earlier))
                who = who or (allowed[0] if allowed else EVE)
                approve = verb == "approve"
                service.decide(request_id, stage, who, "X", approve, reason)
                if (
                    current_stage(status) is stage
                    and who in _allowed(stage, requester, line_manager, earlier)
                    and (approve or reason)
                ):
                    status = next_status(status, Event.APPROVE if approve else Event.REJECT)
                    earlier.add(who)
            model[request_id] = (status, requester, line_manager)
        for request_id in ids:
            _check(service, request_id, model[request_id][0], trails)
    for status, _, _ in model.values():
        event(f"ended {status.value}")


def _check(service: ApprovalService, request_id: int, expected: Status, trails: dict) -> None:
    request = service.get(request_id)
    assert request.status is expected
    decisions = service.decisions(request_id)
    stages = [d.stage for d in decisions]
    assert len(stages) == len(set(stages)), "two decisions for one stage"
    approved = [d.stage for d in decisions if d.approved]
    assert approved == list(STAGES[: len(approved)]), "stages approved out of order"
    assert sum(not d.approved for d in decisions) <= 1
    deciders = [d.decided_by for d in decisions]
    assert len(deciders) == len(set(deciders)), "one person decided two stages"
    assert ANNA not in deciders and service.get(request_id).requester not in deciders
    if expected is Status.APPROVED:
        assert approved == list(STAGES)
    elif current_stage(expected) is not None:
        assert approved == list(STAGES[: STAGES.index(current_stage(expected))])
    trail = service.audit(request_id)
    earlier = trails.get(request_id, [])
    assert trail[: len(earlier)] == earlier, "the audit trail changed its past"
    assert len(trail) == 1 + len(decisions) + (expected is Status.WITHDRAWN)
    trails[request_id] = trail
