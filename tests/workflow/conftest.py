"""Workflow fixtures: a service on SQLite and PostgreSQL, settings, and a clock we move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.messages import Identity
from assistant.storage import Store
from assistant.workflow.service import ApprovalService

ANNA = Identity("slack", "UANNA")  # a teacher who asks for a site
BEN = Identity("slack", "UBEN")  # her line manager, named on the form (holds the role)
LINDA = Identity("slack", "ULINDA")  # another line manager
SUE = Identity("slack", "USUE")  # senior manager
SIMON = Identity("teams", "simon-aad")  # senior manager on Teams
PAT = Identity("slack", "UPAT")  # the Principal
EVE = Identity("slack", "UEVE")  # nobody in particular


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings with three roles, named people and Slack channels for every stage."""
    values: dict[str, Any] = {
        "root": tmp_path,
        "database_url": "",
        "corpus_dir": tmp_path,
        "index_dir": tmp_path,
        "config_path": None,
        "roles": {
            "line_manager": (LINDA, BEN),
            "senior_manager": (SUE, SIMON),
            "principal": (PAT,),
        },
        "channels": {
            "line_manager": {"slack": "C-LM"},
            "senior_manager": {"slack": "C-SM", "teams": "19:sm@thread"},
            "principal": {"slack": "C-P"},
        },
        "people": {
            ANNA: "Anna Adams",
            BEN: "Ben Brown",
            LINDA: "Linda Lee",
            SUE: "Sue Smith",
            SIMON: "Simon Stone",
            PAT: "Pat Patel",
        },
        "reminder_days": 3.0,
    }
    values.update(overrides)
    return Settings(**values)


def answers(line_manager: dict[str, Any] | None = None) -> dict[str, Any]:
    """Submitted form answers, shaped as the form stores them (people as one-item lists)."""
    return {
        "department": "Art",
        "author": [{"name": "Anna Adams", "identity": str(ANNA)}],
        "line_manager": [line_manager or {"name": "Ben Brown", "identity": str(BEN)}],
        "aims": "Show pupils' art to families.",
        "content": "Photos of artwork, never of pupils.",
        "audience": ["families", "staff"],
        "contributors": ["staff"],
        "administrators": [
            {"name": "Anna Adams", "identity": str(ANNA)},
            {"name": "Sue Smith", "identity": None},
        ],
        "moderators": [
            {"name": "Anna Adams", "identity": str(ANNA)},
            {"name": "Ben Brown", "identity": None},
        ],
        "vetting": "Anna Adams",
        "host": "school",
        "go_live": "2025-04-01",
        "closure": "2026-07-31",
        "advertising": "Not advertised",
        "consent": "Not applicable: no pupils contribute",
        "security": "Comments off; staff-only posting.",
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def service(store: Store, settings: Settings, clock: Clock) -> ApprovalService:
    return ApprovalService(store=store, settings=settings, clock=clock)
