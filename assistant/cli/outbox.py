"""Outbox commands: ``outbox list`` and ``outbox retry`` (messages for other conversations)."""

from __future__ import annotations

import argparse
from typing import Any

from assistant.config import load_settings
from assistant.errors import InputError
from assistant.storage.store import Store
from assistant.uktime import uk


def register(subparsers: Any) -> None:
    """Add ``outbox list`` and ``outbox retry``."""
    outbox = subparsers.add_parser(
        "outbox", help="approval posts and messages waiting, sent or failed; send failed again"
    )
    sub = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the outbox, oldest first (no message text)")
    listing.add_argument(
        "--state", choices=("pending", "sent", "failed"), help="only messages in this state"
    )
    listing.set_defaults(func=cmd_list)
    retry = sub.add_parser(
        "retry",
        help="send failed messages again (once the cause is fixed); the server delivers them",
    )
    retry.add_argument("ids", nargs="*", type=int, help="outbox ids (see `outbox list`)")
    retry.add_argument("--request", type=int, help="every failed message of this request")
    retry.add_argument("--all", action="store_true", help="every failed message")
    retry.set_defaults(func=cmd_retry)


def cmd_list(args: argparse.Namespace) -> int:
    with Store.open(load_settings().database_url) as store:
        entries = store.outbox.entries(states=[args.state] if args.state else None)
    if not entries:
        print("the outbox is empty" if not args.state else f"no {args.state} messages")
        return 0
    for e in entries:
        request = f"request #{e.request_id}" if e.request_id is not None else "-"
        problem = f"  {e.problem}" if e.problem else ""
        print(
            f"{e.id:>6}  {e.state:<7}  {e.kind:<13} {e.platform:<6} {e.target:<28} "
            f"{request:<12} attempts {e.attempts}  {uk(e.created_at):%d %b %Y %H:%M}{problem}"
        )
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    if not (args.ids or args.request is not None or args.all):
        raise InputError("give outbox ids, --request N or --all")
    with Store.open(load_settings().database_url) as store:
        ids: list[int] | None = list(args.ids) or None
        if args.request is not None:
            failed = store.outbox.entries(states=["failed"])
            ids = (ids or []) + [e.id for e in failed if e.request_id == args.request]
        count = store.outbox.retry(ids if not args.all else None)
    print(f"{count} message(s) will be sent again by the running server within seconds")
    return 0
