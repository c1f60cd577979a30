"""Where the adapters run the core: questions on threads of their own, everything else apart.

A question waits for the answerer (up to its timeout when the answerer hangs). Approvals, form
steps, withdrawals and storage work never queue behind those: they run on other threads.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from assistant.core import Core
from assistant.messages import Effect, Incoming

# Enough concurrent questions for the batching answerer to fill a batch.
ANSWER_THREADS = 32
WORKFLOW_THREADS = 16


class CoreLanes:
    """``core.handle`` on one of two sets of threads: questions, or everything else."""

    def __init__(
        self,
        core: Core,
        *,
        answer_threads: int = ANSWER_THREADS,
        workflow_threads: int = WORKFLOW_THREADS,
    ) -> None:
        self.core = core
        self.answers = ThreadPoolExecutor(answer_threads, thread_name_prefix="core-answers")
        self.workflow = ThreadPoolExecutor(workflow_threads, thread_name_prefix="core-workflow")

    async def handle(self, incoming: Incoming) -> list[Effect]:
        """The core's effects for ``incoming``, computed on the lane it belongs to."""
        loop = asyncio.get_running_loop()
        question = incoming.action is None and await loop.run_in_executor(
            self.workflow, self.core.needs_answerer, incoming
        )
        lane = self.answers if question else self.workflow
        return await loop.run_in_executor(lane, self.core.handle, incoming)

    def close(self) -> None:
        """Stop taking work; threads still busy finish on their own."""
        for pool in (self.answers, self.workflow):
            pool.shutdown(wait=False, cancel_futures=True)
