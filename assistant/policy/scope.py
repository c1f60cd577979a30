"""Refusal for a document with no labelled questions, from signals relative to its own scores.

The refusal model of :mod:`assistant.policy.answer` is fitted on one document's labelled
questions, and on another document it refuses nothing. Here, each index is its own reference:
a bank of generic staff questions no staff policy answers (``out_of_scope.txt``: pay, leave,
parking, premises, IT support, timetables) is searched in it when the answerer starts, and a
question is judged by

- ``relative_dense``: its best cosine with any clause, in standard deviations above the bank's
  best cosines in the same index;
- ``coverage``: the share of its content words the index uses;
- ``generic``: its mean cosine with the three nearest bank questions.

The logistic weights over these (``zero_shot_weights.json``) are fitted across documents and
judged on a document left out (``python -m assistant.policy.loo --fit``); nothing in them is
fitted to the document they decide for.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.policy.embedder import Embedder

if TYPE_CHECKING:
    from assistant.policy.index import Index
    from assistant.policy.retrieval import Retrieval, Retriever

BANK_FILE = Path(__file__).with_name("out_of_scope.txt")
WEIGHTS_FILE = Path(__file__).with_name("zero_shot_weights.json")
SIGNALS = ("relative_dense", "coverage", "generic")
NEAREST = 3  # bank questions averaged for ``generic``


def bank(path: Path = BANK_FILE) -> list[str]:
    """The generic out-of-scope staff questions, one a line (``#`` lines are comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class ScopeModel:
    """A logistic model of "out of scope" over :data:`SIGNALS`, and where it refuses."""

    weights: tuple[float, ...]
    bias: float
    threshold: float  # refuse when P(out of scope) is above this
    fitting: dict[str, Any] | None = None  # how it was fitted, with its figures
    embedder: str = ""  # the model whose cosines it was fitted on ("" any)

    def fits(self, embedder: Embedder) -> bool:
        """True when the model was fitted on this embedder's cosines."""
        return not self.embedder or self.embedder == embedder.name

    def out_of_scope(self, signals: np.ndarray) -> float:
        logit = float(signals @ np.asarray(self.weights)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))

    def write(self, path: Path = WEIGHTS_FILE) -> None:
        data = {
            "embedder": self.embedder,
            "signals": list(SIGNALS),
            "weights": [round(w, 4) for w in self.weights],
            "bias": round(self.bias, 4),
            "threshold": round(self.threshold, 4),
            "fitting": self.fitting or {},
        }
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def read_model(path: Path = WEIGHTS_FILE) -> ScopeModel | None:
    """The shipped model (None when no file was fitted yet)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["signals"]) != SIGNALS:
        raise ValueError(f"{path.name} names signals {data['signals']}, expected {SIGNALS}")
    return ScopeModel(
        weights=tuple(float(w) for w in data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        fitting=data.get("fitting"),
        embedder=str(data.get("embedder", "")),
    )


SHIPPED = read_model()


def labelled_documents(index: Index) -> frozenset[str]:
    """The documents with labelled questions in the index (their clauses are gold for one)."""
    neighbours = index.neighbours
    if neighbours is None or neighbours.gold is None:
        return frozenset()
    # Every clause's own words follow the labelled questions, one row each.
    labelled = max(len(neighbours.out) - len(index.clauses), 0)
    columns = np.flatnonzero(neighbours.gold[:labelled].any(axis=0))
    return frozenset(index.clauses[j].document for j in columns)


@dataclass(frozen=True)
class Reference:
    """An index's reference for "not covered": the bank as searched in it."""

    bank: np.ndarray  # the bank questions' vectors, encoded as retrieval encodes questions
    mean: float  # of the bank questions' best cosine with any clause
    sd: float
    unlabelled: frozenset[str]  # documents this reference decides for

    @classmethod
    def of(cls, index: Index, retriever: Retriever, embedder: Embedder) -> Reference | None:
        """The reference for ``index`` (None when every document has labelled questions)."""
        unlabelled = frozenset(index.documents) - labelled_documents(index)
        if not unlabelled or not retriever.config.dense:
            return None
        vectors = embedder.encode(retriever.dense_queries(bank()))
        best = retriever.dense_scores(vectors)[0].max(axis=1)
        return cls(vectors, float(best.mean()), max(float(best.std()), 1e-3), unlabelled)

    @staticmethod
    def signals_for(
        reference: Reference | None, retrieval: Retrieval, vector: np.ndarray | None
    ) -> np.ndarray | None:
        """The signals, when the best clause's document is one this reference decides for."""
        top = retrieval.top
        if reference is None or vector is None or top is None:
            return None
        return (
            reference.signals(retrieval, vector)
            if top.clause.document in reference.unlabelled
            else None
        )

    def signals(self, retrieval: Retrieval, vector: np.ndarray) -> np.ndarray:
        near = np.sort(self.bank @ vector)[-NEAREST:]
        return np.array(
            [
                (retrieval.plain_dense - self.mean) / self.sd,
                retrieval.overlap / max(retrieval.content, 1),
                float(near.mean()),
            ],
            dtype=np.float32,
        )


def zero_shot(
    model: ScopeModel | None, reference: Reference | None, retrieval: Retrieval, vector: Any
) -> tuple[float, float] | None:
    """P(out of scope) and the threshold, when the zero-shot model decides the question."""
    signals = Reference.signals_for(reference, retrieval, vector)
    if model is None or signals is None:
        return None
    return model.out_of_scope(signals), model.threshold


class Recording:
    """Another embedder, with the vectors of the last batch this thread encoded kept.

    The retriever encodes each batch of questions once; the scope signals reuse those vectors.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._local = threading.local()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.inner.encode(texts)
        self._local.last = vectors
        return vectors

    def forget(self) -> None:
        self._local.last = None

    def last(self, n: int) -> np.ndarray | None:
        """The last batch's vectors, when it had ``n`` rows."""
        vectors = getattr(self._local, "last", None)
        return vectors if vectors is not None and len(vectors) == n else None


def fit(
    sources: Sequence[tuple[np.ndarray, np.ndarray]], *, max_refused_in: float = 0.02
) -> ScopeModel:
    """Weights from each source's signals and labels (1: out of scope), every source weighing
    the same; the threshold refuses at most ``max_refused_in`` of any source's in-scope ones."""
    x = np.vstack([s for s, _ in sources]).astype(np.float64)
    y = np.concatenate([labels for _, labels in sources]).astype(np.float64)
    share = np.concatenate([np.full(len(labels), 1.0 / len(labels)) for _, labels in sources])
    share /= share.sum()
    mean, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / sd
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(2000):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        g = (p - y) * share
        w -= 0.5 * (z.T @ g + 0.02 * w)
        b -= 0.5 * float(g.sum())
    weights = w / sd  # the standardisation folded in
    bias = b - float((w * mean / sd).sum())
    model = ScopeModel(tuple(float(v) for v in weights), float(bias), 1.0)
    threshold = 0.0
    for signals, labels in sources:
        inside = [model.out_of_scope(s) for s, out in zip(signals, labels, strict=True) if not out]
        if inside:
            threshold = max(threshold, float(np.quantile(inside, 1.0 - max_refused_in)))
    return ScopeModel(model.weights, model.bias, min(threshold, 0.999))
