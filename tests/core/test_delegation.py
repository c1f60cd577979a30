"""Absence: a delegate decides for an absent approver over a date range, and the record
names both. The real core on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from assistant.conversation import Assistant
from assistant.delegation import Delegation, parse_delegations
from assistant.messages import Action, PrivateReply, SendDirect
from assistant.people import Person
from assistant.uktime import uk
from tests.core.conftest import (
    BYSTANDER,
    LINE_MANAGER,
    PRINCIPAL,
    SENIOR,
    TEACHER,
    TODAY,
    core_settings,
)
from tests.core.test_conversation import fill_form, of_type, posted, press
from tests.storage.databases import database_url

PERSONS = {
    "lena": Person("lena", "Lena Lowe", (TEACHER,)),
    "sam": Person("sam", "Sam Smith", (LINE_MANAGER,)),
    "sue": Person("sue", "Sue Senior", (SENIOR,)),
    "pat": Person("pat", "Pat Principal", (PRINCIPAL,)),
    "eve": Person("eve", "Eve Deputy", (BYSTANDER,)),
}
TODAY_UK = uk(datetime.now(UTC)).date()


@pytest.fixture(params=["sqlite", "postgresql"])
def make(
    request: pytest.FixtureRequest, tmp_path: Path, hashing_index_dir: Path
) -> Iterator[Callable[..., Assistant]]:
    from assistant.app import build_core
    from assistant.policy.embedder import HashingEmbedder

    with database_url(request.param, tmp_path) as url:
        built: list[Assistant] = []

        def make_core(*delegations: Delegation) -> Assistant:
            settings = dataclasses.replace(
                core_settings(tmp_path, url, hashing_index_dir),
                persons=PERSONS,
                delegations=delegations,
            )
            core = build_core(settings, embedder=HashingEmbedder())
            core.today = lambda: TODAY
            built.append(core)
            return core

        yield make_core
        for core in built:
            core.store.close()


def _to_principal(core: Assistant) -> tuple[str, bool]:
    """Fill in, approve the first two stages: the principal stage's button value, and
    whether the Bystander (Eve) was asked directly."""
    first = posted(fill_form(core), "#line-managers")
    value = next(b.value for b in first.message.buttons if b.action is Action.APPROVE)
    second = posted(press(core, LINE_MANAGER, Action.APPROVE, value), "#senior-managers")
    value = next(b.value for b in second.message.buttons if b.action is Action.APPROVE)
    effects = press(core, SENIOR, Action.APPROVE, value)
    third = posted(effects, "#principal")
    asked = [e for e in of_type(effects, SendDirect) if e.user == BYSTANDER]
    return next(b.value for b in third.message.buttons if b.action is Action.APPROVE), bool(asked)


def test_a_delegate_decides_for_the_absent_principal_and_the_record_names_both(make) -> None:
    away = Delegation("pat", "eve", TODAY_UK - timedelta(days=1), TODAY_UK + timedelta(days=5))
    core = make(away)
    value, asked = _to_principal(core)
    assert asked  # Eve is not in the Principal's channel: she is asked directly
    assert core.approvals.pending_for(BYSTANDER)  # "waiting for me" shows it to the delegate

    press(core, BYSTANDER, Action.APPROVE, value)

    request_id = int(value.split(":")[0])
    principal = core.approvals.decisions(request_id)[-1]
    assert principal.approved and principal.decided_by == BYSTANDER
    assert principal.decided_by_name == "Eve Deputy acting for Pat Principal"
    assert "Eve Deputy acting for Pat Principal" in core.approvals.export_markdown(request_id)


def test_outside_its_dates_a_delegation_gives_nothing(make) -> None:
    over = Delegation("pat", "eve", TODAY_UK - timedelta(days=9), TODAY_UK - timedelta(days=1))
    core = make(over)
    value, _asked = _to_principal(core)
    (refused,) = press(core, BYSTANDER, Action.APPROVE, value)
    assert isinstance(refused, PrivateReply)
    assert len(core.approvals.decisions(int(value.split(":")[0]))) == 2


def test_a_delegation_by_command_takes_effect_at_once_and_can_be_ended(make) -> None:
    core = make()
    value, _asked = _to_principal(core)
    made = core.store.delegations.add("pat", "eve", TODAY_UK, TODAY_UK + timedelta(days=1))
    assert core.approvals.pending_for(BYSTANDER)
    core.store.delegations.end(made.id)
    (refused,) = press(core, BYSTANDER, Action.APPROVE, value)
    assert isinstance(refused, PrivateReply)


def test_a_delegate_is_still_one_of_three_different_people(make) -> None:
    # Sue stands in for the Principal, but she decided the senior manager stage already.
    core = make(Delegation("pat", "sue", TODAY_UK, TODAY_UK))
    value, _asked = _to_principal(core)
    (refused,) = press(core, SENIOR, Action.APPROVE, value)
    assert "already decided" in refused.message.text or "earlier" in refused.message.text
    assert len(core.approvals.decisions(int(value.split(":")[0]))) == 2


def test_configured_delegations_are_checked() -> None:
    raw = [
        {"from": "pat", "to": "eve", "start": date(2026, 12, 1), "end": date(2026, 12, 14)},
        {"from": "pat", "to": "nobody", "start": date(2026, 12, 1), "end": date(2026, 12, 2)},
        {"from": "pat", "to": "eve", "start": date(2026, 12, 5), "end": date(2026, 12, 1)},
        {"from": "pat", "to": "eve", "start": "soon", "end": date(2026, 12, 1)},
    ]
    found, problems = parse_delegations(raw, PERSONS)
    assert found == (Delegation("pat", "eve", date(2026, 12, 1), date(2026, 12, 14)),)
    assert problems == [
        "delegations[1]: to: 'nobody' is not a configured person ([people.<key>])",
        "delegations[2]: it ends before it starts",
        "delegations[3]: start and end must be dates (e.g. 2026-12-01)",
    ]
