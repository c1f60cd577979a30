"""``assistant serve``: the HTTP server for Slack and Teams (and Slack Socket Mode)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from typing import Any

from assistant.config import Settings, load_settings

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
    parser.set_defaults(func=run)


def serving_settings(args: argparse.Namespace) -> Settings:
    """The settings with ``--host`` / ``--port`` applied, so every adapter sees the real address."""
    settings = load_settings()
    return dataclasses.replace(
        settings,
        host=args.host or settings.host,
        port=settings.port if args.port is None else args.port,
    )


def warn_about_storage(settings: Settings) -> list[str]:
    """Log, loudly, each way the approval records are at risk where they are kept."""
    from assistant.storage.admin import placement_warnings

    warnings = placement_warnings(settings.database_url, host=settings.host, checkout=settings.root)
    for warning in warnings:
        log.warning("!!! DATA AT RISK: %s", warning)
    return warnings


def run(args: argparse.Namespace) -> int:
    """Build the core once and serve until interrupted."""
    from assistant.adapters.server import serve
    from assistant.app import build_service

    settings = serving_settings(args)
    warn_about_storage(settings)
    service = build_service(settings, warm=True, batching=True)
    log.info(
        "serving on http://%s:%d (Slack: %s)",
        settings.host,
        settings.port,
        "on" if settings.slack.enabled else "off",
    )
    serve(service.core, settings, operations=service)
    return 0
