"""Retention, subject access and erasure over the store (UK GDPR articles 5(1)(e), 15, 17).

- :func:`purge` applies the retention periods of :class:`~assistant.retention.Retention`.
- :func:`export_person` gathers everything kept about one person (all their identities).
- :func:`erase_person` removes them: what only served them is deleted; the approval records
  they appear in keep a tombstone (``erased:requester``, ``(erased)``) instead of the person,
  plus an audit line saying when. The audit trail stays append-only: the database lets an
  update through only when it puts such a tombstone in place (migration 0003).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import AssistantError
from assistant.messages import Identity
from assistant.retention import Retention
from assistant.storage.models import (
    STAGE_NAMES,
    AnswerRow,
    AuditEventRow,
    DecisionRow,
    DeliveryRow,
    DraftRow,
    EarlierQuestionRow,
    FeedbackRow,
    OutboxRow,
    PlatformRefRow,
    RequestRow,
)
from assistant.storage.request_repository import utcnow
from assistant.storage.subject_access import (
    ERASED,
    export_person,
    names_pattern,
    reference_of,
)
from assistant.workflow.stages import FINAL

ANONYMISED = "erased:anonymised"  # the requester of a request anonymised under retention
# Form fields that name people (the author, the line manager, administrators, moderators,
# the vetting member of staff); the rest describes the site.
PERSONAL_FIELDS = ("author", "line_manager", "administrators", "moderators", "vetting")
_DECIDED = tuple(status.value for status in FINAL)


class ErasureRefused(AssistantError):
    """The person still has a request in progress; erasing them would break its approval."""


@dataclass
class ErasureReport:
    """What an erasure changed, by kind, for the command's output."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def _rows(result: Any) -> int:
    return int(result.rowcount or 0)


def _tombstone_comment(comment: str) -> str:
    """An audit comment without its free text: ``line_manager: reason`` keeps the stage."""
    if not comment or comment in STAGE_NAMES or comment.endswith(ERASED):
        return comment
    stage, sep, _rest = comment.partition(": ")
    return f"{stage}: {ERASED}" if sep and stage in STAGE_NAMES else ERASED


def _forget_questions(session: Session, condition: Any) -> int:
    """Remove the text and asker of the answers matching ``condition``; their votes stay,
    with nobody attached (only the asker can vote, so one vote per answer)."""
    ids = list(session.scalars(select(AnswerRow.id).where(condition, AnswerRow.asker != "")))
    if not ids:
        return 0
    session.execute(update(FeedbackRow).where(FeedbackRow.answer_id.in_(ids)).values(identity=""))
    session.execute(update(AnswerRow).where(AnswerRow.id.in_(ids)).values(asker="", question=""))
    return len(ids)


