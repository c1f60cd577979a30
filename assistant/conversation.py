"""The core: routes each message or button press to policy answers, the form or approvals.

:class:`Assistant` implements :class:`assistant.core.Core`. It is synchronous and knows no
chat platform; adapters call :meth:`Assistant.handle` and render the effects it returns.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from assistant import drafts, form, routes
from assistant.channels import privately
from assistant.config import Settings
from assistant.errors import (
    AlreadySubmitted,
    AssistantError,
    InputError,
    NotFound,
    StorageError,
)
from assistant.hygiene import clean_incoming
from assistant.messages import (
    STATE_CHANGING_ACTIONS,
    Action,
    Button,
    Effect,
    Identity,
    Incoming,
    Kind,
    Message,
    PrivateReply,
    Reply,
    SendDirect,
)
from assistant.policy import followup
from assistant.policy.answer import PolicyAnswer
from assistant.routes import ASKS_THE_ANSWERER as ASKS
from assistant.routes import Route
from assistant.storage.store import Store
from assistant.texts import chat as texts
from assistant.texts import form as form_texts
from assistant.texts import policy as policy_texts
from assistant.texts import workflow as workflow_texts
from assistant.workflow import send_back
from assistant.workflow.notices import approval_message, request_facts
from assistant.workflow.service import ApprovalService
from assistant.workflow.stages import Stage, Status, current_stage, is_pending

log = logging.getLogger(__name__)

# The longest rejection reason kept (Slack's reason box allows the same); a longer one is
# refused with its length, not cut, so the approver can shorten it themselves.
MAX_REASON = 2000
_DECISION = re.compile(r"^\s*(\d+)\s*:\s*([a-z_]*)\s*$")


class Answers(Protocol):
    """Anything that answers a policy question (PolicyAnswerer, BatchingAnswerer)."""

    def answer(self, question: str) -> PolicyAnswer: ...

    def answer_many(self, questions: Sequence[str]) -> list[PolicyAnswer]: ...


def _reply(text: str, kind: Kind = Kind.NOTICE) -> Reply:
    return Reply(Message(text=text, kind=kind))


def _private(text: str, kind: Kind = Kind.NOTICE) -> PrivateReply:
    return PrivateReply(Message(text=text, kind=kind))


class Assistant:
    """The assistant's one entry point for every adapter (see :class:`assistant.core.Core`)."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        answerer: Answers,
        approvals: ApprovalService,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.settings = settings
        self.store = store
        self.answerer = answerer
        self.approvals = approvals
        self.today = today

    # ---- Core ---------------------------------------------------------------------------

    def handle(self, incoming: Incoming) -> list[Effect]:
        """Handle one message or action; staff get a friendly sentence, never a traceback."""
        incoming = clean_incoming(incoming)
        effects = self._handle(incoming)
        return effects if incoming.direct else privately(incoming.user, effects)

    def _handle(self, incoming: Incoming) -> list[Effect]:
        try:
            if incoming.action is not None:
                return self._on_action(incoming)
            return self._on_text(incoming)
        except (StorageError, SQLAlchemyError) as exc:
            # No message or traceback: a database's error text can quote the row it refused.
            cause = exc.__cause__ or exc.__context__ or exc
            log.error(
                "the database failed handling a message from %s: %s (%s)",
                incoming.user,
                type(exc).__name__,
                type(cause).__name__,
            )
            return [_reply(texts.STORAGE_FAILED, Kind.ERROR)]
        except AssistantError as exc:
            log.info("could not handle a message from a %s user: %s", incoming.user.platform, exc)
            return [_reply(exc.user_message, Kind.ERROR)]
        except Exception:
            log.exception("handling a message from a %s user failed", incoming.user.platform)
            return [_reply(texts.SOMETHING_WENT_WRONG, Kind.ERROR)]

    def first_delivery(self, key: str) -> bool:
        return self.store.first_delivery(key)

    def remember(self, kind: str, key: str, value: Mapping[str, Any]) -> None:
        self.store.remember(kind, key, value)

    def recall(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.store.recall(kind, key)

    def due_reminders(self) -> list[Effect]:
        return self.approvals.due_reminders()

    def purge(self) -> list[Effect]:
        """Apply the retention periods (daily, from the server); logs counts, never content."""
        done = self.store.privacy.purge(
            self.settings.retention, followup=timedelta(minutes=self.settings.followup_minutes)
        )
        log.info("retention purge: %s", ", ".join(f"{k} {n}" for k, n in done.items()))
        return []

    def ready(self) -> bool:
        try:
            self.store.recall("health", "check")
        except Exception:
            log.exception("database is not ready")
            return False
        return True

    def whole_form(self, user: Identity) -> tuple[form.WholeField, ...]:
        """The whole-form dialog's fields, each filled in from ``user``'s draft if any."""
        state = self._draft(user)
        return form.whole_fields(state.answers if state is not None else None)

    def home(self, user: Identity) -> list[Message]:
        """ "My requests" with each one's status, and what waits for this person's decision."""
        mine = self.approvals.list_requests(requester=user)
        back = {
            r.id for r in mine if is_pending(r.status) and self.store.changes.open_send_back(r.id)
        }
        rows = tuple(
            (
                workflow_texts.REQUEST_REF.format(id=r.id) + " " + _title(r.answers),
                workflow_texts.SENT_BACK_STATUS
                if r.id in back
                else workflow_texts.STATUS_NAMES[r.status.value],
            )
            for r in reversed(mine)
        )
        revise = tuple(
            Button(workflow_texts.BUTTON_REVISE.format(id=n), Action.FORM_REVISE, str(n))
            for n in sorted(back, reverse=True)
        )
        withdraw = revise + tuple(
            Button(f"Withdraw #{r.id}", Action.WITHDRAW, str(r.id))
            if is_pending(r.status)
            else Button(texts.DOWNLOAD_BUTTON.format(id=r.id), Action.DOWNLOAD, str(r.id))
            for r in reversed(mine)
            if is_pending(r.status) or r.status is Status.APPROVED
        )
        messages = [
            Message(
                text=texts.MY_REQUESTS if mine else texts.NO_REQUESTS,
                facts=rows,
                buttons=withdraw,
            )
        ]
        waiting = self.approvals.pending_for(user)
        messages.append(Message(text=texts.WAITING_FOR_ME if waiting else texts.NOTHING_WAITING))
        for request in waiting:
            stage = current_stage(request.status)
            assert stage is not None  # pending_for returns pending requests only
            facts = request_facts(request, self.approvals.summary(request))
            messages.append(approval_message(request, stage, facts))
        return messages

    # ---- text ---------------------------------------------------------------------------

    def needs_answerer(self, incoming: Incoming) -> bool:
        """Whether handling ``incoming`` waits for the answerer: adapters run those apart."""
        try:
            return incoming.action is None and self._route(clean_incoming(incoming))[0] in ASKS
        except Exception:  # noqa: BLE001 - handle() reports it; either lane is safe
            return False

    def _route(self, incoming: Incoming) -> tuple[Route, form.FormState | None]:
        state, user = self._draft(incoming.user), incoming.user
        text = incoming.text.strip()
        has = lambda: self._has_requests(user)  # noqa: E731
        return routes.route(text, state, direct=incoming.direct, has_requests=has), state

    def _on_text(self, incoming: Incoming) -> list[Effect]:
        route, state = self._route(incoming)
        if route is Route.QUESTION:
            return self._answer(incoming)
        if route is Route.START_FORM:
            return self._start_form(incoming)
        if route is Route.HOME:
            return [Reply(m) for m in self.home(incoming.user)]
        if state is None:
            return [_reply(routes.REPLIES[route])]
        if route is Route.FORM_STEP:
            return self._form_step(state, incoming)
        if route is Route.NO_WHOLE_FORM:
            return self._no_whole_form_here(state)
        resume: list[Effect] = [_reply(routes.REPLIES[route]), Reply(form.current_question(state))]
        return self._answer(incoming) + resume if route is Route.QUESTION_MID_FORM else resume

    def _answer(self, incoming: Incoming) -> list[Effect]:
        keep = timedelta(minutes=self.settings.followup_minutes)
        conversation = incoming.conversation if keep else ""
        earlier = (
            self.store.load_earlier(incoming.user, conversation, keep=keep)
            if conversation
            else None
        )
        reading = followup.read(incoming.text, earlier)
        if reading.fresh and conversation:
            self.store.forget_earlier(incoming.user, conversation)
        if reading.fresh and not reading.asked:
            return [_reply(policy_texts.NEW_QUESTION_READY)]
        queries = followup.queries(reading)
        answers = (
            self.answerer.answer_many(queries)
            if len(queries) > 1
            else [self.answerer.answer(queries[0])]
        )
        answer, with_earlier = followup.settle(reading, answers)
        message = answer.message()
        if answer.problem:
            return [Reply(message)]
        if conversation:
            # While follow-ups lean on it, the earlier question stays the topic.
            topic = earlier if with_earlier and earlier else reading.asked
            self.store.save_earlier(incoming.user, conversation, topic, keep=keep)
        if with_earlier and earlier:
            lead = policy_texts.READ_WITH_EARLIER.format(earlier=followup.topic(earlier))
            message = replace(message, text=f"{lead}\n{message.text}")
        answer_id = self.store.record_answer(
            incoming.user,
            reading.asked,
            [c.clause_id for c in answer.citations],
            answer.answered,
        )
        buttons = (
            Button("Helpful", Action.HELPFUL, str(answer_id)),
            Button("Not helpful", Action.NOT_HELPFUL, str(answer_id)),
        )
        return [Reply(replace(message, buttons=buttons))]

    # ---- the form -----------------------------------------------------------------------

    def _draft(self, user: Identity) -> form.FormState | None:
        saved = self.store.load_draft(user)
        if saved is None:
            return None
        try:
            return form.FormState.from_json(saved)
        except InputError:
            log.warning("a form draft could not be read; starting it afresh")
            return form.FormState()

    def _start_form(self, incoming: Incoming) -> list[Effect]:
        state, messages = form.start_form(today=self.today())
        self.store.save_draft(incoming.user, state.to_json())
        return [Reply(m) for m in messages]

    def _form_step(self, state: form.FormState, incoming: Incoming) -> list[Effect]:
        result = form.step(state, incoming, today=self.today())
        effects: list[Effect] = [Reply(m) for m in result.messages]
        event = result.event
        if event is None:
            drafts.save(self.store, incoming.user, result.state)
            return effects
        if event.kind is form.EventKind.SUBMITTED:
            if not incoming.verified:
                return [_private(texts.UNVERIFIED)]  # the draft stays at its review
            # The draft goes in the request's own transaction: a second Submit finds none.
            try:
                revising = drafts.revising_of(self.store, incoming.user)
                if revising is not None:
                    return effects + send_back.resubmit(
                        self.approvals,
                        incoming.user,
                        revising,
                        dict(event.answers),
                        from_draft=True,
                    )
                return effects + self.approvals.submit(
                    incoming.user,
                    self._name(incoming),
                    dict(event.answers),
                    platform=incoming.user.platform,
                    from_draft=True,
                )
            except AlreadySubmitted:
                return [_private(texts.ALREADY_SUBMITTED)]
        self.store.delete_draft(incoming.user)
        return effects

    def _whole_form(self, incoming: Incoming) -> list[Effect]:
        """Every field at once: errors per field (nothing saved), or the form's review."""
        checked = form.check_whole(
            dict(incoming.fields),
            me=incoming.user,
            my_name=incoming.display_name,
            today=self.today(),
        )
        if not checked.ok:
            return [Reply(form.errors_message(checked.errors))]
        state, messages = form.review_whole(checked.answers)
        drafts.save(self.store, incoming.user, state)
        return [Reply(m) for m in messages]

    def _no_whole_form_here(self, state: form.FormState | None) -> list[Effect]:
        """An adapter without dialogs sent the "whole form" button on: one question at a time."""
        effects: list[Effect] = [_reply(form_texts.WHOLE_FORM_NOT_HERE)]
        if state is not None:
            effects.append(Reply(form.current_question(state)))
        return effects

    # ---- buttons ------------------------------------------------------------------------

    def _on_action(self, incoming: Incoming) -> list[Effect]:
        action = incoming.action
        if not incoming.verified and action in STATE_CHANGING_ACTIONS:
            return [_private(texts.UNVERIFIED)]
        if action in (Action.APPROVE, Action.REJECT, Action.SEND_BACK):
            return self._decide(incoming, action)
        if action is Action.FORM_REVISE:
            return self._revise(incoming)
        if action is Action.WITHDRAW:
            try:
                request_id = int(incoming.value.split(":", 1)[0])
            except ValueError:
                return [_private(texts.UNKNOWN_ACTION, Kind.ERROR)]
            return self.approvals.withdraw(request_id, incoming.user)
        if action is Action.DOWNLOAD:
            return self._download(incoming)
        if action in (Action.HELPFUL, Action.NOT_HELPFUL):
            return self._feedback(incoming, helpful=action is Action.HELPFUL)
        if action is Action.FORM_WHOLE:
            return self._whole_form(incoming)
        state = self._draft(incoming.user)
        if action is Action.FORM_WHOLE_OPEN:
            return self._no_whole_form_here(state)
        if action is Action.FORM_START:
            if state is not None:
                return [_reply(texts.RESUMING_FORM), Reply(form.current_question(state))]
            return self._start_form(incoming)
        if state is None:
            if action is Action.FORM_SUBMIT and self._has_requests(incoming.user):
                return [_private(texts.ALREADY_SUBMITTED)]
            return [_private(texts.NO_FORM)]
        return self._form_step(state, incoming)

    def _revise(self, incoming: Incoming) -> list[Effect]:
        """ "Edit and resubmit": the sent-back request's answers, at the form's review."""
        try:
            request_id = int(incoming.value.split(":", 1)[0])
        except ValueError:
            return [_private(texts.UNKNOWN_ACTION, Kind.ERROR)]
        if self.store.load_draft(incoming.user) is not None and (
            drafts.revising_of(self.store, incoming.user) != request_id
        ):
            return [_private(texts.FINISH_OTHER_FORM)]
        state, messages = send_back.revision(self.approvals, incoming.user, request_id)
        if state is None:
            return [PrivateReply(m) for m in messages]
        drafts.save(self.store, incoming.user, state, revising=request_id)
        return [Reply(m) for m in messages]

    def _has_requests(self, user: Identity) -> bool:
        return bool(self.approvals.list_requests(requester=user))

    def _decide(self, incoming: Incoming, action: Action) -> list[Effect]:
        match = _DECISION.match(incoming.value)
        if match is None:
            return [_private(texts.UNKNOWN_ACTION, Kind.ERROR)]
        request_id, stage_name = int(match[1]), match[2]
        if len(incoming.text.strip()) > MAX_REASON:
            too_long = workflow_texts.REASON_TOO_LONG.format(
                length=len(incoming.text.strip()), limit=MAX_REASON
            )
            return [_private(too_long, Kind.ERROR)]
        if not stage_name:
            # A typed "/approve 12": the stage waiting now.
            try:
                stage = current_stage(self.approvals.get(request_id).status) or Stage.LINE_MANAGER
            except NotFound:
                return [_private(workflow_texts.NO_SUCH_REQUEST.format(id=request_id))]
            stage_name = stage.value
        if action is Action.SEND_BACK:
            return send_back.send_back(
                self.approvals, request_id, stage_name, incoming.user, incoming.text
            )
        return self.approvals.decide(
            request_id,
            stage_name,
            incoming.user,
            self._name(incoming),
            action is Action.APPROVE,
            reason=incoming.text,
        )

    def _download(self, incoming: Incoming) -> list[Effect]:
        """Send the request's Appendix B to its requester or one of its deciders, privately."""
        try:
            request = self.approvals.get(int(incoming.value.split(":", 1)[0]))
        except (ValueError, NotFound):
            return [_private(texts.UNKNOWN_ACTION, Kind.ERROR)]
        if not self.approvals.may_see(request, incoming.user):
            return [_private(texts.DOWNLOAD_NOT_YOURS.format(id=request.id), Kind.ERROR)]
        message = Message(
            text=texts.DOWNLOAD_SENT.format(id=request.id),
            attachment=self.approvals.appendix_b(request.id),
        )
        return [SendDirect(incoming.user, message)]

    def _feedback(self, incoming: Incoming, *, helpful: bool) -> list[Effect]:
        value = incoming.value.strip()
        try:
            if not value.isdigit() or not value.isascii():
                raise NotFound(f"not an answer id: {value[:20]!r}")
            self.store.record_feedback(int(value), incoming.user, helpful)
        except NotFound:
            return [_private(texts.FEEDBACK_UNKNOWN)]
        return [_private(texts.FEEDBACK_THANKS)]

    def _name(self, incoming: Incoming) -> str:
        return (
            self.settings.people.get(incoming.user)
            or incoming.display_name
            or incoming.user.user_id
        )


def _title(answers: Mapping[str, Any]) -> str:
    """A short name for a request: its department and the start of its aims."""
    department = str(answers.get("department") or "").strip()
    aims = str(answers.get("aims") or "").strip()
    short = aims if len(aims) <= 60 else aims[:57].rstrip() + "..."
    return " \u2014 ".join(part for part in (department, short) if part)
