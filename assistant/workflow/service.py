"""The approval workflow: submit, decide, withdraw and remind, returning effects to send.

The service is synchronous and platform-free: it stores through the :class:`Store` and
answers with :mod:`assistant.messages` effects that the adapters render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from assistant.config import Settings
from assistant.errors import AlreadyDecided, IllegalTransition, NotFound
from assistant.messages import (
    Attachment,
    Effect,
    Identity,
    Kind,
    Message,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)
from assistant.storage.records import ApprovalRequest, AuditEvent, Decision
from assistant.storage.request_repository import utcnow
from assistant.storage.store import Store
from assistant.texts import workflow as texts
from assistant.uktime import uk
from assistant.workflow import approvers as who_decides
from assistant.workflow import notices, reminders
from assistant.workflow.appendix_docx import render_docx
from assistant.workflow.export import audit_reference, register_csv, render_markdown
from assistant.workflow.notices import anchor, parse_decision_value
from assistant.workflow.stages import (
    Event,
    Stage,
    Status,
    current_stage,
    is_pending,
    next_stage,
    next_status,
)

Rows = list[tuple[str, str]]
log = logging.getLogger(__name__)
__all__ = ["ApprovalService", "anchor", "default_summary", "parse_decision_value"]


def default_summary(answers: dict[str, Any]) -> Rows:
    """The form's summary rows; plain key/value rows if the form cannot read these answers."""
    try:
        from assistant.form.summary import summary_rows

        return list(summary_rows(answers))
    except (ImportError, KeyError, TypeError, ValueError, AttributeError):
        # A request stored by an older form must still be shown and decided.
        log.warning("summary rows fell back to plain answers", exc_info=True)
        return [(str(key), str(value)) for key, value in answers.items()]


def _private(text: str) -> list[Effect]:
    return [PrivateReply(Message(text=text, kind=Kind.ERROR))]


