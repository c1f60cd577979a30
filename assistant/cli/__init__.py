"""The ``assistant`` command: one sub-command group per module of this package."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from assistant.config import load_log_settings
from assistant.errors import AssistantError
from assistant.logs import configure_logging

# Each module has register(subparsers) adding its commands with set_defaults(func=...).
COMMAND_MODULES = (
    "assistant.cli.policy",  # index build, ask, eval, bench
    "assistant.cli.chat",  # chat
    "assistant.cli.requests",  # requests list/show/export, feedback
    "assistant.cli.serve",  # serve
    "assistant.cli.db",  # db upgrade/status, backup, restore
    "assistant.cli.data",  # data purge/export/erase
    "assistant.cli.outbox",  # outbox list/retry
    "assistant.cli.delegate",  # delegate add/list/end
    "assistant.cli.teams",  # teams package, doctor
    "assistant.cli.slack",  # slack manifest
)

log = logging.getLogger("assistant")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Answers staff questions from the trust's policies and runs site approvals.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log debug detail (else LOG_LEVEL)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        log_settings = load_log_settings()
    except AssistantError as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return 2
    configure_logging("DEBUG" if args.verbose else log_settings.level, log_settings.format)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        log.debug("command failed", exc_info=True)
        print(f"assistant: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
