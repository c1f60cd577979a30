"""Personal data commands: ``data purge``, ``data export`` and ``data erase``.

A person is named by one identity (``slack:U0123``) or by their key in the configuration
(``[people.linda]`` -> ``linda``); either way every identity configured for them is covered.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings
from assistant.errors import ConfigError, InputError
from assistant.messages import Identity
from assistant.people import Person
from assistant.storage.store import Store


def register(subparsers: Any) -> None:
    """Add ``data purge``, ``data export`` and ``data erase``."""
    data = subparsers.add_parser(
        "data", help="personal data: retention purge, subject access export, erasure"
    )
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    purge = data_sub.add_parser(
        "purge",
        help="apply the retention periods now (the server also does it daily)",
        description="Removes what the [retention] settings no longer allow to be kept.",
    )
    purge.set_defaults(func=cmd_purge)

    export = data_sub.add_parser(
        "export",
        help="everything kept about one person, as JSON (a subject access request)",
    )
    export.add_argument("person", help="an identity (slack:U0123) or a configured person's key")
    export.add_argument(
        "-o", "--output", type=Path, help="write to this new file (readable by you only)"
    )
    export.set_defaults(func=cmd_export)

    erase = data_sub.add_parser(
        "erase",
        help="erase one person: their questions, drafts and references; tombstones in records",
        description="Without --yes, shows what would change and changes nothing. Refused "
        "while a request the person made or decided is still in progress.",
    )
    erase.add_argument("person", help="an identity (slack:U0123) or a configured person's key")
    erase.add_argument("--yes", action="store_true", help="really erase")
    erase.set_defaults(func=cmd_erase)


def resolve_person(settings: Settings, text: str) -> Person:
    """The person ``text`` names: an identity (configured or not) or a configured key."""
    if ":" in text:
        try:
            identity = Identity.parse(text)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        return settings.directory.person(identity)
    person = settings.directory.by_key(text)
    if person is None:
        raise ConfigError(
            f"no person {text!r} in the configuration: give an identity such as slack:U0123"
        )
    return person


def cmd_purge(args: argparse.Namespace) -> int:
    settings = load_settings()
    with Store.open(settings.database_url) as store:
        done = store.privacy.purge(
            settings.retention, followup=timedelta(minutes=settings.followup_minutes)
        )
    for line in settings.retention.describe():
        print(f"  {line}")
    print("removed: " + ", ".join(f"{kind} {n}" for kind, n in done.items()))
    return 0


def _names(person: Person) -> list[str]:
    return [person.name] if person.name else []


def cmd_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    person = resolve_person(settings, args.person)
    with Store.open(settings.database_url) as store:
        found = store.privacy.export_person(person.identities, _names(person))
    found = {"person": person.label(), **found}
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        print(text, end="")
        return 0
    # O_EXCL: never overwrite; 0600: a subject access export is the person's data.
    try:
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{args.output} exists already; choose a new file") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"wrote everything kept about {person.label()} to {args.output}")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    settings = load_settings()
    person = resolve_person(settings, args.person)
    with Store.open(settings.database_url) as store:
        if not args.yes:
            found = store.privacy.export_person(person.identities, _names(person))
            print(f"would erase {person.label()} ({', '.join(found['identities'])}):")
            for key, value in found.items():
                if isinstance(value, list):
                    print(f"  {key.replace('_', ' ')}: {len(value)}")
            print("nothing changed: run again with --yes to erase")
            return 1
        report = store.privacy.erase_person(person.identities, _names(person))
    changed = ", ".join(f"{kind} {n}" for kind, n in report.counts.items()) or "nothing was kept"
    print(f"erased {person.label()}: {changed}")
    if person.configured:
        print(f"{person.key} is still in the configuration: remove them from it too")
    return 0
