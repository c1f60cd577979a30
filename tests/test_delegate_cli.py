"""``assistant delegate add / list / end`` against a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main

CONFIG = """
[people.pat]
name = "Pat Principal"
identities = ["slack:UPAT"]

[people.sue]
name = "Sue Senior"
identities = ["slack:USUE"]

[[delegations]]
from = "sue"
to = "pat"
start = 2026-01-05
end = 2099-01-09
"""


@pytest.fixture(autouse=True)
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "assistant.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'assistant.db'}")


def test_add_list_and_end(capsys) -> None:
    assert main(["delegate", "add", "pat", "sue", "--until", "2099-12-31"]) == 0
    assert "Sue Senior acting for Pat Principal" in capsys.readouterr().out
    assert main(["delegate", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["config", "#1"]
    assert "Pat Principal acting for Sue Senior" in listed[0]
    assert main(["delegate", "end", "1"]) == 0
    assert main(["delegate", "end", "1"]) == 2  # ended already
    assert "no current delegation #1" in capsys.readouterr().err


def test_a_wrong_delegation_is_refused_with_the_reason(capsys) -> None:
    assert main(["delegate", "add", "pat", "bob", "--until", "2099-12-31"]) == 2
    assert "'bob' is not a configured person" in capsys.readouterr().err
    assert main(["delegate", "add", "pat", "sue", "--until", "2000-01-01"]) == 2
    assert "it ends before it starts" in capsys.readouterr().err
