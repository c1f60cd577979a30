"""Prometheus metrics for ``GET /metrics``: counts and timings, never text or identities.

Questions and answer latency are counted as they happen: in this process, or, with several
workers, in files all of them share (prometheus-client's multiprocess mode), so that a
scrape of any worker gives the totals of every worker since the server started. Submissions,
decisions and waiting requests are read from the database at scrape time (so every worker
reports the same figures and a restart loses none). The index figures come from the index
the server is answering from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from assistant.errors import AnswerTimeout
from assistant.policy.answer import PolicyAnswer
from assistant.storage.statistics import WorkflowCounts, workflow_counts

# Warm answers take milliseconds; a cold or queued one can take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
DB_CACHE_S = 5.0  # scrapes closer together than this share one set of queries


class Metrics:
    """The registry behind ``/metrics`` and the instruments the core feeds."""

    def __init__(
        self,
        *,
        engine: Engine | None = None,
        index_figures: Callable[[], dict[str, float]] | None = None,
        extra: Sequence[Collector] = (),
        shared_dir: Path | None = None,
    ) -> None:
        self.registry = CollectorRegistry()  # collectors are not run at registration
        own: CollectorRegistry | None = self.registry
        if shared_dir is not None:
            # Every worker's counts are read from the shared files at scrape time; this
            # process's instruments only write there (PROMETHEUS_MULTIPROC_DIR names it).
            multiprocess.MultiProcessCollector(self.registry, path=str(shared_dir))
            own = None
        self.questions = Counter(
            "assistant_questions",
            "Policy questions, by outcome: answered, refused (not covered), unusable input, "
            "timed out",
            ["outcome"],
            registry=own,
        )
        for outcome in ("answered", "refused", "unusable", "timed_out"):
            self.questions.labels(outcome)  # every series exists from the start
        self.latency = Histogram(
            "assistant_answer_seconds",
            "Time to answer a policy question, queueing for the model included",
            buckets=LATENCY_BUCKETS,
            registry=own,
        )
        if engine is not None:
            self.registry.register(WorkflowCollector(engine))
        if index_figures is not None:
            self.registry.register(IndexCollector(index_figures))
        for collector in extra:
            self.registry.register(collector)

    def observe(self, answer: PolicyAnswer, seconds: float) -> None:
        """Count one answered question (its outcome only) and its latency."""
        outcome = "unusable" if answer.problem else "answered" if answer.answered else "refused"
        self.questions.labels(outcome).inc()
        self.latency.observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MeteredAnswerer:
    """Any answerer, with each question's outcome and latency counted."""

    def __init__(self, answerer: Any, metrics: Metrics) -> None:
        self.answerer = answerer
        self.metrics = metrics

    def answer(self, question: str) -> PolicyAnswer:
        started = time.perf_counter()
        try:
            answer: PolicyAnswer = self.answerer.answer(question)
        except AnswerTimeout:
            self.metrics.questions.labels("timed_out").inc()
            raise
        self.metrics.observe(answer, time.perf_counter() - started)
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.answerer, name)  # answer_many, batches, ... of the one inside


class WorkflowCollector(Collector):
    """Submissions, decisions by stage and outcome, and waiting requests by stage and age."""

    def __init__(self, engine: Engine, *, now: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.now = now or (lambda: datetime.now(UTC))
        self._cached: tuple[float, WorkflowCounts] | None = None

    def counts(self) -> WorkflowCounts:
        if self._cached is None or time.monotonic() - self._cached[0] > DB_CACHE_S:
            self._cached = (time.monotonic(), workflow_counts(self.engine, self.now()))
        return self._cached[1]

    def collect(self) -> Iterable[Metric]:
        counts = self.counts()
        submitted = CounterMetricFamily(
            "assistant_form_submissions", "Site-creation requests submitted (all time)"
        )
        submitted.add_metric([], counts.submitted)
        yield submitted
        decisions = CounterMetricFamily(
            "assistant_decisions",
            "Approval decisions, by stage and outcome",
            labels=["stage", "outcome"],
        )
        for (stage, outcome), n in sorted(counts.decisions.items()):
            decisions.add_metric([stage, outcome], n)
        yield decisions
        waiting = GaugeMetricFamily(
            "assistant_requests_waiting",
            "Requests waiting for a stage's decision, by how long they have waited",
            labels=["stage", "age"],
        )
        for (stage, age), n in sorted(counts.waiting.items()):
            waiting.add_metric([stage, age], n)
        yield waiting
        oldest = GaugeMetricFamily(
            "assistant_requests_waiting_oldest_seconds",
            "How long the longest-waiting request has waited at each stage",
            labels=["stage"],
        )
        for stage, seconds in sorted(counts.oldest_waiting_s.items()):
            oldest.add_metric([stage], seconds)
        yield oldest
        outbox = GaugeMetricFamily(
            "assistant_outbox_messages",
            "Messages for other conversations in the outbox, by state: pending (waiting or "
            "being retried), sent, failed (given up: people were told); kept as long as "
            "delivery keys",
            labels=["state"],
        )
        retries = GaugeMetricFamily(
            "assistant_outbox_retries",
            "Delivery attempts beyond the first, of the messages in the outbox, by state",
            labels=["state"],
        )
        for state in ("pending", "sent", "failed"):
            outbox.add_metric([state], counts.outbox.get(state, 0))
            retries.add_metric([state], counts.outbox_retries.get(state, 0))
        yield outbox
        yield retries


class IndexCollector(Collector):
    """The index being answered from: documents, clauses, when it was built, reloads."""

    HELP = {
        "documents": "Policy documents in the index answered from",
        "clauses": "Clauses in the index answered from",
        "built_timestamp_seconds": "When the index answered from was built (Unix time)",
        "build_seconds": "How long the last index build took, where known",
        "loaded_timestamp_seconds": "When this process took the index over (Unix time)",
        "reloads": "New index builds taken over without a restart",
        "problem": "1 when the newest build failed or did not load (the old index answers)",
    }

    def __init__(self, figures: Callable[[], dict[str, float]]) -> None:
        self.figures = figures

    def collect(self) -> Iterable[Metric]:
        for name, value in self.figures().items():
            help_text = self.HELP.get(name, name)
            if name == "reloads":
                counter = CounterMetricFamily(f"assistant_index_{name}", help_text)
                counter.add_metric([], value)
                yield counter
                continue
            gauge = GaugeMetricFamily(f"assistant_index_{name}", help_text)
            gauge.add_metric([], value)
            yield gauge


class RestartCollector(Collector):
    """How often the answer process was replaced, by reason (timeout, stopped)."""

    def __init__(self, restarts: Callable[[], dict[str, int]]) -> None:
        self.restarts = restarts

    def collect(self) -> Iterable[Metric]:
        counter = CounterMetricFamily(
            "assistant_answerer_restarts",
            "New answer processes started: after an answer timed out, or after one stopped",
            labels=["reason"],
        )
        for reason, n in sorted(self.restarts().items()):
            counter.add_metric([reason], n)
        yield counter
