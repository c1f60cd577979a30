"""The store against real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from assistant.errors import AlreadyDecided, IllegalTransition, NotFound, StorageError
from assistant.messages import Identity
from assistant.storage import Store, migrate
from assistant.storage.db import make_engine
from assistant.workflow.stages import Stage, Status

ANNA = Identity("slack", "UANNA")
LEE = Identity("slack", "ULEE")
SAM = Identity("teams", "sam-aad")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _request(store: Store, answers: dict | None = None):
    return store.create_request(
        requester=ANNA,
        requester_name="Anna",
        answers=answers or {"department": "Art"},
        platform="slack",
        at=T0,
    )


def test_first_revision_creates_every_table(db_url: str) -> None:
    migrate(db_url)
    migrate(db_url)  # a second start-up finds nothing to do
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {
        "drafts",
        "requests",
        "decisions",
        "audit_events",
        "deliveries",
        "platform_refs",
        "answers",
        "feedback",
        "reminders",
        "alembic_version",
    } <= tables


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'a.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_unsupported_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="only SQLite and PostgreSQL"):
        make_engine("mysql://x@localhost/db")


def test_drafts_one_per_person(store: Store) -> None:
    assert store.load_draft(ANNA) is None
    store.save_draft(ANNA, '{"step": "aims"}')
    store.save_draft(ANNA, '{"step": "content"}')
    store.save_draft(str(LEE), '{"step": "department"}')
    assert store.load_draft(ANNA) == '{"step": "content"}'
    assert store.load_draft("slack:ULEE") == '{"step": "department"}'
    store.delete_draft(ANNA)
    store.delete_draft(ANNA)
    assert store.load_draft(ANNA) is None
    assert store.load_draft(LEE) is not None


def test_first_delivery_is_true_exactly_once(store: Store) -> None:
    assert store.first_delivery("slack:event:Ev1") is True
    assert store.first_delivery("slack:event:Ev1") is False
    assert store.first_delivery("slack:event:Ev2") is True


def test_platform_refs_remember_and_recall(store: Store) -> None:
    assert store.recall("post", "request:1:line_manager") is None
    store.remember("post", "request:1:line_manager", {"channel": "C1", "ts": "1.0"})
    store.remember("post", "request:1:line_manager", {"channel": "C1", "ts": "2.0"})
    store.remember("conversation", "teams:sam", {"id": "x"})
    assert store.recall("post", "request:1:line_manager") == {"channel": "C1", "ts": "2.0"}
    assert store.recall("conversation", "teams:sam") == {"id": "x"}


def test_feedback_last_vote_wins_and_counts_per_clause(store: Store) -> None:
    first = store.record_answer(ANNA, "Can I post photos?", ["A.5.2", "6.1"], True)
    second = store.record_answer(LEE, "Lunch menu?", [], False)
    assert second != first
    store.record_feedback(first, ANNA, True)
    store.record_feedback(first, ANNA, False)  # changes her mind: one vote, not two
    with pytest.raises(NotFound):  # only the asker may vote on an answer
        store.record_feedback(first, LEE, True)
    store.record_feedback(second, LEE, False)
    counts = store.feedback_counts()
    assert (counts.helpful, counts.not_helpful) == (0, 2)
    assert counts.by_clause == {"6.1": (0, 1), "A.5.2": (0, 1)}
    with pytest.raises(NotFound):
        store.record_feedback(9999, ANNA, True)


def test_request_round_trip(store: Store) -> None:
    created = _request(store, {"line_manager": {"name": "Lee", "identity": "slack:ULEE"}})
    loaded = store.get_request(created.id)
    assert loaded == created
    assert loaded.status is Status.PENDING_LINE_MANAGER
    assert loaded.created_at == T0 and loaded.version == 1
    assert loaded.answers["line_manager"]["identity"] == "slack:ULEE"
    assert [e.event_type for e in store.audit(created.id)] == ["submitted"]
    with pytest.raises(NotFound):
        store.get_request(created.id + 100)


def test_find_requests_filters(store: Store) -> None:
    a = _request(store)
    b = store.create_request(
        requester=SAM, requester_name="Sam", answers={}, platform="teams", at=T0
    )
    store.change_status(b, Status.WITHDRAWN, actor=SAM, event_type="withdrawn")
    assert [r.id for r in store.find_requests()] == [a.id, b.id]
    assert [r.id for r in store.find_requests(requester=SAM)] == [b.id]
    assert [r.id for r in store.find_requests(statuses=[Status.WITHDRAWN])] == [b.id]


def test_a_stage_is_decided_once(store: Store) -> None:
    request = _request(store)
    store.record_decision(
        request,
        Stage.LINE_MANAGER,
        Status.PENDING_SENIOR_MANAGER,
        approved=True,
        decided_by=LEE,
        decided_by_name="Lee",
        at=T0 + timedelta(hours=1),
    )
    # The same stale read again, as a double click or a retry would do it.
    with pytest.raises(AlreadyDecided) as caught:
        store.record_decision(
            request,
            Stage.LINE_MANAGER,
            Status.REJECTED,
            approved=False,
            decided_by=SAM,
            decided_by_name="Sam",
            reason="no",
        )
    assert caught.value.decided_by == "Lee" and caught.value.decision == "approved"
    assert len(store.decisions(request.id)) == 1
    current = store.get_request(request.id)
    assert current.status is Status.PENDING_SENIOR_MANAGER and current.version == 2


def test_unique_constraint_holds_in_the_database(store: Store) -> None:
    request = _request(store)
    insert = text(
        "INSERT INTO decisions (request_id, stage, decision, decided_by, decided_by_name,"
        " reason, decided_at) VALUES (:r, 'principal', 'approved', 'x', 'X', '', :at)"
    )
    values = {"r": request.id, "at": T0.replace(tzinfo=None)}
    with store.engine.begin() as connection:
        connection.execute(insert, values)
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(insert, values)


def test_stale_status_change_is_refused(store: Store) -> None:
    request = _request(store)
    store.change_status(request, Status.WITHDRAWN, actor=ANNA, event_type="withdrawn")
    with pytest.raises(IllegalTransition, match="WITHDRAWN"):
        store.record_decision(
            request,
            Stage.LINE_MANAGER,
            Status.PENDING_SENIOR_MANAGER,
            approved=True,
            decided_by=LEE,
            decided_by_name="Lee",
        )
    assert store.decisions(request.id) == []


def test_audit_events_cannot_be_updated_or_deleted(store: Store) -> None:
    request = _request(store)
    assert not hasattr(store, "update_audit") and not hasattr(store, "delete_audit")
    for statement in ("UPDATE audit_events SET comment = 'edited'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert [e.comment for e in store.audit(request.id)] == [""]


def test_reminder_claimed_once_per_period(store: Store) -> None:
    request = _request(store)
    assert store.claim_reminder(request.id, Stage.LINE_MANAGER, 1) is True
    assert store.claim_reminder(request.id, Stage.LINE_MANAGER, 1) is False
    assert store.claim_reminder(request.id, Stage.LINE_MANAGER, 2) is True
    assert [e.event_type for e in store.audit(request.id)].count("reminded") == 2
