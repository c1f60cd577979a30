"""``assistant doctor``'s Slack checks: the token, its scopes, the channels, the approvers.

Each line starts ``ok``, ``FAIL`` or ``info`` like the rest of the doctor's report. Nothing
here sends a message: auth.test, conversations.info and users.info only read.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from slack_sdk.errors import SlackApiError

from assistant.adapters.slack.app import web_client
from assistant.adapters.slack.delivery import WEB_API_ERRORS, failure_reason
from assistant.config import Settings

MANIFEST = Path(__file__).resolve().parents[3] / "slack" / "manifest.yml"


def required_scopes(manifest: Path = MANIFEST) -> set[str]:
    """The bot scopes the shipped manifest asks for."""
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    return set(data["oauth_config"]["scopes"]["bot"])


def _channels(settings: Settings) -> list[tuple[str, str]]:
    """(what it is for, channel id) of every Slack channel the configuration names."""
    found = [
        (f"the {stage} approval channel", by_platform["slack"])
        for stage, by_platform in sorted(settings.channels.items())
        if "slack" in by_platform
    ]
    if "slack" in settings.escalation.channels:
        found.append(("the escalation channel", settings.escalation.channels["slack"]))
    if "slack" in settings.admin_channels:
        found.append(("the [admin] channel", settings.admin_channels["slack"]))
    return found


async def slack_report(settings: Settings) -> tuple[list[str], int]:
    """The report's lines and how many problems they show."""
    client = web_client(settings.slack)
    lines: list[str] = []
    problems = 0
    try:
        auth = await client.auth_test()
    except WEB_API_ERRORS as exc:
        return [f"FAIL  Slack: the bot token was refused by auth.test ({failure_reason(exc)})"], 1
    lines.append(f"ok    Slack: signed in to {auth.get('team')} as {auth.get('user')}")
    granted = {
        s.strip() for s in str(auth.headers.get("x-oauth-scopes", "")).split(",") if s.strip()
    }
    missing = sorted(required_scopes() - granted)
    if missing:
        problems += 1
        lines.append(
            f"FAIL  Slack: the app lacks the scopes {', '.join(missing)}: add them (or create the "
            "app again from `assistant slack manifest`) and reinstall it"
        )
    else:
        lines.append("ok    Slack: every scope the manifest asks for is granted")
    for what, channel in _channels(settings):
        try:
            info = await client.conversations_info(channel=channel)
        except SlackApiError as exc:
            problems += 1
            lines.append(f"FAIL  Slack: {what} {channel}: {failure_reason(exc)}")
            continue
        except WEB_API_ERRORS as exc:
            problems += 1
            lines.append(
                f"FAIL  Slack: {what} {channel} could not be checked ({failure_reason(exc)})"
            )
            continue
        if info["channel"].get("is_member"):
            lines.append(f"ok    Slack: the bot is in {what} {channel}")
        else:
            problems += 1
            lines.append(
                f"FAIL  Slack: the bot is not in {what} {channel}: invite it there "
                "(/invite @Policy Assistant), or its posts will fail"
            )
    approvers = sorted(
        {i.user_id for members in settings.roles.values() for i in members if i.platform == "slack"}
    )
    for user_id in approvers:
        try:
            found = await client.users_info(user=user_id)
        except WEB_API_ERRORS as exc:
            problems += 1
            lines.append(f"FAIL  Slack: approver {user_id}: {failure_reason(exc)}")
            continue
        user = found["user"]
        if user.get("deleted"):
            problems += 1
            lines.append(f"FAIL  Slack: approver {user_id} is deactivated")
        else:
            lines.append(f"ok    Slack: approver {user_id} exists")
    return lines, problems


def run_slack_report(settings: Settings) -> tuple[list[str], int]:
    """:func:`slack_report` from synchronous code (the doctor command)."""
    return asyncio.run(slack_report(settings))
