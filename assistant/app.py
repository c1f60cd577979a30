"""Builds the core from settings: database, clause index, answerer and workflow."""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from assistant.config import Settings
from assistant.conversation import Assistant
from assistant.metrics import MeteredAnswerer, Metrics, RestartCollector
from assistant.outbox import Outbox
from assistant.policy.batching import (
    WARM_QUESTION,
    AnswerProcess,
    BatchingAnswerer,
    one_thread_minilm,
)
from assistant.policy.embedder import Embedder, MiniLMEmbedder
from assistant.policy.index import ensure_index
from assistant.policy.live import IndexWatcher, Loaded, SwappableAnswerer, last_build
from assistant.storage.store import Store
from assistant.workflow.service import ApprovalService

log = logging.getLogger(__name__)
PROBE_TIMEOUT_S = 5.0  # an answerer slower than this to answer a short question is down


@dataclass
class Service:
    """The core with what a server runs beside it: index reloads, metrics and health."""

    core: Assistant
    watcher: IndexWatcher
    metrics: Metrics
    answerer: Any  # the answerer under the metrics, for the health probe
    process: AnswerProcess | None = None  # the child answering, when there is one
    outbox: Outbox | None = None  # effects for other conversations, delivered with retries

    def close(self) -> None:
        """Stop the answer process, if any, and close the database."""
        if self.process is not None:
            self.process.close()
        self.core.store.close()

    def check_index(self) -> bool:
        """Take over a new index build if one has finished (True when swapped)."""
        return self.watcher.check()

    def index_figures(self) -> dict[str, float]:
        state = self.watcher.state
        manifest = state.manifest
        figures = {
            "documents": float(state.loaded.documents),
            "clauses": float(manifest.clause_count),
            "built_timestamp_seconds": float(
                calendar.timegm(time.strptime(manifest.built_at, "%Y-%m-%dT%H:%M:%SZ"))
            ),
            "loaded_timestamp_seconds": state.loaded_at,
            "reloads": float(self.watcher.reloads),
            "problem": 1.0 if state.problem else 0.0,
        }
        build = last_build(self.watcher.index_dir)
        if build and build.get("ok") and isinstance(build.get("seconds"), int | float):
            figures["build_seconds"] = float(build["seconds"])
        return figures

    def health(self) -> dict[str, Any]:
        """The index, database and answerer, each with ``ok`` (blocking: call from a thread)."""
        state = self.watcher.state
        index = {
            "ok": True,  # a failed build leaves the working index answering
            "documents": state.loaded.documents,
            "clauses": state.manifest.clause_count,
            "built_at": state.manifest.built_at,
            "problem": state.problem,
        }
        return {
            "index": index,
            "database": {"ok": self.core.ready()},
            "answerer": self._probe(),
        }

    def _probe(self) -> dict[str, Any]:
        if self.process is not None:  # behind the questions already sent to the child
            return self.process.probe(PROBE_TIMEOUT_S)
        started = time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=1)  # no ``with``: it would wait for a hung answer
        future = pool.submit(self.answerer.answer, WARM_QUESTION)
        try:
            answered = future.result(timeout=PROBE_TIMEOUT_S).answered
        except FutureTimeout:
            return {"ok": False, "problem": f"no answer within {PROBE_TIMEOUT_S:.0f} s"}
        except Exception as exc:  # noqa: BLE001 - any failure means "down", and why
            return {"ok": False, "problem": f"{type(exc).__name__}: {exc}"}
        finally:
            pool.shutdown(wait=False)
        return {"ok": answered, "seconds": round(time.perf_counter() - started, 3)}


def build_service(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    child_embedder: Callable[[], Embedder] | None = None,
    warm: bool = False,
    batching: bool = False,
    progress: bool = False,
) -> Service:
    """The assistant and its index watcher and metrics, ready to handle messages.

    The database is migrated and the index loaded (rebuilt first if stale). ``warm`` loads
    the model and answers one question now, so the first person does not wait for it.
    ``batching`` shares one encode between questions that arrive together (servers); with
    the real model it also answers in a child process (:class:`AnswerProcess`), so that the
    server's event loop does not wait for the interpreter lock behind the model.
    ``child_embedder`` (a picklable factory) answers in the child with another embedder.
    """
    store = Store.open(settings.database_url)
    in_child = batching and (embedder is None or child_embedder is not None)
    embedder = embedder or (child_embedder() if child_embedder else MiniLMEmbedder())
    index = ensure_index(
        settings.corpus_dir, settings.index_dir, lambda: embedder, progress=progress
    )
    answerer: SwappableAnswerer | AnswerProcess
    if in_child:
        answerer = AnswerProcess(
            index_dir=settings.index_dir,
            make_embedder=child_embedder or one_thread_minilm,
            timeout=settings.answer_timeout_s,
        )
    else:
        answerer = SwappableAnswerer(index=index, embedder=embedder)
    if warm or in_child:
        answerer.answer(WARM_QUESTION)  # in a child: waits until it has started
    log.info("ready: %d clauses from %d document(s)", len(index.clauses), len(index.documents))
    watcher = IndexWatcher(
        index_dir=settings.index_dir,
        target=answerer,
        loaded=Loaded(index.manifest, len(index.documents)),
    )
    front = BatchingAnswerer(answerer) if batching else answerer
    service = Service(
        core=Assistant(
            settings=settings,
            store=store,
            answerer=front,
            approvals=ApprovalService(store=store, settings=settings),
        ),
        watcher=watcher,
        metrics=Metrics(engine=store.engine, shared_dir=settings.metrics_dir),
        answerer=front,
        process=answerer if isinstance(answerer, AnswerProcess) else None,
        outbox=Outbox(store, settings),
    )
    service.metrics.registry.register(_index_collector(service))
    if service.process is not None:
        process = service.process
        service.metrics.registry.register(RestartCollector(lambda: process.restarts))
    service.core.answerer = MeteredAnswerer(front, service.metrics)
    return service


def _index_collector(service: Service) -> Any:
    from assistant.metrics import IndexCollector

    return IndexCollector(service.index_figures)


def build_core(settings: Settings, **options: Any) -> Assistant:
    """The assistant alone (see :func:`build_service` for the options)."""
    return build_service(settings, **options).core
