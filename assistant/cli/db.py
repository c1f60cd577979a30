"""Database commands: ``db upgrade``, ``db status``, ``backup`` and ``restore``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant.config import load_settings


def register(subparsers: Any) -> None:
    """Add ``db upgrade``, ``db status``, ``backup`` and ``restore``."""
    db = subparsers.add_parser("db", help="the database's schema: status and upgrade")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="run the migrations (also done by serve)")
    upgrade.set_defaults(func=cmd_upgrade)
    status = db_sub.add_parser("status", help="the schema revision beside this version's")
    status.set_defaults(func=cmd_status)

    backup = subparsers.add_parser(
        "backup",
        help="back up the database (requests, decisions, audit trail) to a new file",
        description="SQLite: an online copy, safe while the server runs. PostgreSQL: a "
        "pg_dump archive (needs the PostgreSQL client tools).",
    )
    backup.add_argument("path", type=Path, help="the backup file to write (must not exist)")
    backup.set_defaults(func=cmd_backup)

    restore = subparsers.add_parser(
        "restore",
        help="restore a backup into an empty database (DATABASE_URL)",
        description="Refuses a database that has any tables, and a backup whose schema "
        "revision this version does not know; upgrades an older backup's schema.",
    )
    restore.add_argument("path", type=Path, help="a file written by `assistant backup`")
    restore.set_defaults(func=cmd_restore)


def cmd_upgrade(args: argparse.Namespace) -> int:
    from assistant.storage.admin import upgrade

    print(upgrade(load_settings().database_url).describe())
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Exit 0 when up to date, 1 when an upgrade is due, 2 when the schema is unknown."""
    from assistant.storage.admin import schema_status

    status = schema_status(load_settings().database_url)
    print(status.describe())
    if not status.known:
        return 2
    return 0 if status.up_to_date else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from assistant.storage.admin import backup

    print(backup(load_settings().database_url, args.path))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from assistant.storage.admin import restore

    print(restore(load_settings().database_url, args.path))
    return 0
