"""Counts for the metrics endpoint, read from the database (so every worker reports the same)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, case, func, select

from assistant.storage.models import DecisionRow, OutboxRow, RequestRow
from assistant.workflow.stages import Status, current_stage

# Upper bounds, in days, of the "waiting for" bands of a pending stage.
AGE_BANDS: tuple[tuple[str, float], ...] = (
    ("1d", 1.0),
    ("3d", 3.0),
    ("7d", 7.0),
    ("30d", 30.0),
    ("older", float("inf")),
)


@dataclass(frozen=True)
class WorkflowCounts:
    """How many requests were submitted, decided and are waiting; no names or answers."""

    submitted: int = 0
    decisions: dict[tuple[str, str], int] = field(default_factory=dict)  # (stage, outcome)
    waiting: dict[tuple[str, str], int] = field(default_factory=dict)  # (stage, age band)
    oldest_waiting_s: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    # the outbox, per state (pending, sent, failed): messages, and attempts beyond the first
    outbox: dict[str, int] = field(default_factory=dict)
    outbox_retries: dict[str, int] = field(default_factory=dict)


def age_band(seconds: float) -> str:
    """The band of :data:`AGE_BANDS` a wait of ``seconds`` falls in."""
    days = seconds / 86_400
    return next(name for name, limit in AGE_BANDS if days < limit)


def workflow_counts(engine: Engine, now: datetime) -> WorkflowCounts:
    """Counts of requests and decisions as they stand at ``now``."""
    pending = [
        s.value
        for s in (
            Status.PENDING_LINE_MANAGER,
            Status.PENDING_SENIOR_MANAGER,
            Status.PENDING_PRINCIPAL,
        )
    ]
    with engine.connect() as connection:
        submitted = connection.execute(select(func.count()).select_from(RequestRow)).scalar_one()
        decided = connection.execute(
            select(DecisionRow.stage, DecisionRow.decision, func.count()).group_by(
                DecisionRow.stage, DecisionRow.decision
            )
        ).all()
        outbox_rows = connection.execute(
            select(
                OutboxRow.state,
                func.count(),
                func.sum(case((OutboxRow.attempts > 1, OutboxRow.attempts - 1), else_=0)),
            ).group_by(OutboxRow.state)
        ).all()
        waiting_rows = connection.execute(
            select(RequestRow.status, RequestRow.updated_at).where(RequestRow.status.in_(pending))
        ).all()
    waiting: dict[tuple[str, str], int] = {}
    oldest: dict[str, float] = {}
    for status, since in waiting_rows:
        stage = current_stage(Status(status))
        if stage is None:
            continue
        seconds = max(0.0, (now - since).total_seconds())
        key = (stage.value, age_band(seconds))
        waiting[key] = waiting.get(key, 0) + 1
        oldest[stage.value] = max(oldest.get(stage.value, 0.0), seconds)
    return WorkflowCounts(
        submitted=int(submitted),
        decisions={(str(stage), str(outcome)): int(n) for stage, outcome, n in decided},
        waiting=waiting,
        oldest_waiting_s=oldest,
        outbox={state: int(n) for state, n, _attempts in outbox_rows},
        outbox_retries={state: int(retries or 0) for state, _n, retries in outbox_rows},
    )
