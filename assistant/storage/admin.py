"""Looking after the database: schema status, backups and restores, where it is kept.

A backup of SQLite is a copy made with SQLite's online backup API (consistent while the
server writes); of PostgreSQL, a ``pg_dump`` custom-format archive. A restore goes only into
an empty database and refuses a backup whose schema revision this version does not know.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import StorageError
from assistant.storage.db import (
    alembic_config,
    make_engine,
    migrate_engine,
    normalise_url,
    private_file,
)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands against this version's migrations."""

    url: str  # password hidden
    current: str | None  # None: no schema yet
    head: str
    known: bool  # the current revision is one of this version's

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        """One line for ``assistant db status``."""
        if self.current is None:
            state = f"empty (no schema yet); `assistant db upgrade` creates revision {self.head}"
        elif not self.known:
            state = (
                f"revision {self.current}, which this version does not know (its newest is "
                f"{self.head}): the database was upgraded by a newer version"
            )
        elif self.up_to_date:
            state = f"revision {self.current}, up to date"
        else:
            state = f"revision {self.current}, behind {self.head}: run `assistant db upgrade`"
        return f"{self.url}: {state}"


def _revisions() -> tuple[ScriptDirectory, set[str]]:
    script = ScriptDirectory.from_config(alembic_config())
    return script, {r.revision for r in script.walk_revisions()}


def hidden(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for output and logs)."""
    return normalise_url(url).render_as_string(hide_password=True)


def schema_status(url: str) -> SchemaStatus:
    """The schema revision of the database at ``url`` beside this version's newest."""
    script, known = _revisions()
    head = script.get_current_head() or ""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StorageError(f"could not read the database at {hidden(url)}: {exc}") from exc
    finally:
        engine.dispose()
    return SchemaStatus(
        url=hidden(url), current=current, head=head, known=current is None or current in known
    )


def upgrade(url: str) -> SchemaStatus:
    """Run the migrations (under the advisory lock on PostgreSQL); the status afterwards."""
    before = schema_status(url)
    if not before.known:
        raise StorageError(before.describe())
    engine = make_engine(url)
    try:
        migrate_engine(engine)
    finally:
        engine.dispose()
    return schema_status(url)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for PostgreSQL or an in-memory database."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


def placement_warnings(url: str, *, host: str, checkout: Path) -> list[str]:
    """Why approvals kept at ``url`` are at risk for a server listening on ``host``."""
    warnings: list[str] = []
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite" and host not in LOOPBACK_HOSTS:
        warnings.append(
            f"approval records are kept in SQLite ({hidden(url)}) while serving on {host}: "
            "a platform's disk may be wiped on each deploy and only one server process can "
            "use it; set DATABASE_URL to a PostgreSQL database for a real service"
        )
    path = sqlite_path(url)
    if path is not None and path.is_relative_to(checkout.resolve()):
        warnings.append(
            f"the database {path} is inside the code checkout {checkout}: replacing or "
            "cleaning the checkout (`make clean`) deletes the approval records; set "
            "DATABASE_URL to a path outside it, e.g. sqlite:////var/lib/policy-assistant/"
            "assistant.db"
        )
    return warnings


# ---- backup and restore -----------------------------------------------------------------


def backup(url: str, out: Path) -> str:
    """Write a backup of the database at ``url`` to ``out``; a line saying what was written."""
    if out.exists():
        raise StorageError(f"{out} exists already; choose a new file for the backup")
    out.parent.mkdir(parents=True, exist_ok=True)
    status = schema_status(url)
    if status.current is None:
        raise StorageError(f"{status.url} has no schema yet: nothing to back up")
    path = sqlite_path(url)
    if path is not None:
        _sqlite_copy(path, out)
        return f"backed up {status.url} (revision {status.current}) to {out} (SQLite)"
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise StorageError(f"{status.url}: only a SQLite file or PostgreSQL can be backed up")
    tmp = out.with_name(out.name + ".partial")
    private_file(tmp)
    _run_pg("pg_dump", parsed, ["--format=custom", "--no-owner", "--no-privileges", "-f", str(tmp)])
    os.replace(tmp, out)
    return f"backed up {status.url} (revision {status.current}) to {out} (pg_dump archive)"


def restore(url: str, source: Path) -> str:
    """Restore the backup ``source`` into the empty database at ``url``; what was done."""
    if not source.is_file():
        raise StorageError(f"no backup file {source}")
    _require_empty(url)
    path = sqlite_path(url)
    if path is not None:
        revision = _sqlite_revision(source)
        _check_revision(revision, source)
        path.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, path)
    else:
        parsed = normalise_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise StorageError(f"{hidden(url)}: only a SQLite file or PostgreSQL can be restored")
        revision = _archive_revision(source)
        _check_revision(revision, source)
        _run_pg(
            "pg_restore", parsed, ["--no-owner", "--no-privileges", "--exit-on-error", str(source)]
        )
    status = upgrade(url)  # a backup from an older version comes up to this version's schema
    return f"restored {source} (revision {revision}) into {status.url}; now {status.describe()}"


def _require_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    except SQLAlchemyError as exc:
        raise StorageError(f"could not read the database at {hidden(url)}: {exc}") from exc
    finally:
        engine.dispose()
    if tables:
        raise StorageError(
            f"{hidden(url)} is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): "
            "a restore goes only into a new, empty database, so nothing is overwritten"
        )


def _check_revision(revision: str | None, source: Path) -> None:
    _, known = _revisions()
    if revision is None:
        raise StorageError(f"{source} holds no schema revision: not a backup of this assistant")
    if revision not in known:
        raise StorageError(
            f"{source} is at schema revision {revision}, which this version does not know: "
            "restore it with the version that made it (or a newer one)"
        )


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page with the online backup API (WAL included)."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            private_file(target)
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise StorageError(f"could not copy {source} to {target}: {exc}") from exc


def _sqlite_revision(path: Path) -> str | None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise StorageError(f"{path} is not a SQLite backup of this assistant: {exc}") from exc
    return None if row is None else str(row[0])


def _archive_revision(path: Path) -> str | None:
    """The schema revision recorded in a pg_dump archive (read without restoring it)."""
    out = _run_tool(["pg_restore", "--data-only", "--table=alembic_version", "-f", "-", str(path)])
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            value = lines[i + 1].strip()
            return None if value == "\\." else value
    return None


def _libpq(parsed: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``parsed`` and the environment carrying its password."""
    plain = parsed.set(drivername="postgresql", password=None)
    dsn = plain.render_as_string(hide_password=False)
    env = {"PGPASSWORD": str(parsed.password)} if parsed.password else {}
    return dsn, env


def _run_pg(tool: str, parsed: URL, arguments: list[str]) -> None:
    dsn, env = _libpq(parsed)
    _run_tool([tool, f"--dbname={dsn}", *arguments], env)


def _run_tool(command: list[str], env: dict[str, str] | None = None) -> str:
    if shutil.which(command[0]) is None:
        raise StorageError(
            f"{command[0]} is not installed: install the PostgreSQL client tools of the "
            "server's major version (Debian/Ubuntu: apt-get install postgresql-client)"
        )
    with tempfile.TemporaryFile() as errors:
        result = subprocess.run(
            command,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=errors,
            check=False,
        )
        errors.seek(0)
        message = errors.read().decode("utf-8", "replace").strip()
    if result.returncode != 0:
        raise StorageError(f"{command[0]} failed (exit {result.returncode}): {message}")
    return result.stdout.decode("utf-8", "replace")
