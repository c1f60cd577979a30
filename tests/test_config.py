"""Settings: the example configuration loads, and every bad key is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.errors import ConfigError
from assistant.messages import Identity

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_example_configuration_loads(tmp_path: Path) -> None:
    env = {"ASSISTANT_CONFIG": str(ROOT / "assistant.example.toml")}
    settings = load_settings(env, root=tmp_path)
    assert Identity("console", "pat") in settings.members("principal")
    assert settings.channel("line_manager", "slack") == "C0LINEMGRS"
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'assistant.db'}"


def test_no_configuration_file_is_fine_and_environment_wins(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": "sqlite:///x.db", "PORT": "8080"}, root=tmp_path)
    assert settings.config_path is None
    assert settings.database_url == "sqlite:///x.db"
    assert settings.port == 8080
    assert not settings.slack.enabled


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        """
        reminder_days = -1
        colour = "blue"
        [roles]
        principal = ["pat"]
        head = ["slack:U1"]
        [stages.principal]
        fax = "0123"
        """,
        encoding="utf-8",
    )
    env = {"ASSISTANT_CONFIG": str(config), "SLACK_BOT_TOKEN": "xoxb-1", "PORT": "eighty"}
    with pytest.raises(ConfigError) as caught:
        load_settings(env, root=tmp_path)
    message = str(caught.value)
    for key in (
        "reminder_days",
        "colour",
        "roles.principal[0]",
        "roles.head",
        "stages.principal.fax",
        "SLACK_SIGNING_SECRET",
        "PORT",
    ):
        assert key in message


def test_a_missing_or_broken_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings({"ASSISTANT_CONFIG": str(tmp_path / "missing.toml")}, root=tmp_path)
    broken = tmp_path / "broken.toml"
    broken.write_text("[roles\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({"ASSISTANT_CONFIG": str(broken)}, root=tmp_path)


def test_teams_single_tenant_needs_a_tenant(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TENANT_ID"):
        load_settings({"MICROSOFT_APP_ID": "app"}, root=tmp_path)
    settings = load_settings(
        {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_TENANT_ID": "t"}, root=tmp_path
    )
    assert settings.teams.app_type == "SingleTenant"
