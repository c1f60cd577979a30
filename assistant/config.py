"""Settings, read once at start-up from the environment and the TOML file.

No other module reads ``os.environ``. A wrong or missing key fails with a
:class:`~assistant.errors.ConfigError` that names every key at fault.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.delegation import Delegation, parse_delegations
from assistant.errors import ConfigError
from assistant.messages import Identity
from assistant.people import Directory, Person, parse_people
from assistant.retention import Retention, parse_retention
from assistant.school_calendar import Escalation, SchoolCalendar, parse_escalation, parse_school

ROLES = ("line_manager", "senior_manager", "principal")
STAGES = ROLES  # stage i is decided by role i (the line manager stage may also be the named one)
PLATFORMS = ("slack", "teams", "console")
DEFAULT_PORT = 3978


@dataclass(frozen=True)
class SlackSettings:
    """Slack credentials; the Slack route is on only when ``enabled``."""

    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = "https://slack.com/api/"

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.signing_secret)


@dataclass(frozen=True)
class TeamsSettings:
    """Bot Framework credentials; empty ``app_id`` means no authentication (local trial only)."""

    app_id: str = ""
    app_password: str = ""
    app_type: str = ""
    tenant_id: str = ""
    # MultiTenant: the other tenants whose users may use the bot (ASSISTANT_TEAMS_TENANTS).
    tenants: tuple[str, ...] = ()
    # ASSISTANT_TEAMS_TRIAL=1: without an app id, a loopback-only trial that changes nothing.
    trial: bool = False
    # botbuilder configuration names (TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL, ...) -> URL, for
    # a private cloud or a local test issuer; empty means Microsoft's public cloud.
    endpoints: Mapping[str, str] = field(default_factory=dict)

    @property
    def allowed_tenants(self) -> frozenset[str]:
        """The Entra tenants whose users the bot serves: ours, and any allowed others."""
        return frozenset(t for t in (self.tenant_id, *self.tenants) if t)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, built once by :func:`load_settings`."""

    root: Path
    database_url: str
    corpus_dir: Path
    index_dir: Path
    config_path: Path | None
    roles: Mapping[str, tuple[Identity, ...]] = field(default_factory=dict)
    # stage -> platform -> channel id
    channels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # identity -> display name (also lets a typed name be matched to a person)
    people: Mapping[Identity, str] = field(default_factory=dict)
    # person key -> Person: one member of staff with all their identities ([people.<key>])
    persons: Mapping[str, Person] = field(default_factory=dict)
    reminder_days: float = 3.0
    # How long a question is kept to read a follow-up with (0: every question stands alone).
    followup_minutes: float = 15.0
    # How long a policy answer may take before staff are told to try again and the answer
    # process is restarted (answer_timeout_seconds, ASSISTANT_ANSWER_TIMEOUT).
    answer_timeout_s: float = 20.0
    # how long personal data is kept ([retention]; see assistant.retention)
    retention: Retention = field(default_factory=Retention)
    # who stands in for whom when ([[delegations]]; the workflow adds those made by command
    # and keeps only the ones covering today when it decides who may decide)
    delegations: tuple[Delegation, ...] = ()
    # platform -> channel told when a request cannot reach its approvers ([admin])
    admin_channels: Mapping[str, str] = field(default_factory=dict)
    # school days and hours for reminders; where a stage goes after too many reminders
    school: SchoolCalendar = field(default_factory=SchoolCalendar)
    escalation: Escalation = field(default_factory=Escalation)
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # Set by ``serve --workers`` (not the environment): where the workers' question counters
    # are kept in common, so that /metrics on any worker gives the totals.
    metrics_dir: Path | None = None
    log_level: str = "INFO"
    slack: SlackSettings = field(default_factory=SlackSettings)
    teams: TeamsSettings = field(default_factory=TeamsSettings)

    def members(self, role: str) -> tuple[Identity, ...]:
        return tuple(self.roles.get(role, ()))

    def channel(self, stage: str, platform: str) -> str | None:
        return self.channels.get(stage, {}).get(platform)

    @cached_property
    def directory(self) -> Directory:
        """Everyone configured, as people rather than identities (see :mod:`assistant.people`)."""
        return Directory(self.persons.values(), names=self.people, roles=self.roles)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class LogSettings:
    """How to log: ``LOG_LEVEL`` and ``LOG_FORMAT`` (read apart from the rest, so that a
    broken configuration file is still reported through the configured log)."""

    level: str = "INFO"
    format: str = "text"


@contextlib.contextmanager
def exported(name: str, value: str) -> Iterator[None]:
    """``name=value`` in this process's environment while the block runs, for the child
    processes it starts (a library of theirs reads it); the old value is put back after."""
    outer = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if outer is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = outer


