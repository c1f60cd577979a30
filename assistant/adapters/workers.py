"""``assistant serve --workers N``: N server processes on one port, sharing only PostgreSQL.

Each worker is a whole server (its own model, index and answer process) listening with
``SO_REUSEPORT``, so the kernel shares connections out between them. Background jobs run
once across workers by a claim in the database (:func:`server.run_once_per_slot`). The
supervisor restarts a worker that dies, after a delay that doubles with each recent crash,
and gives up (stopping every worker, exit status 1) when one worker keeps crashing: a fault
that restarting does not cure is left to the service manager and the operator. It stops
them all on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from assistant.config import LogSettings, Settings, exported

log = logging.getLogger(__name__)
STOP_GRACE_S = 20.0
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
POLL_S = 0.5


@dataclass(frozen=True)
class RestartPolicy:
    """When a worker that died is started again, and when the supervisor gives up."""

    max_crashes: int = 5  # crashes of one worker within window_s: give up
    window_s: float = 600.0
    first_delay_s: float = 1.0  # then 2, 4, 8 ... seconds, up to max_delay_s
    max_delay_s: float = 60.0

    def delay(self, recent_crashes: int) -> float:
        """Seconds to wait before the restart that follows ``recent_crashes`` crashes."""
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, recent_crashes - 1))


@dataclass
class _Slot:
    """One worker number: its process, its recent crashes and when it may start again."""

    process: BaseProcess | None
    crashes: deque[float] = field(default_factory=deque)
    start_at: float = 0.0


def _worker(settings: Settings, logging_settings: LogSettings, number: int) -> None:
    from assistant.adapters.server import serve
    from assistant.app import build_service
    from assistant.logs import configure_logging

    configure_logging(logging_settings.level, logging_settings.format)
    service = build_service(settings, warm=True, batching=True)
    worker_log = logging.getLogger(__name__)

    def listening(_banner: str) -> None:
        worker_log.info("worker %d listening", number)

    serve(
        service.core,
        settings,
        operations=service,
        reuse_port=True,
        worker=number,
        on_listening=listening,
    )


def run_workers(
    settings: Settings,
    logging_settings: LogSettings,
    count: int,
    *,
    policy: RestartPolicy | None = None,
    target: Callable[[Settings, LogSettings, int], None] = _worker,
    beside: Callable[[], None] | None = None,
) -> int:
    """Start ``count`` workers and keep them running until SIGTERM or SIGINT (exit status 0),
    or until one crashes more often than ``policy`` allows (1). ``beside`` is called on each
    turn of the supervisor's loop (the corpus watch)."""
    policy = policy or RestartPolicy()
    # The workers' question counters, kept in common (prometheus-client's multiprocess mode
    # is chosen from this variable when a worker first imports it).
    metrics_dir = Path(tempfile.mkdtemp(prefix="assistant-metrics-"))
    settings = dataclasses.replace(settings, metrics_dir=metrics_dir)
    try:
        with exported(MULTIPROC_VARIABLE, str(metrics_dir)):  # inherited by each worker
            return _supervise(settings, logging_settings, count, policy, target, beside)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _supervise(
    settings: Settings,
    logging_settings: LogSettings,
    count: int,
    policy: RestartPolicy,
    target: Callable[[Settings, LogSettings, int], None],
    beside: Callable[[], None] | None,
) -> int:
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    stopping = False
    status = 0

    def start(number: int) -> BaseProcess:
        process = context.Process(
            target=target,
            args=(settings, logging_settings, number),
            name=f"assistant-worker-{number}",
        )
        process.start()
        return process

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    slots = {number: _Slot(start(number)) for number in range(count)}
    log.info("started %d workers on %s:%d", count, settings.host, settings.port)
    try:
        while not stopping:
            time.sleep(POLL_S)
            if beside is not None:
                beside()
            now = time.monotonic()
            for number, slot in slots.items():
                if stopping:
                    break
                if slot.process is None:
                    if now >= slot.start_at:
                        slot.process = start(number)
                        log.info("worker %d started again", number)
                    continue
                if slot.process.is_alive():
                    continue
                exitcode = slot.process.exitcode
                slot.process = None
                slot.crashes.append(now)
                while slot.crashes and slot.crashes[0] < now - policy.window_s:
                    slot.crashes.popleft()
                if len(slot.crashes) >= policy.max_crashes:
                    log.critical(
                        "worker %d stopped (exit %s): %d crashes within %.0f s; giving up and "
                        "stopping every worker",
                        number,
                        exitcode,
                        len(slot.crashes),
                        policy.window_s,
                    )
                    status = 1
                    stopping = True
                    break
                wait = policy.delay(len(slot.crashes))
                slot.start_at = now + wait
                log.error(
                    "worker %d stopped (exit %s; %d crash(es) within %.0f s); starting it again "
                    "in %.0f s",
                    number,
                    exitcode,
                    len(slot.crashes),
                    policy.window_s,
                    wait,
                )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        running = [s.process for s in slots.values() if s.process is not None]
        for process in running:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: aiohttp shuts down gracefully
        deadline = time.monotonic() + STOP_GRACE_S
        for process in running:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
    log.info("all workers stopped")
    return status
