"""Fresh test databases: a SQLite file, or a private schema on the PostgreSQL server.

The server is ``TEST_DATABASE_URL`` (default: root on 127.0.0.1:5432, database ``test``);
PostgreSQL tests are skipped, with the reason, only when that server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

DEFAULT_PG_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"


def pg_server_url() -> str:
    """The PostgreSQL server the tests use."""
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL


@cache
def pg_unreachable() -> str:
    """Why the PostgreSQL server can't be used, or "" when it can."""
    engine = create_engine(pg_server_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "skip, and say why"
        return f"PostgreSQL at {pg_server_url()} is unreachable: {type(exc).__name__}: {exc}"
    finally:
        engine.dispose()
    return ""


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections use a new, private schema; the schema is dropped afterwards."""
    reason = pg_unreachable()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in pg_server_url() else "?"
    try:
        yield f"{pg_server_url()}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database of ``kind`` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'assistant.db'}"
        return
    with pg_schema_url() as url:
        yield url


@contextmanager
def pg_database_url() -> Iterator[str]:
    """A URL of a new, empty PostgreSQL database of its own (for whole-database tools such
    as pg_dump); the database is dropped afterwards."""
    reason = pg_unreachable()
    if reason:
        pytest.skip(reason)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield str(make_url(pg_server_url()).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