def load_log_settings(env: Mapping[str, str] | None = None) -> LogSettings:
    """``LOG_LEVEL`` (default INFO) and ``LOG_FORMAT`` (default text) from ``env``."""
    env = os.environ if env is None else env
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    fmt = (env.get("LOG_FORMAT") or "text").strip().lower()
    problems = []
    if level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL: {level!r} is not one of {', '.join(LOG_LEVELS)}")
    if fmt not in LOG_FORMATS:
        problems.append(f"LOG_FORMAT: {fmt!r} is not one of {', '.join(LOG_FORMATS)}")
    if problems:
        raise ConfigError("configuration problems:\n  " + "\n  ".join(problems))
    return LogSettings(level=level, format=fmt)


def _admin_channels(raw: object) -> tuple[dict[str, str], list[str]]:
    """``[admin]``: the channel, per platform, told when something cannot be delivered."""
    if not isinstance(raw, dict):
        return {}, ["admin: must be a table of platform = channel"]
    problems = [
        f"admin.{key}: unknown platform (expected {', '.join(PLATFORMS)})"
        for key in sorted(set(raw) - set(PLATFORMS))
    ]
    channels: dict[str, str] = {}
    for platform in PLATFORMS:
        if platform not in raw:
            continue
        channel = raw[platform]
        if not isinstance(channel, str) or not channel.strip():
            problems.append(f"admin.{platform}: must be a channel id")
        else:
            channels[platform] = channel.strip()
    return channels, problems


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def load_settings(env: Mapping[str, str] | None = None, *, root: Path | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default ``os.environ``) and the TOML file it names."""
    env = os.environ if env is None else env
    root = root or _project_root()
    problems: list[str] = []

    config_env = env.get("ASSISTANT_CONFIG", "")
    config_path: Path | None = Path(config_env) if config_env else root / "assistant.toml"
    data: dict[str, Any] = {}
    if config_path is not None and config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    elif config_env:
        raise ConfigError(f"ASSISTANT_CONFIG: no such file {config_env}")
    else:
        config_path = None

    known = {
        "database_url", "reminder_days", "followup_minutes", "answer_timeout_seconds", "roles",
        "stages", "people", "school", "escalation", "retention", "admin",
        "delegations",
    }  # fmt: skip
    for key in sorted(set(data) - known):
        problems.append(f"{key}: unknown key (expected one of {', '.join(sorted(known))})")

    persons, people_problems = parse_people(data.get("people", {}), PLATFORMS)
    problems += people_problems
    people = {identity: p.name for p in persons.values() for identity in p.identities}

    roles: dict[str, tuple[Identity, ...]] = {}
    raw_roles = data.get("roles", {})
    if not isinstance(raw_roles, dict):
        problems.append("roles: must be a table")
        raw_roles = {}
    for key in sorted(set(raw_roles) - set(ROLES)):
        problems.append(f"roles.{key}: unknown role (expected {', '.join(ROLES)})")
    for role in ROLES:
        members = raw_roles.get(role, [])
        if not isinstance(members, list):
            problems.append(
                f'roles.{role}: must be a list of people\'s keys or identities like "slack:U0123"'
            )
            continue
        parsed: list[Identity] = []
        for i, member in enumerate(members):
            if ":" not in str(member) and str(member) in persons:
                parsed += persons[str(member)].identities  # a person's key: all their identities
                continue
            try:
                identity = Identity.parse(str(member))
            except ValueError as exc:
                problems.append(f"roles.{role}[{i}]: {exc}")
                continue
            if identity.platform not in PLATFORMS:
                problems.append(f"roles.{role}[{i}]: unknown platform {identity.platform!r}")
            parsed.append(identity)
        roles[role] = tuple(parsed)

    channels: dict[str, dict[str, str]] = {}
    raw_stages = data.get("stages", {})
    if not isinstance(raw_stages, dict):
        problems.append("stages: must be a table")
        raw_stages = {}
    for key in sorted(set(raw_stages) - set(STAGES)):
        problems.append(f"stages.{key}: unknown stage (expected {', '.join(STAGES)})")
    for stage in STAGES:
        table = raw_stages.get(stage, {})
        if not isinstance(table, dict):
            problems.append(f"stages.{stage}: must be a table of platform = channel")
            continue
        for platform, channel in table.items():
            if platform not in PLATFORMS:
                problems.append(
                    f"stages.{stage}.{platform}: unknown platform (expected {', '.join(PLATFORMS)})"
                )
            elif not isinstance(channel, str) or not channel.strip():
                problems.append(f"stages.{stage}.{platform}: must be a channel id")
            else:
                channels.setdefault(stage, {})[platform] = channel.strip()

    reminder_days = data.get("reminder_days", 3)
    if (
        not isinstance(reminder_days, int | float)
        or isinstance(reminder_days, bool)
        or reminder_days <= 0
    ):
        problems.append("reminder_days: must be a positive number of days")
        reminder_days = 3

    followup_minutes = data.get("followup_minutes", 15)
    if (
        not isinstance(followup_minutes, int | float)
        or isinstance(followup_minutes, bool)
        or not 0 <= followup_minutes <= 24 * 60
    ):
        problems.append("followup_minutes: must be a number of minutes from 0 to 1440")
        followup_minutes = 15
    answer_timeout = _answer_timeout(env, data, problems)
    school, school_problems = parse_school(data.get("school", {}))
    escalation, escalation_problems = parse_escalation(data.get("escalation", {}), PLATFORMS)
    retention, retention_problems = parse_retention(data.get("retention", {}))
    admin_channels, admin_problems = _admin_channels(data.get("admin", {}))
    delegations, delegation_problems = parse_delegations(data.get("delegations"), persons)
    problems += admin_problems + delegation_problems
    problems += school_problems + escalation_problems + retention_problems

    port_text = env.get("PORT", str(DEFAULT_PORT))
    try:
        port = int(port_text)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        problems.append(f"PORT: not a port number: {port_text!r}")
        port = DEFAULT_PORT

    slack = SlackSettings(
        bot_token=env.get("SLACK_BOT_TOKEN", ""),
        signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
        app_token=env.get("SLACK_APP_TOKEN", ""),
        api_url=env.get("SLACK_API_URL", "") or "https://slack.com/api/",
    )
    if bool(slack.bot_token) != bool(slack.signing_secret):
        missing = "SLACK_SIGNING_SECRET" if slack.bot_token else "SLACK_BOT_TOKEN"
        problems.append(f"{missing}: needed too when the other Slack variable is set")

    app_id = env.get("MICROSOFT_APP_ID", "")
    app_type = env.get("MICROSOFT_APP_TYPE", "") or ("SingleTenant" if app_id else "")
    if app_type and app_type not in ("SingleTenant", "MultiTenant", "UserAssignedMSI"):
        problems.append(
            f"MICROSOFT_APP_TYPE: {app_type!r} is not SingleTenant, MultiTenant or UserAssignedMSI"
        )
    trial_text = env.get("ASSISTANT_TEAMS_TRIAL", "").strip()
    if trial_text not in ("", "0", "1"):
        problems.append(f"ASSISTANT_TEAMS_TRIAL: 1 turns the local trial on, not {trial_text!r}")
    teams = TeamsSettings(
        app_id=app_id,
        app_password=env.get("MICROSOFT_APP_PASSWORD", ""),
        app_type=app_type,
        tenant_id=env.get("MICROSOFT_APP_TENANT_ID", ""),
        tenants=tuple(
            t.strip() for t in env.get("ASSISTANT_TEAMS_TENANTS", "").split(",") if t.strip()
        ),
        trial=trial_text == "1",
    )
    if app_id and app_type == "SingleTenant" and not teams.tenant_id:
        problems.append("MICROSOFT_APP_TENANT_ID: needed for a SingleTenant bot")
    if app_id and not teams.allowed_tenants:
        # Only users of the school's own tenant(s) may act: a token alone proves no tenant.
        problems.append(
            "MICROSOFT_APP_TENANT_ID: needed (or ASSISTANT_TEAMS_TENANTS for a MultiTenant bot)"
        )

    if problems:
        where = f" in {config_path}" if config_path else ""
        raise ConfigError("configuration problems" + where + ":\n  " + "\n  ".join(problems))

    var_dir = root / "var"
    default_db = f"sqlite:///{var_dir / 'assistant.db'}"
    return Settings(
        root=root,
        database_url=env.get("DATABASE_URL") or str(data.get("database_url") or default_db),
        corpus_dir=Path(env.get("ASSISTANT_CORPUS_DIR") or root / "policy_corpus"),
        index_dir=Path(env.get("ASSISTANT_INDEX_DIR") or root / "index"),
        config_path=config_path,
        roles=roles,
        channels=channels,
        people=people,
        persons=persons,
        reminder_days=float(reminder_days),
        followup_minutes=float(followup_minutes),
        answer_timeout_s=answer_timeout,
        retention=retention,
        admin_channels=admin_channels,
        delegations=delegations,
        school=school,
        escalation=escalation,
        host=env.get("HOST", "127.0.0.1"),
        port=port,
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        slack=slack,
        teams=teams,
    )


def _answer_timeout(env: Mapping[str, str], data: Mapping[str, Any], problems: list[str]) -> float:
    """``ASSISTANT_ANSWER_TIMEOUT``, else ``answer_timeout_seconds``, else 20: seconds."""
    text = env.get("ASSISTANT_ANSWER_TIMEOUT", "").strip()
    name, value = (
        ("ASSISTANT_ANSWER_TIMEOUT", text)
        if text
        else ("answer_timeout_seconds", data.get("answer_timeout_seconds", 20))
    )
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 600:
        problems.append(f"{name}: must be a number of seconds above 0, at most 600")
        return 20.0
    return float(value)
