"""Form drafts, delivery de-duplication, platform references, answers and feedback."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import NotFound
from assistant.messages import Identity
from assistant.storage.models import (
    AnswerRow,
    DeliveryRow,
    DraftRow,
    EarlierQuestionRow,
    FeedbackRow,
    PlatformRefRow,
)
from assistant.storage.records import FeedbackCounts
from assistant.storage.request_repository import utcnow

# The largest id an INTEGER column holds on every engine we run on (PostgreSQL's int4).
MAX_ROW_ID = 2**31 - 1


class ConversationRepository:
    """What the chat side keeps between messages."""

    engine: Engine
    _sessions: sessionmaker[Session]

    # ---- drafts: one open form per person ----------------------------------------------

    def save_draft(self, identity: Identity | str, state_json: str) -> None:
        """Keep (or replace) this person's open form draft."""
        now = utcnow()
        with self._sessions.begin() as session:
            self._upsert(
                session,
                DraftRow.__table__,  # type: ignore[arg-type]
                {"identity": str(identity), "state": state_json, "updated_at": now},
                keys=("identity",),
            )

    def load_draft(self, identity: Identity | str) -> str | None:
        """This person's open draft, or None."""
        with self._sessions() as session:
            row = session.get(DraftRow, str(identity))
            return row.state if row else None

    def delete_draft(self, identity: Identity | str) -> None:
        """Forget this person's draft (no error if there is none)."""
        with self._sessions.begin() as session:
            session.execute(delete(DraftRow).where(DraftRow.identity == str(identity)))

    # ---- earlier questions: what a follow-up is read with --------------------------------

    def save_earlier(
        self, identity: Identity | str, conversation: str, question: str, *, keep: timedelta
    ) -> None:
        """Keep this person's question in this conversation, replacing any older one; every
        earlier question older than ``keep`` (anyone's) is deleted in the same transaction."""
        now = utcnow()
        with self._sessions.begin() as session:
            session.execute(
                delete(EarlierQuestionRow).where(EarlierQuestionRow.asked_at < now - keep)
            )
            self._upsert(
                session,
                EarlierQuestionRow.__table__,  # type: ignore[arg-type]
                {
                    "identity": str(identity),
                    "conversation": conversation,
                    "question": question,
                    "asked_at": now,
                },
                keys=("identity", "conversation"),
            )

    def load_earlier(
        self, identity: Identity | str, conversation: str, *, keep: timedelta
    ) -> str | None:
        """This person's question in this conversation if asked within ``keep``, else None."""
        with self._sessions() as session:
            row = session.get(EarlierQuestionRow, (str(identity), conversation))
            if row is None or row.asked_at < utcnow() - keep:
                return None
            return row.question

    def forget_earlier(self, identity: Identity | str, conversation: str) -> None:
        """Forget this person's question in this conversation ("new question")."""
        with self._sessions.begin() as session:
            session.execute(
                delete(EarlierQuestionRow).where(
                    EarlierQuestionRow.identity == str(identity),
                    EarlierQuestionRow.conversation == conversation,
                )
            )

    def purge_earlier(self, keep: timedelta) -> int:
        """Delete every earlier question older than ``keep``; returns how many went."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(EarlierQuestionRow).where(EarlierQuestionRow.asked_at < utcnow() - keep)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # ---- deliveries ---------------------------------------------------------------------

    def first_delivery(self, key: str) -> bool:
        """True the first time ``key`` is seen, across processes; False for every retry."""
        try:
            with self._sessions.begin() as session:
                session.execute(insert(DeliveryRow).values(key=key, seen_at=utcnow()))
        except IntegrityError:
            return False
        return True

    # ---- platform references ------------------------------------------------------------

    def remember(self, kind: str, key: str, value: Mapping[str, Any]) -> None:
        """Keep a platform reference (a posted message, a conversation), replacing any older."""
        with self._sessions.begin() as session:
            self._upsert(
                session,
                PlatformRefRow.__table__,  # type: ignore[arg-type]
                {
                    "kind": kind,
                    "key": key,
                    "value": json.dumps(dict(value)),
                    "updated_at": utcnow(),
                },
                keys=("kind", "key"),
            )

    def recall(self, kind: str, key: str) -> dict[str, Any] | None:
        """The reference kept under (kind, key), or None."""
        with self._sessions() as session:
            row = session.get(PlatformRefRow, (kind, key))
            return json.loads(row.value) if row else None

    # ---- answers and feedback -----------------------------------------------------------

    def record_answer(
        self,
        asker: Identity | str,
        question: str,
        clause_ids: Sequence[str],
        answered: bool,
        *,
        at: datetime | None = None,
    ) -> int:
        """Log an answered (or declined) question; returns its id for feedback buttons."""
        with self._sessions.begin() as session:
            row = AnswerRow(
                asker=str(asker),
                question=question,
                clause_ids=json.dumps(list(clause_ids)),
                answered=answered,
                at=at or utcnow(),
            )
            session.add(row)
            session.flush()
            return row.id

    def record_feedback(self, answer_id: int, identity: Identity | str, helpful: bool) -> None:
        """Record the asker's vote on their answer; a later vote replaces the earlier one.

        Anyone else's vote, or an id that is no answer, is NotFound: a vote button can be
        forwarded or forged, and only the person who asked knows whether it helped.
        """
        if not 0 < answer_id <= MAX_ROW_ID:
            raise NotFound(f"no answer #{answer_id}")
        try:
            with self._sessions.begin() as session:
                asker = session.scalar(select(AnswerRow.asker).where(AnswerRow.id == answer_id))
                if asker is None or asker != str(identity):
                    raise NotFound(f"no answer #{answer_id} asked by {identity}")
                self._upsert(
                    session,
                    FeedbackRow.__table__,  # type: ignore[arg-type]
                    {
                        "answer_id": answer_id,
                        "identity": str(identity),
                        "helpful": helpful,
                        "at": utcnow(),
                    },
                    keys=("answer_id", "identity"),
                )
        except IntegrityError:
            raise NotFound(f"no answer #{answer_id}") from None

    def feedback_counts(self) -> FeedbackCounts:
        """Helpful / not helpful totals and per quoted clause."""
        query = select(FeedbackRow.helpful, AnswerRow.clause_ids).join(
            AnswerRow, AnswerRow.id == FeedbackRow.answer_id
        )
        helpful = not_helpful = 0
        by_clause: dict[str, list[int]] = {}
        with self._sessions() as session:
            for vote, clause_ids in session.execute(query):
                helpful += bool(vote)
                not_helpful += not vote
                for clause in json.loads(clause_ids):
                    counts = by_clause.setdefault(clause, [0, 0])
                    counts[0 if vote else 1] += 1
        return FeedbackCounts(
            helpful=helpful,
            not_helpful=not_helpful,
            by_clause={clause: (c[0], c[1]) for clause, c in sorted(by_clause.items())},
        )

    def _upsert(
        self, session: Session, table: Table, values: dict[str, Any], *, keys: tuple[str, ...]
    ) -> None:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table).values(**values)
        changes = {name: value for name, value in values.items() if name not in keys}
        session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changes))
