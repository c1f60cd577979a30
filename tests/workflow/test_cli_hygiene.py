"""Staff text printed by ``assistant requests`` and exported as Markdown stays text."""

from __future__ import annotations

from assistant.config import load_settings
from assistant.storage import Store
from assistant.workflow.service import ApprovalService
from tests.workflow.conftest import ANNA, Clock, answers
from tests.workflow.test_cli_requests import _run, database  # noqa: F401 - a fixture

ESCAPES = "\x1b[2J\x1b[1;1H\x1b]0;owned\x07\x9b31m"


def _submit(url: str, **changes: str) -> None:
    store = Store.open(url)
    service = ApprovalService(store=store, settings=load_settings(), clock=Clock())
    service.submit(
        ANNA, changes.pop("name", "Anna Adams"), {**answers(), **changes}, platform="slack"
    )
    store.close()


def test_requests_show_and_list_strip_terminal_escape_sequences(database, capsys):  # noqa: F811
    _submit(database, aims=f"Art{ESCAPES} for families", name=f"Anna{ESCAPES} Adams")
    for command in (("requests", "show", "1"), ("requests", "list"), ("requests", "export", "1")):
        assert _run(*command) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out, command
        assert "owned" not in out or "]0;" not in out
    _run("requests", "show", "1")
    assert "Art for families" in capsys.readouterr().out


def test_the_markdown_export_escapes_html(database, capsys):  # noqa: F811
    _submit(
        database,
        aims="<script>alert(1)</script> & more",
        name='<img src=x onerror="alert(1)">',
    )
    assert _run("requests", "export", "1") == 0
    out = capsys.readouterr().out
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in out
