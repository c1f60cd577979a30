"""``assistant chat``: the whole assistant in the terminal."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from collections.abc import Iterator

from assistant.config import ROLES, Settings, load_settings
from assistant.messages import Identity

# A local run with no console approvers configured gets these, so the whole approval can
# be tried in one terminal: "/as line-manager", "/as senior-manager", "/as principal".
LOCAL_ROLES = {role: (Identity("console", role.replace("_", "-")),) for role in ROLES}
LOCAL_CHANNELS = {role: {"console": f"#{role.replace('_', '-')}-approvals"} for role in ROLES}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("chat", help="talk to the assistant in this terminal")
    parser.add_argument("--user", default="", help="who you are (default: your login name)")
    parser.set_defaults(func=run)


def with_local_approvers(settings: Settings) -> tuple[Settings, bool]:
    """Settings with terminal approvers and channels added when none are configured."""
    has_console = any(i.platform == "console" for r in ROLES for i in settings.members(r))
    if has_console:
        return settings, False
    roles = {r: settings.members(r) + LOCAL_ROLES[r] for r in ROLES}
    channels = {r: {**settings.channels.get(r, {}), **LOCAL_CHANNELS[r]} for r in ROLES}
    return dataclasses.replace(settings, roles=roles, channels=channels), True


def _lines() -> Iterator[str]:
    while True:
        try:
            yield input("> ") if sys.stdin.isatty() else next(sys.stdin)
        except (EOFError, StopIteration):
            return


def run(args: argparse.Namespace) -> int:
    from assistant.adapters.console import ConsoleChat
    from assistant.app import build_core

    settings, local = with_local_approvers(load_settings())
    print("Loading the policy index and model...", file=sys.stderr, flush=True)
    core = build_core(settings, warm=True, progress=True)
    if local:
        print(
            "No terminal approvers are configured, so this run uses /as line-manager, "
            "/as senior-manager and /as principal.",
            flush=True,
        )
    user = args.user or getpass.getuser() or "staff"
    ConsoleChat(core=core, user=user, out=sys.stdout).run(_lines())
    return 0
