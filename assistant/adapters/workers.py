"""``assistant serve --workers N``: N server processes on one port, sharing only PostgreSQL.

Each worker is a whole server (its own model, index and answer process) listening with
``SO_REUSEPORT``, so the kernel shares connections out between them. Background jobs run
once across workers by a claim in the database (:func:`server.run_once_per_slot`). The
supervisor restarts a worker that dies, and stops them all on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from multiprocessing.process import BaseProcess
from typing import Any

from assistant.config import LogSettings, Settings

log = logging.getLogger(__name__)
RESTART_AFTER_S = 5.0  # a worker that dies is started again after this long
STOP_GRACE_S = 20.0


def _worker(settings: Settings, logging_settings: LogSettings, number: int) -> None:
    from assistant.adapters.server import serve
    from assistant.app import build_service
    from assistant.logs import configure_logging

    configure_logging(logging_settings.level, logging_settings.format)
    service = build_service(settings, warm=True, batching=True)
    worker_log = logging.getLogger(__name__)

    def listening(_banner: str) -> None:
        worker_log.info("worker %d listening", number)

    serve(service.core, settings, operations=service, reuse_port=True, on_listening=listening)


def run_workers(settings: Settings, logging_settings: LogSettings, count: int) -> int:
    """Start ``count`` workers and keep them running until SIGTERM or SIGINT; exit status."""
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    stopping = False

    def start(number: int) -> BaseProcess:
        process = context.Process(
            target=_worker,
            args=(settings, logging_settings, number),
            name=f"assistant-worker-{number}",
        )
        process.start()
        return process

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    workers = {number: start(number) for number in range(count)}
    log.info("started %d workers on %s:%d", count, settings.host, settings.port)
    try:
        while not stopping:
            time.sleep(0.5)
            for number, process in list(workers.items()):
                if process.is_alive() or stopping:
                    continue
                log.error(
                    "worker %d stopped (exit %s); starting it again in %.0f s",
                    number,
                    process.exitcode,
                    RESTART_AFTER_S,
                )
                time.sleep(RESTART_AFTER_S)
                if not stopping:
                    workers[number] = start(number)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for process in workers.values():
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: aiohttp shuts down gracefully
        deadline = time.monotonic() + STOP_GRACE_S
        for process in workers.values():
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
    log.info("all workers stopped")
    return 0
