"""``assistant serve``: the HTTP server for Slack and Teams (and Slack Socket Mode)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from typing import Any

from assistant.config import Settings, load_settings
from assistant.errors import ConfigError
from assistant.storage.db import normalise_url

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``serve`` command."""
    parser = subparsers.add_parser(
        "serve",
        help="run the server for Slack and Teams",
        description="Serve POST /slack/events, POST /api/messages and GET /healthz. "
        "With SLACK_APP_TOKEN set, Slack is also reached over Socket Mode.",
    )
    parser.add_argument("--host", help="address to listen on (default: HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: PORT or 3978)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (more than 1 needs PostgreSQL; each loads "
        "the model, about 0.7 GB)",
    )
    parser.add_argument(
        "--watch-corpus",
        action="store_true",
        help="rebuild the index when a file in the policy folder changes (taken over "
        "without a restart; a failed build leaves the working index in use)",
    )
    parser.set_defaults(func=run)


def serving_settings(args: argparse.Namespace) -> Settings:
    """The settings with ``--host`` / ``--port`` applied, so every adapter sees the real address."""
    settings = load_settings()
    return dataclasses.replace(
        settings,
        host=args.host or settings.host,
        port=settings.port if args.port is None else args.port,
    )


def check_workers(settings: Settings, workers: int) -> None:
    """Refuse a worker count the database cannot serve (SQLite: one process)."""
    if workers < 1:
        raise ConfigError(f"--workers: {workers} is not a number of processes (1 or more)")
    if workers > 1 and normalise_url(settings.database_url).get_backend_name() == "sqlite":
        raise ConfigError(
            f"--workers {workers} needs PostgreSQL: worker processes share nothing but the "
            "database, and SQLite serialises every write across processes. Set DATABASE_URL "
            "to a PostgreSQL database, or serve with one worker."
        )


def warn_about_storage(settings: Settings) -> list[str]:
    """Log, loudly, each way the approval records are at risk where they are kept."""
    from assistant.storage.admin import placement_warnings

    warnings = placement_warnings(settings.database_url, host=settings.host, checkout=settings.root)
    for warning in warnings:
        log.warning("!!! DATA AT RISK: %s", warning)
    return warnings


def build_index_once(settings: Settings) -> bool:
    """Before several workers start: build the index if it is missing or stale, in a child
    process (so the supervisor does not keep the model), rather than in every worker at once."""
    import subprocess

    from assistant.policy.corpus_watch import build_command

    command = build_command(settings.corpus_dir, settings.index_dir, if_stale=True)
    if subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL).returncode:
        log.error("the clause index could not be built (see above): no worker started")
        return False
    return True


def run(args: argparse.Namespace) -> int:
    """Build the core once and serve until interrupted."""
    from assistant.adapters.server import serve
    from assistant.app import build_service

    settings = serving_settings(args)
    check_workers(settings, args.workers)
    warn_about_storage(settings)
    watcher = None
    if args.watch_corpus:
        from assistant.policy.corpus_watch import CorpusWatcher

        watcher = CorpusWatcher(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir)
        log.info("watching %s for changed policies", settings.corpus_dir)
    if args.workers > 1:
        from assistant.adapters.workers import run_workers
        from assistant.config import load_log_settings
        from assistant.storage.admin import upgrade

        upgrade(settings.database_url)  # once, before the workers start
        if not build_index_once(settings):
            return 2
        # The supervisor builds (once for every worker); each worker takes the build over.
        beside = watcher.poll if watcher is not None else None
        return run_workers(settings, load_log_settings(), args.workers, beside=beside)
    service = build_service(settings, warm=True, batching=True)
    if watcher is not None:
        from assistant.policy.corpus_watch import watch_in_background

        watch_in_background(watcher)
    log.info(
        "serving on http://%s:%d (Slack: %s)",
        settings.host,
        settings.port,
        "on" if settings.slack.enabled else "off",
    )
    serve(service.core, settings, operations=service)
    return 0
