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
    assert Identity("slack", "U0PRINCIPAL") in settings.members("principal")
    assert settings.channel("line_manager", "slack") == "C0LINEMGRS"
    # No console identity approves anything in the shipped example (the terminal is
    # unauthenticated), and Linda on Slack and on Teams is one person.
    roles = [
        who
        for role in ("line_manager", "senior_manager", "principal")
        for who in settings.members(role)
    ]
    assert roles and not [who for who in roles if who.platform == "console"]
    directory = settings.directory
    slack, teams = (
        Identity("slack", "U0LINEMGR1"),
        Identity("teams", "11111111-2222-3333-4444-555555555555"),
    )
    assert directory.same(slack, teams) and directory.name(teams) == "Linda Lee"
    assert directory.line_manager_of(Identity("slack", "U0TEACHER1")).key == "linda"
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'assistant.db'}"
    assert settings.retention.questions_days == 90 and settings.retention.requests_years == 6


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


def test_people_with_several_identities_and_their_problems(tmp_path: Path) -> None:
    config = tmp_path / "people.toml"
    config.write_text(
        """
        [roles]
        line_manager = ["linda", "slack:UOTHER"]
        [people.linda]
        name = "Linda Lee"
        identities = ["slack:U1", "teams:aad-1"]
        [people."slack:UOTHER"]
        name = "Not a key"
        identities = ["slack:U2"]
        [people.twin]
        name = "Linda's twin"
        identities = ["teams:aad-1", "fax:123"]
        line_manager = "nobody"
        colour = "red"
        [people.self]
        name = "Self"
        identities = ["slack:U9"]
        line_manager = "self"
        """,
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)
    message = str(caught.value)
    for problem in (
        "people.slack:UOTHER: a person's key is a short name",
        "people.twin.identities[0]: teams:aad-1 already belongs to people.linda",
        "people.twin.identities[1]: unknown platform 'fax'",
        "people.twin.colour: unknown key",
        "people.twin.line_manager: no person 'nobody'",
        "people.self.line_manager: a person is not their own line manager",
    ):
        assert problem in message, message


def test_a_role_may_name_a_person_and_old_style_names_still_load(tmp_path: Path) -> None:
    config = tmp_path / "people.toml"
    config.write_text(
        """
        [roles]
        principal = ["pat"]
        senior_manager = ["slack:U0SUE"]
        [people.pat]
        name = "Pat Patel"
        identities = ["slack:U0PAT", "teams:aad-pat"]
        [people]
        "slack:U0SUE" = "Sue Smith"
        """,
        encoding="utf-8",
    )
    settings = load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)
    assert settings.members("principal") == (
        Identity("slack", "U0PAT"),
        Identity("teams", "aad-pat"),
    )
    (pat,) = settings.directory.role("principal")
    assert pat.key == "pat" and pat.name == "Pat Patel"
    assert settings.directory.name(Identity("slack", "U0SUE")) == "Sue Smith"
    assert settings.people[Identity("teams", "aad-pat")] == "Pat Patel"


def test_the_teams_trial_switch_and_tenants(tmp_path: Path) -> None:
    assert load_settings({}, root=tmp_path).teams.trial is False
    assert load_settings({"ASSISTANT_TEAMS_TRIAL": "1"}, root=tmp_path).teams.trial is True
    with pytest.raises(ConfigError, match="ASSISTANT_TEAMS_TRIAL"):
        load_settings({"ASSISTANT_TEAMS_TRIAL": "yes"}, root=tmp_path)
    multi = {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_TYPE": "MultiTenant"}
    with pytest.raises(ConfigError, match="ASSISTANT_TEAMS_TENANTS"):
        load_settings(multi, root=tmp_path)
    settings = load_settings({**multi, "ASSISTANT_TEAMS_TENANTS": "t1, t2"}, root=tmp_path)
    assert settings.teams.allowed_tenants == {"t1", "t2"}


def test_followup_minutes_is_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "a.toml"
    config.write_text("followup_minutes = 30\n", encoding="utf-8")
    assert load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path).followup_minutes == 30
    assert load_settings({}, root=tmp_path).followup_minutes == 15
    for bad in ("-1", "true", '"soon"', "2000"):
        config.write_text(f"followup_minutes = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="followup_minutes"):
            load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)


def test_answer_timeout_is_read_from_the_file_or_the_environment_and_checked(
    tmp_path: Path,
) -> None:
    config = tmp_path / "a.toml"
    config.write_text("answer_timeout_seconds = 8\n", encoding="utf-8")
    env = {"ASSISTANT_CONFIG": str(config)}
    assert load_settings({}, root=tmp_path).answer_timeout_s == 20
    assert load_settings(env, root=tmp_path).answer_timeout_s == 8
    assert (
        load_settings({**env, "ASSISTANT_ANSWER_TIMEOUT": "2.5"}, root=tmp_path).answer_timeout_s
        == 2.5
    )
    with pytest.raises(ConfigError, match="ASSISTANT_ANSWER_TIMEOUT"):
        load_settings({"ASSISTANT_ANSWER_TIMEOUT": "soon"}, root=tmp_path)
    for bad in ("0", "true", '"soon"', "601"):
        config.write_text(f"answer_timeout_seconds = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="answer_timeout_seconds"):
            load_settings(env, root=tmp_path)


def test_the_admin_channel_is_read_per_platform_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "a.toml"
    config.write_text('[admin]\nslack = " C0OFFICE "\n', encoding="utf-8")
    settings = load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)
    assert settings.admin_channels == {"slack": "C0OFFICE"}
    config.write_text('[admin]\nslack = ""\nfax = "123"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)
    assert "admin.fax: unknown platform" in str(error.value)
    assert "admin.slack: must be a channel id" in str(error.value)
