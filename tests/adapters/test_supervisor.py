"""The supervisor of ``serve --workers``: a crashing worker is restarted with a growing delay,
and one that keeps crashing makes the supervisor stop everything and exit non-zero."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from assistant.adapters.workers import RestartPolicy, run_workers
from assistant.config import LogSettings, load_settings


def crash(settings, _logging, number: int) -> None:
    """A worker that records its start and dies at once, as one with a broken set-up does."""
    with open(settings.root / f"starts-{number}", "a", encoding="utf-8") as starts:
        starts.write(f"{time.monotonic()}\n")
    os._exit(3)


def test_the_restart_delay_doubles_up_to_a_ceiling() -> None:
    policy = RestartPolicy(first_delay_s=1.0, max_delay_s=10.0)
    assert [policy.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_worker_that_keeps_crashing_is_restarted_then_given_up_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings({"ASSISTANT_CONFIG": ""}, root=tmp_path)
    policy = RestartPolicy(max_crashes=4, window_s=60.0, first_delay_s=0.2, max_delay_s=0.4)
    turns: list[int] = []
    with caplog.at_level(logging.INFO, logger="assistant.adapters.workers"):
        status = run_workers(
            settings,
            LogSettings("INFO", "text"),
            2,
            policy=policy,
            target=crash,
            beside=lambda: turns.append(1),  # the corpus watch runs in the supervisor's loop
        )
    assert status == 1
    assert len(turns) >= 4
    starts = {n: [float(t) for t in (tmp_path / f"starts-{n}").read_text().split()] for n in (0, 1)}
    # The worker that reached the limit started once and was restarted three times; the
    # other was stopped wherever it was in its own restarts.
    assert sorted(len(s) for s in starts.values())[-1] == 4
    longest = max(starts.values(), key=len)
    gaps = [b - a for a, b in zip(longest, longest[1:], strict=False)]
    assert gaps[0] >= 0.2 and gaps[-1] >= 0.4  # restarts wait, and wait longer each time
    lines = [r.getMessage() for r in caplog.records]
    assert any("starting it again in" in line for line in lines)
    [given_up] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "4 crashes within 60 s; giving up" in given_up.getMessage()
    assert "exit 3" in given_up.getMessage()
