"""Learned score fusion and refusal: linear models over a few signals, fitted with numpy.

:data:`FUSION_WEIGHTS` were fitted by :func:`fit_ranker` on the tuning question sets
(``tests/eval/dev.jsonl`` and ``train.jsonl``, l2 0.003). Across folds (fit on one set,
measure on the other) they ranked below the tuned weighted sum, so ``fusion="learned"`` is an
option, not the default. The refusal model (``answer.RefusalPolicy``) is fitted with
:func:`fit_logistic` and is in use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# The columns of a feature matrix, one row per clause.
FEATURES = (
    "dense",  # cosine of the question with the clause in context
    "dense_part",  # best cosine with one of the clause's sentences (else the clause's)
    "bm25",  # BM25 of the question's own words, as a share of the best clause's
    "bm25_implied",  # BM25 of the policy words the question implies, as a share of the best
    "coverage",  # share of the question's content words the clause (in context) uses
    "sub_clause",  # 1 for a sub-clause such as 5.1(d)
    "section",  # best dense cosine of any clause in the same section
)

FUSION_WEIGHTS = np.array([3.5, 3.5, 3.43, 3.6, 0.65, 0.27, 1.31], dtype=np.float32)


def fused(features: np.ndarray, weights: np.ndarray = FUSION_WEIGHTS) -> np.ndarray:
    """Ranking score of each clause: the weighted sum of its features."""
    return features @ weights


def softmax_loss(
    weights: np.ndarray, matrices: Sequence[np.ndarray], gold: Sequence[np.ndarray], l2: float
) -> tuple[float, np.ndarray]:
    """Listwise loss -log P(any gold clause) per question, mean, with its gradient."""
    loss = 0.0
    grad = np.zeros_like(weights)
    for x, g in zip(matrices, gold, strict=True):
        s = x @ weights
        s = s - s.max()
        p = np.exp(s)
        p /= p.sum()
        pg = p[g].sum()
        loss -= float(np.log(max(pg, 1e-12)))
        q = np.zeros_like(p)
        q[g] = p[g] / max(pg, 1e-12)
        grad += x.T @ (p - q)
    n = max(1, len(matrices))
    return loss / n + l2 * float(weights @ weights), grad / n + 2 * l2 * weights


def fit_ranker(
    matrices: Sequence[np.ndarray],
    gold: Sequence[np.ndarray],
    *,
    l2: float = 0.01,
    steps: int = 400,
    rate: float = 0.5,
) -> np.ndarray:
    """Weights that rank gold clauses first (gradient descent on the listwise loss)."""
    weights = np.zeros(matrices[0].shape[1], dtype=np.float64)
    xs = [m.astype(np.float64) for m in matrices]
    for _ in range(steps):
        _, grad = softmax_loss(weights, xs, gold, l2)
        weights -= rate * grad
    return weights.astype(np.float32)


def fit_logistic(
    x: np.ndarray, y: np.ndarray, *, l2: float = 0.01, steps: int = 2000, rate: float = 0.5
) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression (y in {0, 1}), features standardised by caller."""
    w = np.zeros(x.shape[1], dtype=np.float64)
    b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / len(y) + 2 * l2 * w)
        b -= rate * float((p - y).mean())
    return w.astype(np.float32), b
