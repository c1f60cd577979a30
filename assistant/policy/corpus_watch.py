"""``assistant serve --watch-corpus``: rebuild the index when the policy folder changes.

The folder is looked at once a second (names, sizes and modification times: no new
dependency, and it works on a synced or network folder). A change starts a build once the
folder has been quiet for a few seconds, so a copy of several files makes one build. The
build is ``assistant index build``, run as a child process exactly as an operator runs it:
a build that fails leaves the working index in place and records why, and the running
server takes a good one over (:mod:`assistant.policy.live`).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)
DEBOUNCE_S = 3.0  # quiet time after the last change before a build starts
POLL_S = 1.0
Snapshot = dict[str, tuple[int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Each file under ``folder`` (not hidden, not an editor's or sync tool's temporary
    file) with its modification time and size."""
    found: Snapshot = {}
    for path in folder.rglob("*"):
        name = path.name
        if name.startswith((".", "~")) or name.endswith(("~", ".tmp", ".swp", ".part")):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue  # removed meanwhile
        if path.is_file():
            found[str(path.relative_to(folder))] = (stat.st_mtime_ns, stat.st_size)
    return found


def build_command(corpus_dir: Path, index_dir: Path, *, if_stale: bool = False) -> list[str]:
    """``assistant index build --quiet`` of ``corpus_dir`` into ``index_dir``, as a command;
    with ``if_stale``, only when the index is missing or older than the documents."""
    return [
        sys.executable,
        "-m",
        "assistant",
        "index",
        "build",
        "--quiet",
        *(["--if-stale"] if if_stale else []),
        "--corpus",
        str(corpus_dir),
        "--out",
        str(index_dir),
    ]


class CorpusWatcher:
    """Notices changes to the policy folder and runs one debounced index build at a time."""

    def __init__(
        self,
        *,
        corpus_dir: Path,
        index_dir: Path,
        debounce_s: float = DEBOUNCE_S,
        clock: Callable[[], float] = time.monotonic,
        command: Sequence[str] | None = None,
    ) -> None:
        self.corpus_dir = corpus_dir
        self.index_dir = index_dir
        self.debounce_s = debounce_s
        self.command = list(command) if command is not None else self.build_command()
        self.clock = clock
        self.builds = 0  # builds started
        self.failed = 0  # of which failed
        self._seen = snapshot(corpus_dir)
        self._changed_at: float | None = None
        self._running: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    def build_command(self) -> list[str]:
        """The build: ``assistant index build`` of this folder into this index."""
        return build_command(self.corpus_dir, self.index_dir)

    def poll(self) -> None:
        """Look once: note a change, start a build when the folder has been quiet long
        enough and none is running, and report one that has finished."""
        self._reap()
        now = self.clock()
        current = snapshot(self.corpus_dir)
        if current != self._seen:
            self._seen = current
            if self._changed_at is None:
                log.info("the policy folder changed: rebuilding the index once it is quiet")
            self._changed_at = now
        quiet = self._changed_at is not None and now - self._changed_at >= self.debounce_s
        if quiet and self._running is None:
            self._changed_at = None
            self._start()

    def _start(self) -> None:
        self.builds += 1
        # The build's own messages, for the log; closed when the build is reaped.
        self._output = tempfile.TemporaryFile()  # noqa: SIM115
        self._running = subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, stdout=self._output, stderr=self._output
        )
        log.info("index build %d started for the changed policy folder", self.builds)

    def _reap(self) -> None:
        if self._running is None or self._running.poll() is None:
            return
        code, self._running = self._running.returncode, None
        output = b""
        if self._output is not None:
            self._output.seek(0)
            output = self._output.read()
            self._output.close()
            self._output = None
        if code == 0:
            log.info("index build %d finished; the server takes it over", self.builds)
            return
        self.failed += 1
        lines = [line for line in output.decode(errors="replace").splitlines() if line.strip()]
        log.error(
            "index build %d failed (exit %d): %s; the working index stays in use",
            self.builds,
            code,
            lines[-1] if lines else "no message",
        )

    def wait(self, timeout: float) -> None:
        """Until a running build ends (at shutdown; the build is stopped after ``timeout``)."""
        if self._running is None:
            return
        try:
            self._running.wait(timeout)
        except subprocess.TimeoutExpired:
            self._running.terminate()
            self._running.wait()
        self._reap()


def watch_in_background(watcher: CorpusWatcher, poll_s: float = POLL_S) -> threading.Thread:
    """Poll ``watcher`` from a daemon thread (the one-process server)."""

    def loop() -> None:
        while True:
            try:
                watcher.poll()
            except Exception:
                log.exception("watching the policy folder failed")
            time.sleep(poll_s)

    thread = threading.Thread(target=loop, name="corpus-watch", daemon=True)
    thread.start()
    return thread
