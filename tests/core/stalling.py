"""An embedder that never returns for one marked question: a hung answerer, in a real child."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from assistant.policy.embedder import HashingEmbedder

STALL_WORD = "zzstall"  # a question with this word hangs the answer process
STALLING_QUESTION = f"can I friend a former pupil {STALL_WORD}?"


class StallingEmbedder(HashingEmbedder):
    """The hashing embedder, except that a text with :data:`STALL_WORD` hangs for an hour."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if any(STALL_WORD in text.lower() for text in texts):
            time.sleep(3600)
        return super().encode(texts)
