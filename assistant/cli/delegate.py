"""Delegation commands: ``delegate add``, ``delegate list`` and ``delegate end``."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from typing import Any

from assistant.config import load_settings
from assistant.delegation import problems_of
from assistant.errors import InputError
from assistant.storage.store import Store
from assistant.uktime import uk


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(subparsers: Any) -> None:
    """Add ``delegate add``, ``delegate list`` and ``delegate end``."""
    delegate = subparsers.add_parser(
        "delegate", help="absence: let a colleague decide someone's approval stages for a while"
    )
    sub = delegate.add_subparsers(dest="delegate_command", metavar="ACTION", required=True)
    add = sub.add_parser(
        "add",
        help="TO decides what FROM may decide, from --start (default today) to --until",
        description="FROM and TO are people's keys in the configuration ([people.<key>]). "
        "FROM keeps their own right to decide; records say 'TO acting for FROM'.",
    )
    add.add_argument("frm", metavar="FROM", help="the absent approver's key")
    add.add_argument("to", metavar="TO", help="the colleague standing in")
    add.add_argument("--until", type=_day, required=True, help="the last day (YYYY-MM-DD)")
    add.add_argument("--start", type=_day, help="the first day (default: today)")
    add.set_defaults(func=cmd_add)
    listing = sub.add_parser("list", help="current and coming delegations (config and command)")
    listing.set_defaults(func=cmd_list)
    end = sub.add_parser("end", help="end a delegation made by command, now")
    end.add_argument("id", type=int)
    end.set_defaults(func=cmd_end)


def cmd_add(args: argparse.Namespace) -> int:
    settings = load_settings()
    start = args.start or uk_today()
    wrong = problems_of(args.frm, args.to, start, args.until, settings.persons)
    if wrong:
        raise InputError("not added: " + "; ".join(wrong))
    with Store.open(settings.database_url) as store:
        made = store.delegations.add(args.frm, args.to, start, args.until)
    print("added " + made.describe(_names(settings)).strip())
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    settings = load_settings()
    with Store.open(settings.database_url) as store:
        made = store.delegations.current()
    today = uk_today()
    current = [d for d in (*settings.delegations, *made) if d.end >= today]
    if not current:
        print("no current or coming delegations")
    for delegation in current:
        print(delegation.describe(_names(settings)))
    return 0


def cmd_end(args: argparse.Namespace) -> int:
    settings = load_settings()
    with Store.open(settings.database_url) as store:
        store.delegations.end(args.id)
    print(f"delegation #{args.id} ended")
    return 0


def uk_today() -> date:
    return uk(datetime.now(UTC)).date()


def _names(settings: Any) -> dict[str, str]:
    return {key: person.label() for key, person in settings.persons.items()}