class ApprovalService:
    """The three-stage approval of site-creation requests (Appendix B)."""

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        summarise: Callable[[dict[str, Any]], Rows] = default_summary,
    ) -> None:
        self.store = store
        self._settings = settings
        self.clock = clock
        self.summarise = summarise

    # ---- actions ----------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings, with the delegations (configured and made by command) that cover
        today in UK time, so that every rule of who decides sees today's stand-ins."""
        today = uk(self.clock()).date()
        configured = [d for d in self._settings.delegations if d.covers(today)]
        made = self.store.delegations.current(today)
        active = tuple(configured + made)
        if active == self._settings.delegations:
            return self._settings
        return replace(self._settings, delegations=active)

    def submit(
        self,
        requester: Identity,
        requester_name: str,
        answers: dict[str, Any],
        *,
        platform: str,
        from_draft: bool = False,
    ) -> list[Effect]:
        """Store a request, confirm it to the requester and ask the line manager stage.

        ``from_draft``: consume the requester's draft with it (AlreadySubmitted if gone).
        """
        request = self.store.create_request(
            requester=requester,
            requester_name=requester_name,
            answers=answers,
            platform=platform,
            at=self.clock(),
            from_draft=from_draft,
        )
        stage = Stage.LINE_MANAGER
        confirm = texts.SUBMITTED.format(
            name=requester_name, id=request.id, stage=texts.STAGE_TITLES[stage.value]
        )
        effects: list[Effect] = [Reply(Message(text=confirm, kind=Kind.NOTICE))]
        posts, notice = self.ask_stage(request, stage)
        if notice:
            effects.append(Reply(Message(text=notice, kind=Kind.NOTICE)))
        said = None if self._reachable(request, stage) else stage  # its notice said so already
        return effects + self._three_people_check(request, skip=said) + posts

    def _three_people_check(self, request: ApprovalRequest, *, skip: Stage | None) -> list[Effect]:
        """Tell the requester and the role's holders now when some stage can never be decided
        by a third different person (``skip``: a stage already reported by its own notice)."""
        settings = self.settings
        missing = [s for s in who_decides.unfillable(request, settings) if s is not skip]
        if not missing:
            return []
        stages = " and ".join(texts.STAGE_TITLES[s.value] for s in missing)
        told: list[Effect] = [
            Reply(
                Message(
                    text=texts.THREE_PEOPLE_MISSING.format(id=request.id, stages=stages),
                    kind=Kind.NOTICE,
                )
            )
        ]
        directory = settings.directory
        requester = directory.person(request.requester)
        members = {p.key: p for s in missing for p in directory.role(s.value)}
        text = texts.THREE_PEOPLE_MISSING_MEMBERS.format(
            id=request.id, requester=request.requester_name, stages=stages
        )
        for person in members.values():
            if person.key == requester.key:
                continue
            for identity in person.on(request.platform)[:1]:
                told.append(SendDirect(identity, Message(text=text, kind=Kind.NOTICE)))
        return told

    def decidable_by(
        self, request_id: int, stage: Stage | str, decider: Identity
    ) -> tuple[ApprovalRequest, Stage] | list[Effect]:
        """The request and stage ``decider`` may decide now, or the private reply saying why
        not (no such request, not theirs, or not waiting for that stage)."""
        try:
            request = self.store.get_request(request_id)
            stage = Stage(stage)
        except (NotFound, ValueError):
            return _private(texts.NO_SUCH_REQUEST.format(id=request_id))
        refusal = self.why_not_decider(request, stage, decider) or self.why_not_decidable(
            request, stage
        )
        return _private(refusal) if refusal else (request, stage)

    def decide(
        self,
        request_id: int,
        stage: Stage | str,
        decider: Identity,
        decider_name: str,
        approve: bool,
        reason: str = "",
    ) -> list[Effect]:
        """Approve or reject one stage; the first decision wins, everyone else is told why not.

        ``decider_name`` (what the platform calls the decider) is not recorded: records carry
        the configured name and the identity.
        """
        checked = self.decidable_by(request_id, stage, decider)
        if isinstance(checked, list):
            return checked
        request, stage = checked
        reason = reason.strip()
        if not approve and not reason:
            return _private(
                texts.REASON_NEEDED.format(id=request.id, requester=request.requester_name)
            )
        # The record carries the configured name, never one the decider chose for themselves.
        name = who_decides.record_name(decider, self.settings, request, stage)
        new_status = next_status(request.status, Event.APPROVE if approve else Event.REJECT)
        try:
            decision = self.store.record_decision(
                request,
                stage,
                new_status,
                approved=approve,
                decided_by=decider,
                decided_by_name=name,
                reason=reason,
                at=self.clock(),
            )
        except AlreadyDecided:
            return _private(self.why_not_decidable(request, stage, fresh=True))
        except IllegalTransition:
            return _private(self.why_not_decidable(request, stage, fresh=True))
        return self._after_decision(self.store.get_request(request.id), decision)

    def withdraw(self, request_id: int, who: Identity) -> list[Effect]:
        """Withdraw a pending request; only its requester may."""
        try:
            request = self.store.get_request(request_id)
        except NotFound:
            return _private(texts.NO_SUCH_REQUEST.format(id=request_id))
        if not self.settings.directory.same(who, request.requester):
            return _private(texts.WITHDRAW_NOT_YOURS.format(id=request.id))
        stage = current_stage(request.status)
        status_name = texts.STATUS_NAMES[request.status.value]
        if stage is None:
            return _private(texts.WITHDRAW_FINISHED.format(id=request.id, status=status_name))
        at = self.clock()
        try:
            self.store.change_status(
                request,
                next_status(request.status, Event.WITHDRAW),
                actor=who,
                event_type="withdrawn",
                comment=stage.value,
                at=at,
            )
        except IllegalTransition:
            current = self.store.get_request(request.id)
            status_name = texts.STATUS_NAMES[current.status.value]
            return _private(texts.WITHDRAW_FINISHED.format(id=request.id, status=status_name))
        closed = texts.DECIDED_WITHDRAWN.format(name=request.requester_name, when=texts.when(at))
        return [
            UpdatePost(
                anchor(request.id, stage), notices.closed_message(closed, self._facts(request))
            ),
            Reply(Message(text=texts.WITHDRAWN.format(id=request.id), kind=Kind.NOTICE)),
        ]

    def due_reminders(self, now: datetime | None = None) -> list[Effect]:
        """Reminders and escalations due now (see :mod:`assistant.workflow.reminders`)."""
        return reminders.due(self, now or self.clock())

    # ---- queries ----------------------------------------------------------------------

    def get(self, request_id: int) -> ApprovalRequest:
        """The request with this id; raises NotFound."""
        return self.store.get_request(request_id)

    def list_requests(
        self, requester: Identity | None = None, status: Status | None = None
    ) -> list[ApprovalRequest]:
        """Requests, oldest first, optionally of one requester (any of their identities)
        and/or one status."""
        statuses = None if status is None else [status]
        if requester is None:
            return self.store.find_requests(statuses=statuses)
        found = {
            r.id: r
            for identity in self.settings.directory.person(requester).identities
            for r in self.store.find_requests(requester=identity, statuses=statuses)
        }
        return [found[i] for i in sorted(found)]

    def pending_for(self, identity: Identity) -> list[ApprovalRequest]:
        """Requests whose current stage ``identity`` may decide."""
        settings = self.settings  # once, not once per request
        waiting: list[ApprovalRequest] = []
        for request in self.store.find_requests():
            stage = current_stage(request.status)
            if stage is None:
                continue
            decisions = self.store.decisions(request.id)
            if who_decides.may_decide(request, stage, identity, settings, decisions):
                waiting.append(request)
        return waiting

    def may_see(self, request: ApprovalRequest, who: Identity) -> bool:
        """True for the requester, anyone who decided a stage, and whoever may decide the
        stage waiting now: the people a request's full answers are for (compared as people)."""
        settings = self.settings
        directory = settings.directory
        decisions = self.store.decisions(request.id)
        if any(
            directory.same(who, i) for i in (request.requester, *(d.decided_by for d in decisions))
        ):
            return True
        stage = current_stage(request.status)
        return stage is not None and who_decides.may_decide(
            request, stage, who, settings, decisions
        )

    def decisions(self, request_id: int) -> list[Decision]:
        """The decisions on a request, in stage order."""
        return self.store.decisions(request_id)

    def audit(self, request_id: int) -> list[AuditEvent]:
        """The audit trail of a request, oldest first."""
        return self.store.audit(request_id)

    def summary(self, request: ApprovalRequest) -> Rows:
        """The request's answers as label/value rows."""
        return self.summarise(request.answers)

    def export_markdown(self, request_id: int) -> str:
        """The request as Markdown laid out like Appendix B."""
        request = self.get(request_id)
        return render_markdown(request, self.decisions(request.id), self.summary(request))

    def reference(self, request: ApprovalRequest) -> str:
        """The request's audit reference (see :func:`audit_reference`)."""
        return audit_reference(request, self.decisions(request.id), self.audit(request.id))

    def export_docx(self, request_id: int) -> bytes:
        """The request as a Word document laid out like Appendix B."""
        request = self.get(request_id)
        return render_docx(
            request,
            self.decisions(request.id),
            self.summary(request),
            reference=self.reference(request),
            generated=self.clock(),
        )

    def appendix_b(self, request_id: int) -> Attachment:
        """The request's Word document as a file to send."""
        return Attachment(
            filename=texts.EXPORT_FILENAME.format(id=request_id),
            title=texts.EXPORT_FILE_TITLE.format(id=request_id),
            content=self.export_docx(request_id),
        )

    def export_csv(self) -> str:
        """Every request as a CSV register, oldest first."""
        return register_csv(
            (r, self.decisions(r.id), self.summary(r), self.reference(r))
            for r in self.list_requests()
        )

    # ---- the messages -----------------------------------------------------------------

    def facts(self, request: ApprovalRequest) -> notices.Facts:
        """The request's id, requester, date and answers, as shown with its messages."""
        return self._facts(request)

    def reachable(self, request: ApprovalRequest, stage: Stage) -> list[Identity]:
        """The approvers of ``stage`` on the request's platform."""
        return self._reachable(request, stage)

    def _facts(self, request: ApprovalRequest) -> notices.Facts:
        return notices.request_facts(request, self.summary(request))

    def _reachable(self, request: ApprovalRequest, stage: Stage) -> list[Identity]:
        decisions = self.store.decisions(request.id)
        everyone = who_decides.approvers(request, stage, self.settings, decisions)
        return [w for w in everyone if w.platform == request.platform]

    def why_not_decider(self, request: ApprovalRequest, stage: Stage, decider: Identity) -> str:
        """Why ``decider`` may not decide ``stage`` of ``request``, or "" if they may."""
        decisions = self.store.decisions(request.id)
        return who_decides.refusal(request, stage, decider, self.settings, decisions)

    def ask_stage(self, request: ApprovalRequest, stage: Stage) -> tuple[list[Effect], str]:
        """Effects asking ``stage`` to decide, and a notice for the requester if any."""
        settings = self.settings  # today's delegations: one look-up for the whole post
        message = notices.approval_message(request, stage, self._facts(request))
        channel = settings.channel(stage.value, request.platform)
        reachable = self._reachable(request, stage)
        title = texts.STAGE_TITLES[stage.value]
        if not reachable:
            # Posting still shows the request, but nobody could decide it: say so now.
            directory = settings.directory
            only_you = directory.holds(stage.value, directory.person(request.requester))
            missing = texts.ONLY_YOU if only_you else texts.NO_APPROVER
            notice = missing.format(stage=title, id=request.id)
        else:
            notice = "" if channel else texts.NO_CHANNEL.format(stage=title, id=request.id)
        if channel:
            effects: list[Effect] = [
                PostToChannel(request.platform, channel, message, anchor(request.id, stage))
            ]
            one = who_decides.line_manager_person(request, settings)
            direct = {p.key: p for p in who_decides.delegates_of(request, stage, settings)}
            if stage is Stage.LINE_MANAGER and one is not None:
                direct[one.key] = one
            # The request's own line manager, and anyone standing in for an absent approver,
            # may not be in the channel: ask them directly.
            mine = {i for p in direct.values() for i in p.identities}
            effects += [SendDirect(w, message) for w in reachable if w in mine]
            return effects, notice
        return [SendDirect(w, message) for w in reachable], notice

    def why_not_decidable(
        self, request: ApprovalRequest, stage: Stage, *, fresh: bool = False
    ) -> str:
        """Why ``stage`` of ``request`` cannot be decided now, or "" if it can."""
        if fresh:
            request = self.store.get_request(request.id)
        earlier = self.store.decision(request.id, stage)
        if earlier is not None:
            return texts.ALREADY_DECIDED.format(
                id=request.id,
                decision=texts.VERDICTS[earlier.approved],
                stage=texts.STAGE_TITLES[stage.value],
                name=earlier.decided_by_name,
                when=texts.when(earlier.decided_at),
            )
        sent = self.store.changes.open_send_back(request.id)
        if sent is not None and is_pending(request.status):
            return texts.SENT_BACK_WAITING.format(
                id=request.id,
                name=sent.by_name,
                when=texts.when(sent.at),
                requester=request.requester_name,
            )
        status = texts.STATUS_NAMES[request.status.value]
        if not is_pending(request.status):
            return texts.FINISHED.format(id=request.id, status=status)
        if current_stage(request.status) is not stage:
            return texts.NOT_THIS_STAGE.format(
                id=request.id, stage=texts.STAGE_TITLES[stage.value], status=status
            )
        return ""

    def _after_decision(self, request: ApprovalRequest, decision: Decision) -> list[Effect]:
        stage = decision.stage
        title = texts.STAGE_TITLES[stage.value]
        closed = notices.decided_text(decision)
        effects: list[Effect] = [
            UpdatePost(
                anchor(request.id, stage), notices.closed_message(closed, self._facts(request))
            )
        ]
        following = next_stage(stage) if decision.approved else None
        if not decision.approved:
            text = texts.STAGE_REJECTED.format(
                id=request.id, stage=title, name=decision.decided_by_name, reason=decision.reason
            )
            effects.append(SendDirect(request.requester, Message(text=text, kind=Kind.NOTICE)))
        elif following is None:
            record = notices.approved_record(
                request, self.store.decisions(request.id), self._facts(request)
            )
            document = self.appendix_b(request.id)
            effects.append(SendDirect(request.requester, replace(record, attachment=document)))
            confirmed = texts.PRINCIPAL_CONFIRMED.format(
                id=request.id, requester=request.requester_name
            )
            effects.append(
                SendDirect(decision.decided_by, Message(text=confirmed, attachment=document))
            )
        else:
            text = texts.STAGE_APPROVED.format(
                name=decision.decided_by_name,
                id=request.id,
                stage=title,
                next=texts.STAGE_TITLES[following.value],
            )
            effects.append(SendDirect(request.requester, Message(text=text, kind=Kind.NOTICE)))
            posts, notice = self.ask_stage(request, following)
            if notice:
                effects.append(SendDirect(request.requester, Message(text=notice)))
            effects += posts
        return effects
