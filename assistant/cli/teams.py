"""``assistant teams package`` (the Teams app zip) and ``assistant doctor`` (set-up checks)."""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings
from assistant.errors import AssistantError, ConfigError

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "adapters" / "teams" / "package"
PACKAGE_FILES = ("manifest.json", "color.png", "outline.png")


def register(subparsers: Any) -> None:
    """Add ``teams package`` and ``doctor``."""
    teams = subparsers.add_parser("teams", help="Microsoft Teams set-up")
    teams_commands = teams.add_subparsers(dest="teams_command", metavar="COMMAND")
    package = teams_commands.add_parser("package", help="build the Teams app package (zip)")
    package.add_argument("--out", type=Path, default=Path("teams-app.zip"), help="zip to write")
    package.set_defaults(func=_package_command)
    teams.set_defaults(func=lambda args: teams.print_help() or 2)

    doctor = subparsers.add_parser("doctor", help="check the set-up and say what is missing")
    doctor.set_defaults(func=_doctor_command)


def manifest(app_id: str) -> dict[str, Any]:
    """The manifest template with the bot's app id filled in."""
    text = (PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8")
    return json.loads(text.replace("{{APP_ID}}", app_id))


def build_package(app_id: str, out: Path) -> Path:
    """Write the Teams app zip (manifest.json, color.png, outline.png) to ``out``."""
    if not app_id:
        raise ConfigError(
            "MICROSOFT_APP_ID: not set; register the bot in Azure first (see docs/teams.md)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("manifest.json", json.dumps(manifest(app_id), indent=2))
        for name in PACKAGE_FILES[1:]:
            zipped.write(PACKAGE_DIR / name, name)
    return out


def _package_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    path = build_package(settings.teams.app_id, args.out)
    print(f"Wrote {path}: upload it in Teams (Apps > Manage your apps > Upload an app).")
    return 0


def teams_report(settings: Settings, core: Any) -> tuple[list[str], int]:
    """Lines about the Teams set-up, and how many of them are problems."""
    from assistant.adapters.teams.auth import AuthMode, decide_mode
    from assistant.adapters.teams.mount import channels_without_bot, tenant_order
    from assistant.adapters.teams.translate import personal_key

    lines: list[str] = []
    problems = 0
    mode = decide_mode(settings)
    if mode is AuthMode.AUTHENTICATED:
        lines.append(f"ok    Teams: on, app id {settings.teams.app_id}")
    elif mode is AuthMode.LOOPBACK_TRIAL:
        lines.append(
            "warn  Teams: local trial only (ASSISTANT_TEAMS_TRIAL=1, no MICROSOFT_APP_ID; "
            "submitting, withdrawing, feedback and decisions refused)"
        )
    else:
        lines.append("info  Teams: off (set MICROSOFT_APP_ID, _PASSWORD and _TENANT_ID)")
    missing = dict(channels_without_bot(settings, core))
    for stage, platforms in sorted(settings.channels.items()):
        channel = platforms.get("teams")
        if not channel:
            continue
        if stage in missing:
            problems += 1
            lines.append(
                f"FAIL  Teams channel {channel} ({stage}): the bot has not been added to it "
                "(add the app to that team, then send it a message there)"
            )
        else:
            lines.append(f"ok    Teams channel {channel} ({stage}): bot added")
    people = sorted({who for members in settings.roles.values() for who in members})
    for who in people:
        if who.platform != "teams":
            continue
        keys = [personal_key(t, who.user_id) for t in tenant_order(settings.teams)]
        if all(core.recall("teams_conversation", key) is None for key in keys):
            problems += 1
            name = settings.people.get(who, str(who))
            lines.append(
                f"FAIL  {name}: no personal chat with the bot, so direct messages can't reach "
                "them (pre-install the app with a Teams app setup policy, or they open it once)"
            )
    return lines, problems


def _index_build_report(settings: Settings) -> int:
    """Print how the last ``assistant index build`` went; 1 when it failed."""
    from assistant.policy.live import last_build

    build = last_build(settings.index_dir)
    if build and not build.get("ok"):
        print(
            f"FAIL  the last index build ({build.get('at')}) failed: {build.get('error')}; "
            "the previous index is still the one answering"
        )
        return 1
    if build:
        print(f"ok    last index build {build.get('at')}")
    return 0


def _doctor_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(
        "ok    settings loaded" + (f" from {settings.config_path}" if settings.config_path else "")
    )
    print("ok    Slack: on" if settings.slack.enabled else "info  Slack: off")
    problems = _index_build_report(settings)
    if settings.slack.enabled:
        from assistant.adapters.slack.doctor import run_slack_report

        slack_lines, slack_problems = run_slack_report(settings)
        print("\n".join(slack_lines))
        problems += slack_problems
    try:
        from assistant.app import build_core
    except ImportError:
        print("FAIL  the core is not available in this build")
        return 1
    try:
        core = build_core(settings)
    except AssistantError as exc:
        print(f"FAIL  {exc.user_message}")
        return 1
    if core.ready():
        print("ok    policy index and database ready")
    else:
        problems += 1
        print("FAIL  policy index or database not ready (run `assistant index build`)")
    lines, teams_problems = teams_report(settings, core)
    print("\n".join(lines))
    problems += teams_problems
    print(f"{problems} problem(s) found" if problems else "all good")
    return 1 if problems else 0