class Privacy:
    """Retention and data-subject requests over one database."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.engine = engine
        self._sessions = sessions

    # ---- retention -------------------------------------------------------------------

    def purge(
        self, retention: Retention, *, followup: timedelta, now: datetime | None = None
    ) -> dict[str, int]:
        """Apply every retention period; returns how many rows of each kind were removed."""
        now = now or utcnow()
        done: dict[str, int] = {}
        with self._sessions.begin() as session:
            done["questions"] = _forget_questions(
                session, AnswerRow.at < now - retention.period("questions")
            )
            done["drafts"] = _rows(
                session.execute(
                    delete(DraftRow).where(DraftRow.updated_at < now - retention.period("drafts"))
                )
            )
            done["earlier questions"] = _rows(
                session.execute(
                    delete(EarlierQuestionRow).where(EarlierQuestionRow.asked_at < now - followup)
                )
            )
            done["delivery keys"] = _rows(
                session.execute(
                    delete(DeliveryRow).where(
                        DeliveryRow.seen_at < now - retention.period("deliveries")
                    )
                )
            )
            done["delivered messages"] = _rows(
                session.execute(
                    delete(OutboxRow).where(
                        OutboxRow.state != "pending",
                        OutboxRow.done_at < now - retention.period("deliveries"),
                    )
                )
            )
            done["Slack threads"] = _rows(
                session.execute(
                    delete(PlatformRefRow).where(
                        PlatformRefRow.kind == "slack_thread",
                        PlatformRefRow.updated_at < now - retention.period("threads"),
                    )
                )
            )
            old = session.scalars(
                select(RequestRow.id).where(
                    RequestRow.status.in_(_DECIDED),
                    RequestRow.updated_at < now - retention.period("requests"),
                    RequestRow.requester != ANONYMISED,
                )
            )
            requests = list(old)
            for request_id in requests:
                self._anonymise_request(session, request_id, retention, now)
            done["requests anonymised"] = len(requests)
        return done

    def _anonymise_request(
        self, session: Session, request_id: int, retention: Retention, now: datetime
    ) -> None:
        row = session.get(RequestRow, request_id)
        assert row is not None
        answers = json.loads(row.answers)
        for key in PERSONAL_FIELDS:
            if answers.get(key):
                answers[key] = ERASED
        row.requester, row.requester_name = ANONYMISED, ERASED
        row.answers = json.dumps(answers, sort_keys=True)
        for decision in session.scalars(
            select(DecisionRow).where(DecisionRow.request_id == request_id)
        ):
            decision.decided_by = f"erased:{decision.stage}"
            decision.decided_by_name = ERASED
            decision.reason = ERASED if decision.reason else ""
        for event in session.scalars(
            select(AuditEventRow).where(AuditEventRow.request_id == request_id)
        ):
            if event.actor != "assistant":
                event.actor = "erased:person"
            event.comment = _tombstone_comment(event.comment)
        session.execute(
            delete(PlatformRefRow).where(
                PlatformRefRow.kind == "post", PlatformRefRow.key.like(f"request:{request_id}:%")
            )
        )
        session.add(
            AuditEventRow(
                request_id=request_id,
                at=now,
                actor="assistant",
                event_type="anonymised",
                comment=f"people removed {retention.requests_years:g} years after the decision",
            )
        )

    def export_person(self, identities: Sequence[Identity], names: Iterable[str]) -> dict[str, Any]:
        """Everything kept about the person with these identities and names (article 15)."""
        return export_person(self._sessions, identities, names)

    # ---- erasure -------------------------------------------------------------------------

    def erase_person(
        self, identities: Sequence[Identity], names: Iterable[str], *, now: datetime | None = None
    ) -> ErasureReport:
        """Erase the person with these identities; ErasureRefused while a request they made,
        or a stage they decided, is still in progress (withdraw or finish it first)."""
        now = now or utcnow()
        keys = [str(i) for i in identities]
        report = ErasureReport()
        with self._sessions.begin() as session:
            self._refuse_if_in_progress(session, keys)
            names = (
                set(names)
                | set(
                    session.scalars(
                        select(RequestRow.requester_name).where(RequestRow.requester.in_(keys))
                    )
                )
                | set(
                    session.scalars(
                        select(DecisionRow.decided_by_name).where(DecisionRow.decided_by.in_(keys))
                    )
                )
            )
            pattern = names_pattern(names)
            report.add("questions", _forget_questions(session, AnswerRow.asker.in_(keys)))
            report.add(
                "drafts",
                _rows(session.execute(delete(DraftRow).where(DraftRow.identity.in_(keys)))),
            )
            report.add(
                "earlier questions",
                _rows(
                    session.execute(
                        delete(EarlierQuestionRow).where(EarlierQuestionRow.identity.in_(keys))
                    )
                ),
            )
            report.add(
                "platform references",
                _rows(
                    session.execute(delete(PlatformRefRow).where(reference_of(keys, identities)))
                ),
            )
            touched: dict[int, set[str]] = {}
            for row in session.scalars(select(RequestRow).where(RequestRow.requester.in_(keys))):
                row.requester, row.requester_name = "erased:requester", ERASED
                touched.setdefault(row.id, set()).add("requester")
            for decision in session.scalars(
                select(DecisionRow).where(DecisionRow.decided_by.in_(keys))
            ):
                decision.decided_by, decision.decided_by_name = f"erased:{decision.stage}", ERASED
                touched.setdefault(decision.request_id, set()).add(f"{decision.stage} approver")
            # Their names and identities, wherever a form gives them.
            for row in session.scalars(select(RequestRow)):
                redacted = _redact(json.loads(row.answers), pattern, set(keys))
                if json.dumps(redacted, sort_keys=True) != row.answers:
                    row.answers = json.dumps(redacted, sort_keys=True)
                    touched.setdefault(row.id, set()).add("person named on the form")
            report.add(
                "audit lines",
                _rows(
                    session.execute(
                        update(AuditEventRow)
                        .where(AuditEventRow.actor.in_(keys))
                        .values(actor="erased:person")
                    )
                ),
            )
            for request_id, roles in sorted(touched.items()):
                session.add(
                    AuditEventRow(
                        request_id=request_id,
                        at=now,
                        actor="assistant",
                        event_type="erased",
                        comment=f"{', '.join(sorted(roles))} erased on {now.date().isoformat()}",
                    )
                )
            report.add(
                "messages in the outbox",
                _rows(
                    session.execute(
                        delete(OutboxRow).where(
                            or_(
                                OutboxRow.target.in_(keys),
                                OutboxRow.request_id.in_(list(touched))
                                & (OutboxRow.state != "pending"),
                            )
                        )
                    )
                ),
            )
            report.add("requests", len(touched))
        return report

    @staticmethod
    def _refuse_if_in_progress(session: Session, keys: list[str]) -> None:
        pending = sorted(
            set(
                session.scalars(
                    select(RequestRow.id).where(
                        RequestRow.requester.in_(keys), RequestRow.status.not_in(_DECIDED)
                    )
                )
            )
            | set(
                session.scalars(
                    select(DecisionRow.request_id)
                    .join(RequestRow, RequestRow.id == DecisionRow.request_id)
                    .where(DecisionRow.decided_by.in_(keys), RequestRow.status.not_in(_DECIDED))
                )
            )
        )
        if pending:
            listed = ", ".join(f"#{n}" for n in pending)
            raise ErasureRefused(
                f"not erased: request(s) {listed} are still in progress and this person made "
                "them or decided a stage of them; withdraw or finish them first"
            )


def _redact(value: Any, pattern: re.Pattern[str] | None, identities: set[str]) -> Any:
    """``value`` (form answers) with the person's names and identities replaced."""
    if isinstance(value, str):
        if value in identities:
            return ERASED
        return pattern.sub(ERASED, value) if pattern is not None else value
    if isinstance(value, list):
        return [_redact(v, pattern, identities) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, pattern, identities) for k, v in value.items()}
    return value
