"""A running server's index: taken over from a new build without a restart.

``assistant index build`` writes the manifest last, so a changed manifest means a finished
build. :class:`IndexWatcher` notices it, has the answerer load the new index beside the old
one and swap them (questions already being answered finish on the old one), and keeps the
old index when the new one does not load. A build that fails leaves the index as it was and
records why in ``last_build.json`` beside it, for the server's log and ``assistant doctor``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import AssistantError, IndexError_
from assistant.policy.answer import PolicyAnswer, PolicyAnswerer
from assistant.policy.batching import WARM_QUESTION
from assistant.policy.embedder import Embedder
from assistant.policy.index import MANIFEST_FILE, Index, Manifest, load_index

log = logging.getLogger(__name__)
BUILD_FILE = "last_build.json"


@dataclass(frozen=True)
class Loaded:
    """An index an answerer has taken over: its manifest and how many documents it has."""

    manifest: Manifest
    documents: int


class Reloads(Protocol):
    """An answerer that can take over a new index from a directory."""

    def reload(self, index_dir: Path) -> Loaded:
        """Load the index in ``index_dir`` beside the current one, then swap; raise if broken."""
        ...


class SwappableAnswerer:
    """A :class:`PolicyAnswerer` in this process whose index can be swapped while it answers."""

    def __init__(self, *, index: Index, embedder: Embedder) -> None:
        self.embedder = embedder
        self._answerer = PolicyAnswerer(index=index, embedder=embedder)

    @property
    def index(self) -> Index:
        return self._answerer.index

    def answer(self, question: str) -> PolicyAnswer:
        return self._answerer.answer(question)

    def answer_many(self, questions: Sequence[str]) -> list[PolicyAnswer]:
        # One read of the reference: a swap during this call does not change its index.
        return self._answerer.answer_many(questions)

    def reload(self, index_dir: Path) -> Loaded:
        fresh = PolicyAnswerer(index=loadable(index_dir, self.embedder), embedder=self.embedder)
        fresh.answer(WARM_QUESTION)  # ready before anyone is sent to it
        self._answerer = fresh
        return Loaded(fresh.index.manifest, len(fresh.index.documents))


def loadable(index_dir: Path, embedder: Embedder) -> Index:
    """The index in ``index_dir``, if it was built with ``embedder``'s model (else its
    vectors mean nothing to the questions' vectors); IndexError_ otherwise."""
    index = load_index(index_dir)
    if index.manifest.model != embedder.name:
        raise IndexError_(
            f"the index in {index_dir} was built with {index.manifest.model}, "
            f"the server encodes questions with {embedder.name}"
        )
    return index


def record_build(index_dir: Path, error: str | None, *, seconds: float = 0.0) -> None:
    """Note how the last ``assistant index build`` into ``index_dir`` went."""
    index_dir.mkdir(parents=True, exist_ok=True)
    entry = {
        "ok": error is None,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "error": error or "",
        "seconds": round(seconds, 2),
    }
    tmp = index_dir / (BUILD_FILE + ".tmp")
    tmp.write_text(json.dumps(entry), encoding="utf-8")
    tmp.replace(index_dir / BUILD_FILE)


def last_build(index_dir: Path) -> dict[str, Any] | None:
    """What :func:`record_build` last noted, or None."""
    try:
        entry = json.loads((index_dir / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def _stamp(index_dir: Path) -> bytes:
    try:
        return (index_dir / MANIFEST_FILE).read_bytes()
    except OSError:
        return b""


@dataclass(frozen=True)
class IndexState:
    """What the server answers from, and the last reload or build that went wrong."""

    loaded: Loaded
    loaded_at: float
    problem: str = ""  # "" when the newest build is the one in use

    @property
    def manifest(self) -> Manifest:
        return self.loaded.manifest


class IndexWatcher:
    """Polls an index directory and has ``target`` take over each new, working build."""

    def __init__(self, *, index_dir: Path, target: Reloads, loaded: Loaded) -> None:
        self.index_dir = index_dir
        self.target = target
        self._lock = threading.Lock()
        self._seen = _stamp(index_dir)
        self._seen_build = json.dumps(last_build(index_dir))
        self.state = IndexState(loaded=loaded, loaded_at=time.time())
        self.reloads = 0

    def check(self) -> bool:
        """Take over a new build if there is one; True when the index was swapped."""
        with self._lock:  # one reload at a time, whoever calls
            self._note_build()
            stamp = _stamp(self.index_dir)
            if stamp == self._seen or not stamp:
                return False
            self._seen = stamp
            started = time.perf_counter()
            try:
                loaded = self.target.reload(self.index_dir)
            except (AssistantError, OSError) as exc:
                self._problem(f"the new index in {self.index_dir} does not load: {exc}")
                return False
            self.reloads += 1
            self.state = IndexState(loaded=loaded, loaded_at=time.time())
            log.info(
                "now answering from the index built %s: %d clauses, %d document(s) (%.1f s)",
                loaded.manifest.built_at,
                loaded.manifest.clause_count,
                loaded.documents,
                time.perf_counter() - started,
            )
            return True

    @property
    def built_at(self) -> str:
        return self.state.manifest.built_at

    def _problem(self, problem: str) -> None:
        log.error("%s; still answering from the index built %s", problem, self.built_at)
        self.state = IndexState(self.state.loaded, self.state.loaded_at, problem)

    def _note_build(self) -> None:
        entry = last_build(self.index_dir)
        key = json.dumps(entry)
        if key == self._seen_build:
            return
        self._seen_build = key
        if entry and not entry.get("ok"):
            self._problem(f"the index build at {entry.get('at')} failed: {entry.get('error')}")
        elif entry and self.state.problem.startswith("the index build"):
            self.state = IndexState(self.state.loaded, self.state.loaded_at)  # built since
