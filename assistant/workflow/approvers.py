"""Who may decide which stage of a request (policy A.3.2, A.3.4, A.3.5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.config import Settings
from assistant.messages import Identity
from assistant.storage.records import ApprovalRequest
from assistant.workflow.stages import Stage

LINE_MANAGER_FIELD = "line_manager"


def _normalise(name: str) -> str:
    return " ".join(name.casefold().split())


def named_line_manager(
    answers: Mapping[str, Any], settings: Settings, *, requester: Identity | None = None
) -> Identity | None:
    """The line manager named on the form when they are a known person, else None.

    A person is known by the identity the form stored, or by a name that matches exactly
    one display name in ``settings.people``. Naming oneself does not count.
    """
    person = answers.get(LINE_MANAGER_FIELD)
    if isinstance(person, list | tuple):  # the form keeps a person field as a one-item list
        person = person[0] if len(person) == 1 else None
    if isinstance(person, str):
        person = {"name": person, "identity": None}
    if not isinstance(person, Mapping):
        return None
    identity: Identity | None = None
    raw = person.get("identity")
    if isinstance(raw, str) and raw.strip():
        try:
            identity = Identity.parse(raw)
        except ValueError:
            identity = None
    name = person.get("name")
    if identity is None and isinstance(name, str) and name.strip():
        matches = [
            who for who, shown in settings.people.items() if _normalise(shown) == _normalise(name)
        ]
        identity = matches[0] if len(matches) == 1 else None
    if identity is not None and identity == requester:
        return None
    return identity


def approvers(request: ApprovalRequest, stage: Stage, settings: Settings) -> tuple[Identity, ...]:
    """Everyone who may decide ``stage`` of ``request`` (never the requester)."""
    if stage is Stage.LINE_MANAGER:
        named = named_line_manager(request.answers, settings, requester=request.requester)
        if named is not None:
            return (named,)
    return tuple(who for who in settings.members(stage.value) if who != request.requester)


def may_decide(request: ApprovalRequest, stage: Stage, who: Identity, settings: Settings) -> bool:
    """True when ``who`` may approve or reject ``stage`` of ``request``."""
    return who in approvers(request, stage, settings)


def display_name(who: Identity, settings: Settings, fallback: str = "") -> str:
    """The configured display name of ``who``, else ``fallback``, else the identity."""
    return settings.people.get(who) or fallback or str(who)
