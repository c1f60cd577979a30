"""Engines and sessions from a database URL; schema upgrades through Alembic.

SQLite (the default) runs with WAL, foreign keys and a busy timeout, and every
transaction begins IMMEDIATE so that two processes writing at once queue up instead of
failing. PostgreSQL is reached through psycopg (``postgresql://`` is read as
``postgresql+psycopg://``).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import StorageError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 10_000
# Any fixed number: serialises migrations of several processes starting at once.
_MIGRATION_LOCK = 727_001


log = logging.getLogger(__name__)


def private_file(path: Path) -> None:
    """Make ``path`` a file only its owner can read and write: created 0600 when missing; a
    database (with its -wal and -shm files) or backup that others could read is tightened,
    with a warning. It holds staff questions and approval records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = each.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(each, 0o600)
            log.warning("%s could be read by others (mode %o): now 0600", each, mode)


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def without_password(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and logs."""
    return _PASSWORD.sub(r"\1***@", url)


def normalise_url(url: str) -> URL:
    """Parse ``url``, choosing psycopg for PostgreSQL."""
    shown = without_password(url)
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several kinds, quoting the URL
        raise StorageError(f"database_url: not a database URL: {shown!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(f"database_url: only SQLite and PostgreSQL are supported, not {shown!r}")
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event decide when transactions start (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite files the folder is created if missing."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            private_file(Path(database))
        engine = create_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_MS / 1000}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # hide_parameters: errors and logs never carry the values of a statement (form answers).
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Any = None) -> Config:
    """Alembic configuration without an alembic.ini, pointing at our migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def migrate_engine(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the newest schema."""
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), "head")
    except SQLAlchemyError as exc:
        raise StorageError(f"could not migrate the database: {exc}") from exc


def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the newest schema (run at start-up)."""
    engine = make_engine(url)
    try:
        migrate_engine(engine)
    finally:
        engine.dispose()
