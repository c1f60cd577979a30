"""The store: one object over the database that the workflow and the chat side use."""

from __future__ import annotations

from sqlalchemy import Engine

from assistant.storage.changes_repository import ChangesRepository
from assistant.storage.conversation_repository import ConversationRepository
from assistant.storage.db import make_engine, make_sessions, migrate_engine
from assistant.storage.delegation_repository import DelegationRepository
from assistant.storage.outbox_repository import OutboxRepository
from assistant.storage.privacy import Privacy
from assistant.storage.request_repository import RequestRepository


class Store(RequestRepository, ConversationRepository):
    """Requests, decisions, audit trail, drafts, deliveries, references and feedback."""

    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine
        self._sessions = make_sessions(engine)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect to ``url`` and (by default) upgrade its schema to the newest revision."""
        engine = make_engine(url)
        if migrate:
            migrate_engine(engine)
        return cls(engine=engine)

    @property
    def privacy(self) -> Privacy:
        """Retention, subject access and erasure over this database."""
        return Privacy(self.engine, self._sessions)

    @property
    def changes(self) -> ChangesRepository:
        """Requests sent back for changes and their resubmissions."""
        return ChangesRepository(self._sessions)

    @property
    def delegations(self) -> DelegationRepository:
        """Delegations made by command."""
        return DelegationRepository(self._sessions)

    @property
    def outbox(self) -> OutboxRepository:
        """Effects waiting for delivery to a platform (see :mod:`assistant.outbox`)."""
        return OutboxRepository(self.engine, self._sessions)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
