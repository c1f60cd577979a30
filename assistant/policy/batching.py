"""Answering many concurrent callers with one batched encode (leader-follower, stdlib only),
optionally in a separate process so that the caller's process keeps its interpreter lock."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from assistant.errors import AnswerTimeout
from assistant.policy.answer import PolicyAnswer, PolicyAnswerer
from assistant.policy.embedder import Embedder, MiniLMEmbedder
from assistant.policy.index import Manifest, load_index

if TYPE_CHECKING:
    from assistant.policy.live import Loaded

log = logging.getLogger(__name__)
WARM_QUESTION = "Can I contact a pupil on social media?"
DEFAULT_ANSWER_TIMEOUT_S = 20.0
STARTUP_TIMEOUT_S = 120.0  # a new child loading the model and index (not part of an answer)
STOP_GRACE_S = 5.0
T = TypeVar("T")


class AnswersMany(Protocol):
    """Anything that answers a batch of questions (PolicyAnswerer, AnswerProcess)."""

    def answer_many(self, questions: Sequence[str]) -> list[PolicyAnswer]: ...


def one_thread_minilm() -> Embedder:
    """MiniLM on one torch thread: the server's event loop keeps the other core."""
    return MiniLMEmbedder(threads=1)


_worker_answerer: PolicyAnswerer | None = None


def _start_worker(index_dir: Path, make_embedder: Callable[[], Embedder], nice: int) -> None:
    global _worker_answerer
    if nice:
        os.nice(nice)  # answers yield the CPU to the server's acknowledgements
    answerer = PolicyAnswerer(index=load_index(index_dir), embedder=make_embedder())
    answerer.answer(WARM_QUESTION)
    _worker_answerer = answerer


def _reload_in_worker(index_dir: Path) -> tuple[Manifest, int]:
    global _worker_answerer
    assert _worker_answerer is not None, "the answer process did not start"
    from assistant.policy.live import loadable

    embedder = _worker_answerer.retriever.embedder
    fresh = PolicyAnswerer(index=loadable(index_dir, embedder), embedder=embedder)
    fresh.answer(WARM_QUESTION)
    _worker_answerer = fresh  # questions queued behind this call get the new index
    return fresh.index.manifest, len(fresh.index.documents)


def _ready_in_worker() -> bool:
    return _worker_answerer is not None


def _answer_in_worker(questions: list[str]) -> list[PolicyAnswer]:
    assert _worker_answerer is not None, "the answer process did not start"
    # The retrieval trace stays here: it is large and the chat side never reads it.
    return [replace(a, retrieval=None) for a in _worker_answerer.answer_many(questions)]


