"""Opening the policy answerer from settings-like paths (index built or rebuilt as needed)."""

from __future__ import annotations

import os
from pathlib import Path

from assistant.policy.answer import PolicyAnswerer
from assistant.policy.embedder import Embedder, MiniLMEmbedder
from assistant.policy.index import ensure_index, load_index


def default_threads() -> int:
    """Torch threads for encoding: the machine's cores (at most 4; MiniLM gains little more)."""
    return max(1, min(4, os.cpu_count() or 1))


def open_answerer(
    *,
    index_dir: Path,
    corpus_dir: Path | None = None,
    embedder: Embedder | None = None,
) -> PolicyAnswerer:
    """An answerer over ``index_dir``; with ``corpus_dir`` the index is rebuilt when stale.

    The model is loaded lazily: opening needs no model unless the index must be rebuilt.
    """
    model = embedder or MiniLMEmbedder(threads=default_threads())
    if corpus_dir is not None:
        index = ensure_index(corpus_dir, index_dir, lambda: model)
    else:
        index = load_index(index_dir)
    return PolicyAnswerer(index=index, embedder=model)
