"""``assistant requests list|show|export`` and ``assistant feedback`` on a real database."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from assistant.cli import requests as cli
from assistant.config import load_settings
from assistant.errors import NotFound
from assistant.storage import Store
from assistant.workflow.service import ApprovalService
from tests.workflow.conftest import ANNA, BEN, Clock, answers

CONFIG = """
reminder_days = 2
[roles]
line_manager = ["slack:ULINDA", "slack:UBEN"]
[people]
"slack:UBEN" = "Ben Brown"
"""


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="assistant")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def database(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    config = tmp_path / "assistant.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def test_commands_print_requests_decisions_and_feedback(database: str, capsys) -> None:
    assert _run("requests", "list") == 0
    assert capsys.readouterr().out.strip() == "No requests yet."
    store = Store.open(database)
    service = ApprovalService(store=store, settings=load_settings(), clock=Clock())
    service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    service.decide(1, "line_manager", BEN, "Ben", False, "Needs a second moderator")
    service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    answer = store.record_answer(ANNA, "Can I post photos?", ["A.5.2"], True)
    store.record_feedback(answer, ANNA, False)
    store.close()

    assert _run("requests", "list") == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["ID", "Requester", "Status", "Created", "Current", "stage"]
    assert listing[1].startswith("1 ") and "rejected" in listing[1]
    assert listing[2].startswith("2 ") and listing[2].rstrip().endswith("Line Manager")

    assert _run("requests", "show", "1") == 0
    shown = capsys.readouterr().out
    assert "Department: Art" in shown
    assert "Line Manager: rejected by Ben Brown (slack:UBEN)" in shown
    assert "Needs a second moderator" in shown
    assert "slack:UANNA  submitted" in shown and "slack:UBEN  rejected" in shown

    assert _run("requests", "export", "2") == 0
    assert capsys.readouterr().out.startswith("# Wootton Academy Trust Social Media Site")

    assert _run("feedback") == 0
    out = capsys.readouterr().out
    assert "0 helpful, 1 not helpful" in out and "A.5.2: 0 helpful, 1 not helpful" in out

    with pytest.raises(NotFound):
        _run("requests", "show", "99")
