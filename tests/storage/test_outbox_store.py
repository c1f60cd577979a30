"""The outbox table on real SQLite files and a real PostgreSQL server: one claim per row at
a time across processes, retries on a schedule, then failure; nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.messages import Identity, Message, SendDirect
from assistant.storage import Store
from assistant.storage.outbox_repository import LEASE, OutboxRepository, Outgoing

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANNA = Identity("slack", "UANNA")


def _add(rows: OutboxRepository, n: int = 1, **kw) -> list[int]:
    items = [
        Outgoing("slack", SendDirect(ANNA, Message(f"notice {i}")), str(ANNA), **kw)
        for i in range(n)
    ]
    return rows.add(items, now=T0)


def test_two_processes_never_hold_the_same_row(db_url: str) -> None:
    one, two = Store.open(db_url), Store.open(db_url)  # one engine each, as two workers
    try:
        ids = _add(one.outbox, 5)
        claimed = [one.outbox.claim(i, now=T0) for i in ids] + [
            two.outbox.claim(i, now=T0) for i in ids
        ]
        taken = [c.id for c in claimed if c is not None]
        assert sorted(taken) == ids  # each once
        assert two.outbox.due(now=T0) == []  # held, so not due for anyone
        # A worker that died keeps nothing: after the lease the row is claimable again.
        later = T0 + LEASE + timedelta(seconds=1)
        again = two.outbox.claim(ids[0], now=later)
        assert again is not None and again.attempts == 2
        assert again.effect == SendDirect(ANNA, Message("notice 0"))
    finally:
        one.close()
        two.close()


def test_failures_wait_on_the_schedule_then_fail_and_can_be_retried(store: Store) -> None:
    rows = OutboxRepository(store.engine, store._sessions, retry_after=(10.0, 60.0))
    [row] = _add(rows, request_id=7, purpose="ask:line_manager")
    now = T0
    outcomes = []
    for _ in range(3):
        delivery = rows.claim(row, now=now)
        assert delivery is not None
        outcomes.append(rows.not_sent(row, "internal_error", final=False, now=now))
        assert rows.claim(row, now=now) is None  # not due yet
        now += timedelta(seconds=61)
    assert outcomes == [False, False, True]  # 3 attempts: two retries, then given up
    assert rows.states(7, "ask:line_manager") == {"pending": 0, "sent": 0, "failed": 1}
    [entry] = rows.entries(states=["failed"])
    assert (entry.kind, entry.problem, entry.attempts) == ("SendDirect", "internal_error", 3)

    assert rows.retry([row], now=now) == 1
    delivery = rows.claim(row, now=now)
    assert delivery is not None and delivery.attempts == 1
    rows.sent(row, now=now)
    assert rows.counts() == {"pending": 0, "sent": 1, "failed": 0}


def test_a_final_failure_is_not_retried(store: Store) -> None:
    [row] = _add(store.outbox)
    assert store.outbox.claim(row, now=T0) is not None
    assert store.outbox.not_sent(row, "not_in_channel", final=True, now=T0) is True
    assert store.outbox.due(now=T0 + timedelta(days=1)) == []


def test_finished_rows_are_purged_pending_ones_never(store: Store) -> None:
    done, waiting = _add(store.outbox, 2)
    store.outbox.claim(done, now=T0)
    store.outbox.sent(done, now=T0)
    assert store.outbox.purge(T0 + timedelta(days=8)) == 1
    assert [e.id for e in store.outbox.entries()] == [waiting]
