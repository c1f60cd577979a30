"""`assistant serve --host`: the adapters see the address the server really listens on."""

from __future__ import annotations

import argparse

import pytest

from assistant.adapters.teams.auth import AuthMode, decide_mode
from assistant.cli.serve import serving_settings


@pytest.fixture(autouse=True)
def no_teams_app(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "HOST",
        "PORT",
        "ASSISTANT_TEAMS_TRIAL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_CONFIG", "")
    monkeypatch.chdir(tmp_path)


def test_a_public_host_turns_the_unauthenticated_teams_route_off() -> None:
    settings = serving_settings(argparse.Namespace(host="0.0.0.0", port=8080))
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    assert decide_mode(settings) is AuthMode.OFF


def test_without_arguments_the_settings_address_is_kept() -> None:
    settings = serving_settings(argparse.Namespace(host=None, port=None))
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    # Loopback alone (as behind a same-host reverse proxy) does not open the trial.
    assert decide_mode(settings) is AuthMode.OFF


def test_the_trial_is_asked_for_and_stays_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TEAMS_TRIAL", "1")
    settings = serving_settings(argparse.Namespace(host=None, port=None))
    assert decide_mode(settings) is AuthMode.LOOPBACK_TRIAL
    public = serving_settings(argparse.Namespace(host="0.0.0.0", port=None))
    assert decide_mode(public) is AuthMode.OFF


def test_serve_warns_loudly_about_sqlite_on_a_public_host_inside_the_checkout(caplog) -> None:
    from assistant.cli.serve import warn_about_storage

    settings = serving_settings(argparse.Namespace(host="0.0.0.0", port=8080))
    assert settings.database_url.startswith("sqlite:")  # the default, under var/
    with caplog.at_level("WARNING"):
        warnings = warn_about_storage(settings)
    assert len(warnings) == 2
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("SQLite" in line and "0.0.0.0" in line for line in logged)
    assert any("inside the code checkout" in line for line in logged)


def test_more_than_one_worker_is_refused_on_sqlite() -> None:
    import dataclasses

    import pytest

    from assistant.cli.serve import check_workers
    from assistant.errors import ConfigError

    settings = serving_settings(argparse.Namespace(host=None, port=None))
    check_workers(settings, 1)
    with pytest.raises(ConfigError, match="--workers 2 needs PostgreSQL"):
        check_workers(settings, 2)
    with pytest.raises(ConfigError, match="1 or more"):
        check_workers(settings, 0)
    check_workers(dataclasses.replace(settings, database_url="postgresql://app@db/a"), 3)


def test_the_command_refuses_workers_on_sqlite_before_loading_anything(capsys) -> None:
    from assistant.cli import main

    assert main(["serve", "--workers", "2"]) == 2
    assert "needs PostgreSQL" in capsys.readouterr().err
