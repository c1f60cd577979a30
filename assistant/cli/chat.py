"""``assistant chat``: the whole assistant in the terminal."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assistant.config import ROLES, Settings, load_settings
from assistant.messages import Identity

# A trial in one terminal gets these approvers: "/as line-manager", "/as senior-manager",
# "/as principal". Anyone at the keyboard can be any of them, so they exist only with a
# throwaway database, never with the one a server uses.
LOCAL_ROLES = {role: (Identity("console", role.replace("_", "-")),) for role in ROLES}
LOCAL_CHANNELS = {role: {"console": f"#{role.replace('_', '-')}-approvals"} for role in ROLES}
LOCAL_NAMES = {
    Identity("console", "line-manager"): "Trial Line Manager (terminal trial)",
    Identity("console", "senior-manager"): "Trial Senior Manager (terminal trial)",
    Identity("console", "principal"): "Trial Principal (terminal trial)",
}
TRIAL_NOTICE = (
    "This is a terminal trial: /as line-manager, /as senior-manager and /as principal are "
    "trial approvers, and everything goes to a throwaway database that is deleted when you "
    "leave. (Console approvers configured in assistant.toml decide terminal requests only.)"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("chat", help="talk to the assistant in this terminal")
    parser.add_argument("--user", default="", help="who you are (default: your login name)")
    parser.add_argument(
        "--trial",
        action="store_true",
        help="a throwaway database with local trial approvers (the default without assistant.toml "
        "and without console approvers)",
    )
    parser.set_defaults(func=run)


def wants_trial(settings: Settings, asked: bool) -> bool:
    """A trial when asked for, or when nothing is configured at all for the terminal."""
    if asked:
        return True
    has_console = any(i.platform == "console" for r in ROLES for i in settings.members(r))
    return settings.config_path is None and not has_console


def trial_settings(settings: Settings, folder: Path) -> Settings:
    """``settings`` on a throwaway SQLite database in ``folder``, with labelled trial approvers
    and terminal channels added to every stage."""
    roles = {r: settings.members(r) + LOCAL_ROLES[r] for r in ROLES}
    channels = {r: {**settings.channels.get(r, {}), **LOCAL_CHANNELS[r]} for r in ROLES}
    return dataclasses.replace(
        settings,
        database_url=f"sqlite:///{folder / 'trial.db'}",
        roles=roles,
        channels=channels,
        people={**settings.people, **LOCAL_NAMES},
    )


def _lines() -> Iterator[str]:
    while True:
        try:
            yield input("> ") if sys.stdin.isatty() else next(sys.stdin)
        except (EOFError, StopIteration):
            return


def run(args: argparse.Namespace) -> int:
    from assistant.adapters.console import ConsoleChat
    from assistant.app import build_core

    settings = load_settings()
    user = args.user or getpass.getuser() or "staff"
    if not wants_trial(settings, args.trial):
        print("Loading the policy index and model...", file=sys.stderr, flush=True)
        core = build_core(settings, warm=True, progress=True)
        ConsoleChat(core=core, user=user, out=sys.stdout).run(_lines())
        return 0
    with tempfile.TemporaryDirectory(prefix="assistant-trial-") as folder:
        trial = trial_settings(settings, Path(folder))
        print("Loading the policy index and model...", file=sys.stderr, flush=True)
        core = build_core(trial, warm=True, progress=True)
        print(TRIAL_NOTICE, flush=True)
        try:
            ConsoleChat(core=core, user=user, out=sys.stdout).run(_lines())
        finally:
            core.store.close()
    return 0
