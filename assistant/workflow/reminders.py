"""Reminders in school time, and escalation of a stage nobody decides.

A stage waiting ``reminder_days`` school days (weekends, bank holidays and days out of term
do not count) reminds its approvers, once a period, and only in school hours (UK time): the
hourly check outside them sends nothing and claims nothing, so the reminder goes at the next
opening. The reminder after ``escalation.after_reminders`` ones also tells the escalation
channel or people, once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from assistant.messages import Effect, Kind, Message, PostToChannel, SendDirect
from assistant.storage.records import ApprovalRequest
from assistant.texts import workflow as texts
from assistant.workflow import approvers as who_decides
from assistant.workflow.notices import anchor
from assistant.workflow.stages import Stage, current_stage

if TYPE_CHECKING:
    from assistant.workflow.service import ApprovalService


def due(service: ApprovalService, now: datetime) -> list[Effect]:
    """Every reminder and escalation due at ``now``, each claimed so it goes once."""
    settings = service.settings
    calendar = settings.school
    if not calendar.in_school_hours(now):
        return []
    every = max(1, round(settings.reminder_days))
    effects: list[Effect] = []
    for request in service.list_requests(status=None):
        stage = current_stage(request.status)
        if stage is None:
            continue
        if service.store.changes.open_send_back(request.id) is not None:
            continue  # with the requester for changes: nobody to remind
        decisions = service.store.decisions(request.id)
        # The wait starts at the submission, the last decision or a resubmission.
        since = max([request.created_at, request.updated_at, *(d.decided_at for d in decisions)])
        waited = calendar.school_days_between(since, now)
        period = waited // every
        if period < 1 or not service.store.claim_reminder(request.id, stage, period, at=now):
            continue
        effects += _remind(service, request, stage, period, waited)
        if period == settings.escalation.after_reminders + 1:
            effects += _escalate(service, request, stage, period - 1, waited)
    return effects


def _remind(
    service: ApprovalService, request: ApprovalRequest, stage: Stage, period: int, waited: int
) -> list[Effect]:
    text = texts.REMINDER.format(
        id=request.id,
        requester=request.requester_name,
        days=waited,
        stage=texts.STAGE_TITLES[stage.value],
    )
    message = Message(text=text, kind=Kind.NOTICE, facts=service.facts(request))
    channel = service.settings.channel(stage.value, request.platform)
    if channel:
        key = f"{anchor(request.id, stage)}:reminder:{period}"
        return [PostToChannel(request.platform, channel, message, key)]
    return [SendDirect(w, message) for w in service.reachable(request, stage)]


def _escalate(
    service: ApprovalService, request: ApprovalRequest, stage: Stage, reminders: int, waited: int
) -> list[Effect]:
    """Tell the configured escalation channel (or people) that a stage is stuck."""
    settings = service.settings
    deciders = ", ".join(
        who_decides.record_name(w, settings)
        for w in who_decides.approvers(request, stage, settings)
    )
    text = texts.ESCALATED.format(
        id=request.id,
        requester=request.requester_name,
        days=waited,
        stage=texts.STAGE_TITLES[stage.value],
        reminders=reminders,
        deciders=deciders or texts.NOBODY,
    )
    message = Message(text=text, kind=Kind.NOTICE, facts=service.facts(request))
    channel = settings.escalation.channels.get(request.platform)
    if channel:
        key = f"{anchor(request.id, stage)}:escalation"
        return [PostToChannel(request.platform, channel, message, key)]
    return [SendDirect(who, message) for who in settings.escalation.people]
