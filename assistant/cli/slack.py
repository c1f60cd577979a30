"""``assistant slack manifest --url``: the Slack app manifest with the server's address."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.texts import slack as texts

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"
PLACEHOLDER = "https://assistant.example.org"


def register(subparsers: Any) -> None:
    """Add the ``slack`` group."""
    slack = subparsers.add_parser("slack", help="the Slack app")
    actions = slack.add_subparsers(dest="slack_command", metavar="ACTION")
    manifest = actions.add_parser("manifest", help="print the app manifest for your address")
    manifest.add_argument("--url", required=True, help="public HTTPS address of assistant serve")
    manifest.set_defaults(func=print_manifest)
    slack.set_defaults(func=lambda _args: slack.print_help() or 2)


def base_url(url: str) -> str:
    """``url`` as the manifest's base (https, a host, no path, query or fragment); ValueError."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(texts.MANIFEST_NEEDS_HTTPS.format(url=url))
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        raise ValueError(texts.MANIFEST_JUST_HOST.format(url=url))
    return f"https://{parts.netloc}"


def manifest_for(url: str) -> str:
    """The manifest text with every request URL pointing at ``url``."""
    return MANIFEST.read_text(encoding="utf-8").replace(PLACEHOLDER, base_url(url))


def print_manifest(args: argparse.Namespace) -> int:
    """Print the filled-in manifest, or say what is wrong with the address."""
    try:
        print(manifest_for(args.url), end="")
    except ValueError as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return 2
    return 0
