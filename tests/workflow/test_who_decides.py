"""Who may decide: the requester never picks the approver, people (not identities) are
compared, and Appendix B's three approvers are three different people (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.form.parsing import parse_people
from assistant.messages import Identity, PrivateReply, Reply, SendDirect, UpdatePost
from assistant.people import Person
from assistant.storage import Store
from assistant.workflow.service import ApprovalService
from assistant.workflow.stages import Stage, Status
from tests.workflow.conftest import (
    ANNA,
    BEN,
    EVE,
    LINDA,
    PAT,
    SIMON,
    SUE,
    Clock,
    answers,
    make_settings,
)

LINDA_TEAMS = Identity("teams", "linda-aad")


def _service(store: Store, clock: Clock, tmp_path: Path, **overrides) -> ApprovalService:
    return ApprovalService(store=store, settings=make_settings(tmp_path, **overrides), clock=clock)


def _refusal(effects) -> str:
    assert len(effects) == 1 and isinstance(effects[0], PrivateReply), effects
    return effects[0].message.text


def _submit(service: ApprovalService, who: Identity = ANNA, *, platform: str = "slack", **kw):
    effects = service.submit(who, "Someone", answers(**kw), platform=platform)
    return service.list_requests(requester=who)[-1].id, effects


# ---- 1. the requester does not choose the approver ------------------------------------------


def test_a_named_line_manager_without_the_role_does_not_decide(service: ApprovalService) -> None:
    # Eve holds no role; naming her (with her identity, as a mention gives it) changes nothing.
    request_id, effects = _submit(service, line_manager={"name": "Eve", "identity": str(EVE)})
    assert not [e for e in effects if isinstance(e, SendDirect) and e.user == EVE]
    assert "not yours to decide" in _refusal(
        service.decide(request_id, "line_manager", EVE, "Eve", True)
    )
    assert service.get(request_id).status is Status.PENDING_LINE_MANAGER
    assert [r.id for r in service.pending_for(EVE)] == []
    assert isinstance(service.decide(request_id, "line_manager", LINDA, "L", True)[0], UpdatePost)


def test_a_typed_mention_names_nobody() -> None:
    # What Slack hands on for a typed "<@UEVE|Linda Lee>": the text, and no real mention.
    people = parse_people("<@UEVE|Linda Lee>", ())
    assert people == [{"name": "Linda Lee", "identity": None}]
    # A real mention (its identity read by the adapter) is still kept.
    assert parse_people("<@UEVE>", (EVE,)) == [{"name": "", "identity": str(EVE)}]


def test_the_configured_manager_map_decides_whoever_the_form_names(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    persons = {
        "anna": Person("anna", "Anna Adams", (ANNA,), line_manager="ben"),
        "ben": Person("ben", "Ben Brown", (BEN,)),
    }
    roles = {"line_manager": (LINDA,), "senior_manager": (SUE,), "principal": (PAT,)}
    service = _service(store, clock, tmp_path, persons=persons, roles=roles)
    linda = {"name": "Linda Lee", "identity": str(LINDA)}
    request_id, effects = _submit(service, line_manager=linda)
    assert [e.user for e in effects if isinstance(e, SendDirect)] == [BEN]
    assert "not yours" in _refusal(service.decide(request_id, "line_manager", LINDA, "L", True))
    assert [r.id for r in service.pending_for(BEN)] == [request_id]
    assert isinstance(service.decide(request_id, "line_manager", BEN, "B", True)[0], UpdatePost)


def test_records_carry_the_configured_name_not_the_one_the_decider_chose(
    service: ApprovalService,
) -> None:
    request_id, _ = _submit(service)
    service.decide(request_id, "line_manager", BEN, "Pat Patel (Principal)", True)
    (decision,) = service.decisions(request_id)
    assert decision.decided_by_name == "Ben Brown" and decision.decided_by == BEN
    exported = service.export_markdown(request_id)
    assert "Pat Patel (Principal)" not in exported
    assert "| Ben Brown (slack:UBEN) |" in exported


# ---- 2. one person, several identities ------------------------------------------------------


def _linda_on_two_platforms(store: Store, clock: Clock, tmp_path: Path) -> ApprovalService:
    persons = {"linda": Person("linda", "Linda Lee", (LINDA, LINDA_TEAMS))}
    roles = {"line_manager": (LINDA, BEN), "senior_manager": (SUE, SIMON), "principal": (PAT,)}
    return _service(store, clock, tmp_path, persons=persons, roles=roles)


def test_a_person_cannot_approve_on_slack_what_they_asked_for_on_teams(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    service = _linda_on_two_platforms(store, clock, tmp_path)
    nobody = {"name": "Mr Nobody", "identity": None}
    request_id, _ = _submit(service, LINDA_TEAMS, platform="teams", line_manager=nobody)
    assert "your own request" in _refusal(
        service.decide(request_id, "line_manager", LINDA, "Linda", True)
    )
    assert service.decisions(request_id) == []
    assert service.pending_for(LINDA) == [] and service.pending_for(LINDA_TEAMS) == []
    # her own request is hers on either platform: listed, and she may withdraw it from Slack
    assert [r.id for r in service.list_requests(requester=LINDA)] == [request_id]
    update, reply = service.withdraw(request_id, LINDA)
    assert isinstance(update, UpdatePost) and isinstance(reply, Reply)
    assert service.get(request_id).status is Status.WITHDRAWN


def test_a_person_decides_with_any_of_their_identities(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    service = _linda_on_two_platforms(store, clock, tmp_path)
    nobody = {"name": "Mr Nobody", "identity": None}
    request_id, _ = _submit(service, line_manager=nobody)
    assert [r.id for r in service.pending_for(LINDA_TEAMS)] == [request_id]
    service.decide(request_id, "line_manager", LINDA_TEAMS, "Linda on Teams", True)
    (decision,) = service.decisions(request_id)
    assert (decision.decided_by, decision.decided_by_name) == (LINDA_TEAMS, "Linda Lee")


# ---- 3. three different people -------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [(Stage.LINE_MANAGER, Stage.SENIOR_MANAGER), (Stage.SENIOR_MANAGER, Stage.PRINCIPAL)],
)
def test_nobody_decides_two_stages_of_one_request(
    store: Store, clock: Clock, tmp_path: Path, first: Stage, second: Stage
) -> None:
    # Sue holds every role; Linda, Simon and Pat can take the stages she does not.
    roles = {
        "line_manager": (SUE, LINDA),
        "senior_manager": (SUE, SIMON),
        "principal": (SUE, PAT),
    }
    service = _service(store, clock, tmp_path, roles=roles)
    request_id, _ = _submit(service, line_manager={"name": "Mr Nobody", "identity": None})
    if first is Stage.SENIOR_MANAGER:
        service.decide(request_id, "line_manager", LINDA, "Linda", True)
    service.decide(request_id, first.value, SUE, "Sue", True)
    text = _refusal(service.decide(request_id, second.value, SUE, "Sue", True))
    assert "You already decided the" in text and "three different people" in text
    assert service.get(request_id).status.value == f"PENDING_{second.value.upper()}"
    assert request_id not in [r.id for r in service.pending_for(SUE)]
    other = SIMON if second is Stage.SENIOR_MANAGER else PAT
    assert isinstance(service.decide(request_id, second.value, other, "X", True)[0], UpdatePost)


def test_the_sites_author_may_not_approve_it(service: ApprovalService) -> None:
    # Anna asks for a site whose author is Ben, her named line manager: Linda must decide.
    form = answers()
    form["author"] = [{"name": "Ben Brown", "identity": None}]  # a typed name is enough
    service.submit(ANNA, "Anna Adams", form, platform="slack")
    request_id = service.list_requests()[-1].id
    text = _refusal(service.decide(request_id, "line_manager", BEN, "Ben", True))
    assert "named as the site's author" in text and "waits for another approver" in text
    assert service.pending_for(BEN) == []
    assert isinstance(service.decide(request_id, "line_manager", LINDA, "L", True)[0], UpdatePost)


def test_when_only_one_person_could_decide_two_stages_everyone_is_told_at_submit(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    roles = {"line_manager": (LINDA,), "senior_manager": (LINDA,), "principal": (PAT,)}
    service = _service(store, clock, tmp_path, roles=roles)
    request_id, effects = _submit(service, line_manager={"name": "Mr Nobody", "identity": None})
    told = [e.message.text for e in effects if isinstance(e, Reply)]
    assert any("three different people" in t and "Line Manager" in t for t in told), told
    members = [e for e in effects if isinstance(e, SendDirect) and "nobody else" in e.message.text]
    assert [e.user for e in members] == [LINDA]
    assert service.get(request_id).status is Status.PENDING_LINE_MANAGER  # kept all the same


def test_a_fillable_request_gets_no_warning(service: ApprovalService) -> None:
    _, effects = _submit(service)
    assert not [e for e in effects if "three different people" in e.message.text]


# ---- 8. the terminal is no back door ---------------------------------------------------------

CONSOLE_PAT = Identity("console", "pat")


def test_a_console_identity_never_decides_a_request_from_another_platform(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    # Pat is the Principal on Slack and, configured explicitly, in the terminal too.
    persons = {"pat": Person("pat", "Pat Patel", (PAT, CONSOLE_PAT))}
    roles = {
        "line_manager": (LINDA,),
        "senior_manager": (SUE,),
        "principal": (PAT, CONSOLE_PAT),
    }
    service = _service(store, clock, tmp_path, persons=persons, roles=roles)
    nobody = {"name": "Mr Nobody", "identity": None}
    request_id, _ = _submit(service, line_manager=nobody)
    service.decide(request_id, "line_manager", LINDA, "L", True)
    service.decide(request_id, "senior_manager", SUE, "S", True)
    text = _refusal(service.decide(request_id, "principal", CONSOLE_PAT, "Pat", True))
    assert "made in Slack" in text and "not from the terminal" in text
    assert service.pending_for(CONSOLE_PAT) == [] and CONSOLE_PAT not in service._reachable(
        service.get(request_id), Stage.PRINCIPAL
    )
    assert service.get(request_id).status is Status.PENDING_PRINCIPAL
    assert isinstance(service.decide(request_id, "principal", PAT, "P", True)[0], UpdatePost)


def test_configured_console_approvers_decide_terminal_requests(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    lena, sam = Identity("console", "lena"), Identity("console", "sam")
    roles = {"line_manager": (sam,), "senior_manager": (SUE,), "principal": (PAT,)}
    service = _service(store, clock, tmp_path, roles=roles, channels={})
    nobody = {"name": "Mr Nobody", "identity": None}
    request_id, effects = _submit(service, lena, platform="console", line_manager=nobody)
    assert [e.user for e in effects if isinstance(e, SendDirect)] == [sam]
    assert [r.id for r in service.pending_for(sam)] == [request_id]
    assert isinstance(service.decide(request_id, "line_manager", sam, "Sam", True)[0], UpdatePost)
