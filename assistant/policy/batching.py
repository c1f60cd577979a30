"""Answering many concurrent callers with one batched encode (leader-follower, stdlib only)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.policy.answer import PolicyAnswer, PolicyAnswerer


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
        self, answerer: PolicyAnswerer, *, window: float = 0.003, max_batch: int = 64
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
