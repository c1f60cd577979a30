"""``assistant data purge / export / erase`` against a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.messages import Identity
from assistant.storage import Store

SLACK = Identity("slack", "ULINDA")
TEAMS = Identity("teams", "aad-linda")
CONFIG = """
[retention]
questions_days = 30

[people.linda]
name = "Linda Lee"
identities = ["slack:ULINDA", "teams:aad-linda"]
"""


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    config = tmp_path / "assistant.toml"
    config.write_text(CONFIG, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("DATABASE_URL", url)
    store = Store.open(url)
    store.record_answer(SLACK, "a parent messaged me on facebook", ["6.3"], True)
    store.save_draft(TEAMS, '{"step": "aims"}')
    store.close()
    return url


def _questions(url: str) -> list[str]:
    store = Store.open(url)
    try:
        return [q["question"] for q in store.privacy.export_person([SLACK, TEAMS], [])["questions"]]
    finally:
        store.close()


def test_export_by_person_key_covers_every_identity(database: str, capsys, tmp_path) -> None:
    assert main(["data", "export", "linda"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["person"] == "Linda Lee"
    assert found["identities"] == ["slack:ULINDA", "teams:aad-linda"]
    assert [q["question"] for q in found["questions"]] == ["a parent messaged me on facebook"]
    assert [d["identity"] for d in found["drafts"]] == ["teams:aad-linda"]

    out = tmp_path / "linda.json"
    assert main(["data", "export", "teams:aad-linda", "-o", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert json.loads(out.read_text())["questions"] == found["questions"]
    assert main(["data", "export", "linda", "-o", str(out)]) == 2  # never overwrites
    assert "exists" in capsys.readouterr().err


def test_erase_shows_first_and_changes_nothing_without_yes(database: str, capsys) -> None:
    assert main(["data", "erase", "slack:ULINDA"]) == 1
    out = capsys.readouterr().out
    assert "would erase Linda Lee (slack:ULINDA, teams:aad-linda)" in out
    assert "questions: 1" in out and "nothing changed" in out
    assert _questions(database) == ["a parent messaged me on facebook"]

    assert main(["data", "erase", "linda", "--yes"]) == 0
    assert "erased Linda Lee: questions 1, drafts 1" in capsys.readouterr().out
    assert _questions(database) == []


def test_an_unknown_person_or_a_bad_identity_is_a_clear_message(database: str, capsys) -> None:
    assert main(["data", "erase", "lynda"]) == 2
    assert "no person 'lynda' in the configuration" in capsys.readouterr().err
    assert main(["data", "export", "slack:"]) == 2
    assert "not a platform-qualified identity" in capsys.readouterr().err


def test_purge_uses_the_configured_periods(database: str, capsys) -> None:
    assert main(["data", "purge"]) == 0
    out = capsys.readouterr().out
    assert "questions: text and asker removed after 30 days" in out
    assert "removed: questions 0, drafts 0" in out
    assert _questions(database) == ["a parent messaged me on facebook"]  # a day old at most


def test_outbox_list_and_retry(database: str, capsys) -> None:
    from assistant.messages import Message, SendDirect
    from assistant.storage.outbox_repository import Outgoing

    store = Store.open(database)
    [row] = store.outbox.add(
        [Outgoing("slack", SendDirect(SLACK, Message("secret")), str(SLACK), 3, "ask:principal")]
    )
    store.outbox.claim(row)
    store.outbox.not_sent(row, "user_not_found", final=True)
    store.close()

    assert main(["outbox", "list", "--state", "failed"]) == 0
    listed = capsys.readouterr().out
    assert "failed" in listed and "request #3" in listed and "user_not_found" in listed
    assert "secret" not in listed  # never the message text
    assert main(["outbox", "retry"]) == 2
    assert "give outbox ids" in capsys.readouterr().err
    assert main(["outbox", "retry", "--request", "3"]) == 0
    assert capsys.readouterr().out.startswith("1 message(s) will be sent again")
    assert main(["outbox", "list", "--state", "failed"]) == 0
    assert capsys.readouterr().out.strip() == "no failed messages"
