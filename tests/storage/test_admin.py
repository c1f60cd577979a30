"""Schema status and upgrade, backups and restores, on real SQLite files and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from assistant.errors import StorageError
from assistant.messages import Identity
from assistant.storage import Store
from assistant.storage.admin import (
    backup,
    placement_warnings,
    restore,
    schema_status,
    upgrade,
)
from assistant.workflow.stages import Stage, Status
from tests.storage.databases import pg_database_url

ANNA = Identity("slack", "UANNA")
LEE = Identity("slack", "ULEE")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def whole_database(kind: str, folder: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database of its own."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'assistant.db'}"
        return
    if shutil.which("pg_dump") is None:
        pytest.skip("the PostgreSQL client tools (pg_dump) are not installed")
    with pg_database_url() as url:
        yield url


def _fill(store: Store) -> int:
    request = store.create_request(
        requester=ANNA,
        requester_name="Anna",
        answers={"department": "Art", "purpose": "Year 9 trip photos"},
        platform="slack",
        at=T0,
    )
    store.record_decision(
        request,
        Stage.LINE_MANAGER,
        Status.PENDING_SENIOR_MANAGER,
        approved=True,
        decided_by=LEE,
        decided_by_name="Lee",
        at=T0 + timedelta(hours=2),
    )
    store.claim_reminder(request.id, Stage.SENIOR_MANAGER, 1, at=T0 + timedelta(days=3))
    return request.id


def _snapshot(store: Store, request_id: int) -> tuple:
    request = store.get_request(request_id)
    return (
        (request.requester, request.answers, request.status, request.version),
        store.decisions(request_id),
        store.audit(request_id),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_backup_and_restore_bring_everything_back(kind: str, tmp_path: Path) -> None:
    with (
        whole_database(kind, tmp_path / "live") as live,
        whole_database(kind, tmp_path / "new") as fresh,
    ):
        store = Store.open(live)
        request_id = _fill(store)
        before = _snapshot(store, request_id)
        archive = tmp_path / "backups" / "assistant.backup"
        assert "backed up" in backup(live, archive)  # while the store is open
        store.close()

        print(restore(fresh, archive))
        restored = Store.open(fresh, migrate=False)
        try:
            assert _snapshot(restored, request_id) == before
            assert [e.event_type for e in before[2]] == ["submitted", "approved", "reminded"]
            # The audit trail is still append-only in the restored database.
            for statement in ("UPDATE audit_events SET comment = 'x'", "DELETE FROM audit_events"):
                with (
                    pytest.raises(DBAPIError, match="append-only"),
                    restored.engine.begin() as connection,
                ):
                    connection.execute(text(statement))
            assert _snapshot(restored, request_id) == before
            # New requests continue after the restored ones (sequences came back too).
            later = restored.create_request(
                requester=ANNA, requester_name="Anna", answers={}, platform="slack", at=T0
            )
            assert later.id > request_id
        finally:
            restored.close()
        assert schema_status(fresh).up_to_date


@pytest.mark.parametrize("kind", KINDS)
def test_restore_refuses_a_database_that_is_not_empty(kind: str, tmp_path: Path) -> None:
    with whole_database(kind, tmp_path / "live") as live:
        Store.open(live).close()
        archive = tmp_path / "a.backup"
        backup(live, archive)
        with pytest.raises(StorageError, match="not empty"):
            restore(live, archive)


def test_backup_refuses_to_overwrite_and_an_empty_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with pytest.raises(StorageError, match="no schema yet"):
        backup(url, tmp_path / "x.backup")
    Store.open(url).close()
    (tmp_path / "taken").write_text("keep me")
    with pytest.raises(StorageError, match="exists already"):
        backup(url, tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "keep me"


def test_restore_refuses_a_backup_from_an_unknown_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    Store.open(url).close()
    archive = tmp_path / "a.backup"
    backup(url, archive)
    with sqlite3.connect(archive) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    target = tmp_path / "new" / "b.db"
    with pytest.raises(StorageError, match="9999.*does not know"):
        restore(f"sqlite:///{target}", archive)
    with pytest.raises(StorageError, match="not a SQLite backup"):
        (tmp_path / "junk.backup").write_text("not a database")
        restore(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "junk.backup")


def test_status_and_upgrade(db_url: str) -> None:
    before = schema_status(db_url)
    assert before.current is None and before.known and not before.up_to_date
    assert "empty" in before.describe()
    after = upgrade(db_url)
    assert after.up_to_date and after.current == after.head
    assert "up to date" in after.describe()
    assert upgrade(db_url).up_to_date  # a second run has nothing to do


def test_status_names_a_revision_from_a_newer_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    Store.open(url).close()
    with sqlite3.connect(tmp_path / "a.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'future'")
    status = schema_status(url)
    assert not status.known and "newer version" in status.describe()
    with pytest.raises(StorageError, match="does not know"):
        upgrade(url)


def test_urls_in_output_hide_the_password() -> None:
    from assistant.storage.admin import hidden

    shown = hidden("postgresql://app:secret@db.example.org/assistant")
    assert "secret" not in shown and "db.example.org" in shown


def test_the_commands_exit_with_the_schema_state(tmp_path: Path, monkeypatch, capsys) -> None:
    from assistant.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("ASSISTANT_CONFIG", "")
    assert main(["db", "status"]) == 1
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "status"]) == 0
    assert main(["backup", str(tmp_path / "b.backup")]) == 0
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'restored.db'}")
    assert main(["restore", str(tmp_path / "b.backup")]) == 0
    assert main(["restore", str(tmp_path / "b.backup")]) == 2  # not empty any more
    out = capsys.readouterr()
    assert "up to date" in out.out and "not empty" in out.err


@pytest.mark.parametrize(
    ("url", "host", "expected"),
    [
        ("sqlite:////srv/data/a.db", "127.0.0.1", []),
        ("sqlite:////srv/data/a.db", "0.0.0.0", ["SQLite"]),
        ("sqlite:////opt/assistant/var/a.db", "::1", ["inside the code checkout"]),
        ("sqlite:////opt/assistant/var/a.db", "0.0.0.0", ["SQLite", "inside the code checkout"]),
        ("postgresql://app@db/assistant", "0.0.0.0", []),
    ],
)
def test_placement_warnings(url: str, host: str, expected: list[str]) -> None:
    warnings = placement_warnings(url, host=host, checkout=Path("/opt/assistant"))
    assert len(warnings) == len(expected)
    for warning, phrase in zip(warnings, expected, strict=True):
        assert phrase in warning
