"""`assistant chat`: trial approvers only with a throwaway database; console approvers decide
terminal requests only."""

from __future__ import annotations

from pathlib import Path

from assistant.cli.chat import LOCAL_ROLES, trial_settings, wants_trial
from assistant.config import load_settings
from assistant.messages import Identity

SERVER_CONFIG = """
[roles]
principal = ["slack:U0PAT"]
"""


def test_with_a_configuration_the_chat_adds_no_approvers(tmp_path: Path) -> None:
    # The server's own configuration and database: no trial approvers may appear there.
    config = tmp_path / "assistant.toml"
    config.write_text(SERVER_CONFIG, encoding="utf-8")
    settings = load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)
    assert not wants_trial(settings, asked=False)
    assert Identity("console", "principal") not in settings.members("principal")


def test_the_trial_is_a_throwaway_database_with_labelled_approvers(tmp_path: Path) -> None:
    settings = load_settings({}, root=tmp_path)
    assert settings.config_path is None and wants_trial(settings, asked=False)
    trial = trial_settings(settings, tmp_path / "throwaway")
    assert trial.database_url != settings.database_url
    assert trial.database_url == f"sqlite:///{tmp_path / 'throwaway' / 'trial.db'}"
    for role, (local,) in LOCAL_ROLES.items():
        assert local in trial.members(role)
        assert "trial" in trial.directory.name(local).lower()


def test_a_configured_file_still_gets_a_trial_when_asked(tmp_path: Path) -> None:
    config = tmp_path / "assistant.toml"
    config.write_text(SERVER_CONFIG, encoding="utf-8")
    settings = load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)
    assert wants_trial(settings, asked=True)
    trial = trial_settings(settings, tmp_path / "t")
    assert trial.database_url.endswith("/t/trial.db")