class AnswerProcess:
    """``answer_many`` computed in one child process that loads the index and model once.

    The model's Python work then holds the child's interpreter lock, not the server's, and
    ``nice`` lowers the child's CPU priority below the server's event loop. A call that gets
    no result within ``timeout`` seconds raises :class:`AnswerTimeout`, and the child is
    killed and a new one started: a hung answer holds up nobody for longer than that.
    """

    def __init__(
        self,
        *,
        index_dir: Path,
        make_embedder: Callable[[], Embedder] = one_thread_minilm,
        nice: int = 5,
        timeout: float = DEFAULT_ANSWER_TIMEOUT_S,
    ) -> None:
        self._initargs = (index_dir, make_embedder, nice)
        self.timeout = timeout
        self.restarts = {"timeout": 0, "stopped": 0}  # why each new child was started
        self._lock = threading.Lock()
        self._closed = False
        self._in_flight: set[Future[Any]] = set()
        # The health probe in the child: its future, when it was sent, and to which child.
        self._probing: tuple[Future[Any], float, ProcessPoolExecutor] | None = None
        self._pool, self._ready = self._start()

    def _start(self) -> tuple[ProcessPoolExecutor, Future[bool]]:
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),  # no fork of a torch process
            initializer=_start_worker,
            initargs=self._initargs,
        )
        return pool, pool.submit(_ready_in_worker)  # starts the child now, not at the next call

    def _call(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in the child; a child that died is replaced and the call sent once
        more, one that takes longer than ``timeout`` is replaced and AnswerTimeout raised."""
        for attempt in range(2):
            pool, ready = self._pool, self._ready
            if self._closed:
                break
            try:
                ready.result(timeout=STARTUP_TIMEOUT_S)  # a new child loads the model first
                future = pool.submit(work, *args)
            except (BrokenProcessPool, CancelledError, RuntimeError):  # replaced meanwhile
                self._replace(pool, "stopped")
                continue
            except FutureTimeout:
                self._replace(pool, "timeout")
                raise AnswerTimeout(
                    f"the answer process did not start in {STARTUP_TIMEOUT_S:.0f} s"
                ) from None
            self._in_flight.add(future)
            try:
                return future.result(timeout=self.timeout)
            except (BrokenProcessPool, CancelledError):
                self._replace(pool, "stopped")
                if attempt:
                    raise
            except FutureTimeout:
                self._replace(pool, "timeout")
                raise AnswerTimeout(f"no answer within {self.timeout:g} s") from None
            finally:
                self._in_flight.discard(future)
        raise BrokenProcessPool("the answer process was closed or stopped twice")

    def _replace(self, pool: ProcessPoolExecutor, reason: str) -> None:
        with self._lock:
            if self._closed or self._pool is not pool:
                return  # closed, or another caller has started the new child already
            if reason == "timeout":
                log.error(
                    "an answer took longer than %g s: the answer process is stopped and a new "
                    "one started",
                    self.timeout,
                )
            else:
                log.error("the answer process stopped; starting a new one")
            self.restarts[reason] += 1
            _stop(pool, grace=0.0)
            self._pool, self._ready = self._start()

    @property
    def waiting(self) -> int:
        """Calls sent to the child and not answered yet."""
        return len(self._in_flight)

    def probe(self, timeout: float) -> dict[str, Any]:
        """For /healthz: ``{"ok": ...}``, whether the child answers a short question within
        ``timeout`` s behind the calls already sent. Never retried: a child being replaced is
        down. At most one probe is in the child at a time; one left there longer than the
        answer timeout replaces the child, as a question would."""
        report: dict[str, Any] = {"waiting": self.waiting, "restarts": sum(self.restarts.values())}
        if self._closed or not self._ready.done():
            return {"ok": False, "problem": "a new answer process is starting", **report}
        started = time.monotonic()
        with self._lock:
            if self._probing is None or self._probing[0].done():
                try:
                    future = self._pool.submit(_answer_in_worker, [WARM_QUESTION])
                except (BrokenProcessPool, RuntimeError):
                    return {"ok": False, "problem": "the answer process stopped", **report}
                self._probing = (future, started, self._pool)
            probing, sent, pool = self._probing
        wait = min(timeout, max(0.0, sent + self.timeout - started))
        try:
            [answer] = probing.result(timeout=wait)
        except FutureTimeout:
            if time.monotonic() - sent >= self.timeout:
                self._replace(pool, "timeout")
            return {"ok": False, "problem": f"no answer within {timeout:g} s", **report}
        except (BrokenProcessPool, CancelledError):
            return {"ok": False, "problem": "the answer process stopped", **report}
        return {"ok": answer.answered, "seconds": round(time.monotonic() - started, 3), **report}

    def answer_many(self, questions: Sequence[str]) -> list[PolicyAnswer]:
        """Answer in the child; blocks the calling thread only (no lock held meanwhile)."""
        return self._call(_answer_in_worker, list(questions))

    def answer(self, question: str) -> PolicyAnswer:
        return self.answer_many([question])[0]

    def reload(self, index_dir: Path) -> Loaded:
        """Have the child load the index in ``index_dir`` and answer from it after the
        questions already sent (which finish on the old one); raises if it does not load."""
        from assistant.policy.live import Loaded

        manifest, documents = self._call(_reload_in_worker, index_dir)
        self._initargs = (index_dir, *self._initargs[1:])
        return Loaded(manifest, documents)

    def close(self) -> None:
        """Stop the child process (killed if it does not stop within a few seconds)."""
        with self._lock:
            self._closed = True
        _stop(self._pool, grace=STOP_GRACE_S)


def _stop(pool: ProcessPoolExecutor, *, grace: float) -> None:
    # The executor has no public way to stop a busy worker before Python 3.14.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(STOP_GRACE_S)


@dataclass
class _Pending:
    question: str
    done: threading.Event = field(default_factory=threading.Event)
    answer: PolicyAnswer | None = None
    error: BaseException | None = None


class BatchingAnswerer:
    """Thread-safe :class:`PolicyAnswerer` front: questions asked within ``window`` seconds of
    each other are answered together by whichever caller becomes the batch's leader."""

    def __init__(
        self, answerer: AnswersMany, *, window: float = 0.003, max_batch: int = 64
    ) -> None:
        self.answerer = answerer
        self.window = window
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._leading = False
        self.batches = 0  # how many encodes were run (for tests and the bench)

    def answer(self, question: str) -> PolicyAnswer:
        """Answer one question, sharing the encode with concurrent callers."""
        mine = _Pending(question)
        with self._lock:
            self._queue.append(mine)
            lead = not self._leading
            if lead:
                self._leading = True
        if lead:
            self._lead()
        mine.done.wait()
        if mine.error is not None:
            raise mine.error
        assert mine.answer is not None
        return mine.answer

    def answer_many(self, questions: Sequence[str]) -> list[PolicyAnswer]:
        return self.answerer.answer_many(questions)

    def _lead(self) -> None:
        # Keep leading while work arrives; hand over by clearing the flag under the lock.
        while True:
            time.sleep(self.window)
            with self._lock:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                if not batch:
                    self._leading = False
                    return
            self._run(batch)

    def _run(self, batch: list[_Pending]) -> None:
        self.batches += 1
        try:
            answers = self.answerer.answer_many([p.question for p in batch])
        except BaseException as exc:  # every waiter must wake, whatever happened
            for pending in batch:
                pending.error = exc
                pending.done.set()
            return
        for pending, answer in zip(batch, answers, strict=True):
            pending.answer = answer
            pending.done.set()
