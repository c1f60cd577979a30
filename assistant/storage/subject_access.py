"""Subject access (UK GDPR article 15): everything kept about one person, as JSON data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.messages import Identity
from assistant.storage.models import (
    AnswerRow,
    AuditEventRow,
    DecisionRow,
    DraftRow,
    EarlierQuestionRow,
    FeedbackRow,
    PlatformRefRow,
    RequestRow,
)

ERASED = "(erased)"  # what stands in a record where an erased person was


def export_person(
    engine_sessions: sessionmaker[Session], identities: Sequence[Identity], names: Iterable[str]
) -> dict[str, Any]:
    """Everything kept about the person with these identities and names, as JSON data."""
    keys = [str(i) for i in identities]
    pattern = names_pattern(names)
    with engine_sessions() as session:
        votes = {
            (v.answer_id): v.helpful
            for v in session.scalars(select(FeedbackRow).where(FeedbackRow.identity.in_(keys)))
        }
        questions = [
            {
                "asked_by": a.asker,
                "at": a.at.isoformat(),
                "question": a.question,
                "clauses_quoted": json.loads(a.clause_ids),
                "answered": a.answered,
                "helpful": votes.get(a.id),
            }
            for a in session.scalars(
                select(AnswerRow).where(AnswerRow.asker.in_(keys)).order_by(AnswerRow.id)
            )
        ]
        earlier = [
            {"identity": e.identity, "conversation": e.conversation, "question": e.question}
            for e in session.scalars(
                select(EarlierQuestionRow).where(EarlierQuestionRow.identity.in_(keys))
            )
        ]
        drafts = [
            {"identity": d.identity, "updated_at": d.updated_at.isoformat(), "form": d.state}
            for d in session.scalars(select(DraftRow).where(DraftRow.identity.in_(keys)))
        ]
        made = list(
            session.scalars(
                select(RequestRow).where(RequestRow.requester.in_(keys)).order_by(RequestRow.id)
            )
        )
        decided = list(
            session.scalars(
                select(DecisionRow)
                .where(DecisionRow.decided_by.in_(keys))
                .order_by(DecisionRow.request_id)
            )
        )
        quoted = [json.dumps(k) for k in keys]  # an identity as the form's JSON holds it
        named = [
            r.id
            for r in session.scalars(select(RequestRow).order_by(RequestRow.id))
            if r.id not in {m.id for m in made}
            and (
                (pattern is not None and pattern.search(r.answers))
                or any(q in r.answers for q in quoted)
            )
        ]
        references = [
            {"kind": r.kind, "key": r.key, "updated_at": r.updated_at.isoformat()}
            for r in session.scalars(select(PlatformRefRow).where(reference_of(keys, identities)))
        ]
        return {
            "identities": keys,
            "questions": questions,
            "earlier_questions": earlier,
            "drafts": drafts,
            "requests_made": [_request_data(session, r) for r in made],
            "decisions_given": [
                {
                    "request": d.request_id,
                    "stage": d.stage,
                    "decision": d.decision,
                    "name_recorded": d.decided_by_name,
                    "reason": d.reason,
                    "at": d.decided_at.isoformat(),
                }
                for d in decided
            ],
            "named_on_requests": named,
            "platform_references": references,
        }


def _request_data(session: Session, row: RequestRow) -> dict[str, Any]:
    events = session.scalars(
        select(AuditEventRow).where(AuditEventRow.request_id == row.id).order_by(AuditEventRow.id)
    )
    return {
        "id": row.id,
        "status": row.status,
        "name_recorded": row.requester_name,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "answers": json.loads(row.answers),
        "audit": [
            {"at": e.at.isoformat(), "by": e.actor, "event": e.event_type, "comment": e.comment}
            for e in events
        ],
    }


def reference_of(keys: list[str], identities: Sequence[Identity]) -> Any:
    """Platform references kept for one of these identities: a Slack DM channel (keyed by
    the user id), a Teams personal chat (``user:<tenant>:<aad id>``)."""
    user_ids = [i.user_id for i in identities]
    return or_(
        PlatformRefRow.key.in_(keys + user_ids),
        *(PlatformRefRow.key.like(f"user:%:{user_id}") for user_id in user_ids),
    )


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A case-insensitive whole-word pattern of the person's names (3 letters or more, so
    that initials do not blank other words)."""
    usable = sorted({n.strip() for n in names if n and len(n.strip()) >= 3 and n != ERASED})
    if not usable:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(usable, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
