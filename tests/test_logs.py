"""LOG_LEVEL and LOG_FORMAT are honoured; what staff write never reaches the log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from assistant.config import load_log_settings
from assistant.errors import ConfigError
from assistant.logs import configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


def test_log_settings_are_read_and_checked() -> None:
    assert load_log_settings({}) == load_log_settings({"LOG_LEVEL": "info", "LOG_FORMAT": "TEXT"})
    settings = load_log_settings({"LOG_LEVEL": "debug", "LOG_FORMAT": "json"})
    assert (settings.level, settings.format) == ("DEBUG", "json")
    with pytest.raises(ConfigError) as caught:
        load_log_settings({"LOG_LEVEL": "loud", "LOG_FORMAT": "xml"})
    assert "LOG_LEVEL" in str(caught.value) and "LOG_FORMAT" in str(caught.value)


def test_json_lines_at_the_level_asked_for(restore_logging) -> None:
    out = io.StringIO()
    configure_logging("WARNING", "json", stream=out)
    log = logging.getLogger("assistant.test")
    log.info("not shown")
    log.warning("shown: %d", 42)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2  # the traceback stays inside its line's object
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "shown: 42" and first["level"] == "WARNING"
    assert first["logger"] == "assistant.test" and first["time"].endswith("+00:00")
    assert "RuntimeError: boom" in second["exception"]


def test_the_command_line_honours_the_variables(monkeypatch, capsys, tmp_path) -> None:
    from assistant.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("ASSISTANT_CONFIG", "")
    monkeypatch.setenv("LOG_LEVEL", "shouty")
    assert main(["db", "status"]) == 2
    assert "LOG_LEVEL" in capsys.readouterr().err
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("LOG_FORMAT", "json")
    try:
        main(["db", "status"])
        logging.getLogger("assistant.x").debug("a debug line")
    finally:
        configure_logging("INFO", "text")
    err = capsys.readouterr().err
    assert any(json.loads(line)["message"] == "a debug line" for line in err.splitlines())
