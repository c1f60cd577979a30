"""Refit the refusal model, out of fold, from labelled question files.

    python -m assistant.policy.fit tests/eval/dev.jsonl tests/eval/train.jsonl [--write]

Each file is one fold. A question's features come from an index whose query adapter was
trained on the *other* files' in-scope questions, and whose labelled neighbours (the
``neighbour`` and ``out_vote`` signals, the ranking's vote) are the other files' questions
only, never the fold's own, so the model sees training questions as it will see new ones. A logistic model
of "out of scope" is fitted on every fold's features, and the threshold is the lowest (in
steps of 0.01) refusing at most ``--max-refused-in`` of each fold's in-scope questions.
Printed per fold: hit@1/hit@3 under the other folds' adapter and vote, and refusals both with
the model fitted on all folds and with one fitted on the other folds only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.errors import AssistantError, InputError
from assistant.policy.adapter import (
    DEFAULT_CONFIG,
    AdapterConfig,
    TrainingQuestion,
    learn_adapter,
    learn_neighbours,
    read_labelled,
)
from assistant.policy.answer import REFUSAL_SIGNALS, PolicyAnswerer, refusal_features
from assistant.policy.embedder import RememberingEmbedder
from assistant.policy.fusion import fit_logistic
from assistant.policy.refusal_weights import WEIGHTS_PATH, RefusalWeights

if TYPE_CHECKING:
    from assistant.policy.embedder import Embedder
    from assistant.policy.index import Index

_ROOT = Path(__file__).resolve().parents[2]
# The shares of the best clause's score tried as the cut for quoting further clauses.
CUTS = tuple(round(0.05 * i, 2) for i in range(21))


@dataclass(frozen=True)
class FitSettings:
    """How the refusal model is fitted (the values that reproduce the shipped weights)."""

    features: tuple[str, ...] = ("score", "dense", "topic", "out_vote", "out_word", "out_vector")
    l2: float = 0.001
    steps: int = 2000
    rate: float = 1.0
    max_refused_in: float = 0.02  # per fold, choosing the threshold
    # Choosing how many clauses a reply quotes: the share of in-scope questions whose gold
    # clause is in the ranking's first three but may be missing from what the reply quotes.
    max_cited_loss: float = 0.01
    adapter: AdapterConfig = DEFAULT_CONFIG


def recorded_settings(weights: RefusalWeights) -> FitSettings:
    """The settings a weights file records it was fitted with."""
    fitting = weights.fitting
    adapter = fitting.get("adapter", {})
    return FitSettings(
        features=weights.features,
        l2=float(fitting.get("l2", FitSettings.l2)),
        steps=int(fitting.get("steps", FitSettings.steps)),
        rate=float(fitting.get("rate", FitSettings.rate)),
        max_refused_in=float(fitting.get("max_refused_in", FitSettings.max_refused_in)),
        max_cited_loss=float(fitting.get("max_cited_loss", FitSettings.max_cited_loss)),
        adapter=AdapterConfig(**adapter) if adapter else DEFAULT_CONFIG,
    )


@dataclass(frozen=True)
class Fold:
    """One question file seen through an adapter trained on the other files."""

    name: str
    x: np.ndarray  # refusal features, one row a question
    out: np.ndarray  # True: out of scope (gold [])
    rank: np.ndarray  # rank of the first gold clause (in scope; -1 not found)
    ruled: np.ndarray  # 1 refused, 0 answered by rule whatever the model says; -1 the model decides
    # For each share in CUTS: whether the reply cut there quotes a gold clause, how many it quotes.
    cited_gold: np.ndarray  # question-by-cut bool (out-of-scope questions: False)
    quoted: np.ndarray  # question-by-cut count of clauses quoted


@dataclass(frozen=True)
class Model:
    """A fitted refusal model with its operating point."""

    weights: np.ndarray
    bias: float
    threshold: float

    def refuses(self, fold: Fold) -> np.ndarray:
        """As :meth:`PolicyAnswerer.refuses` decides, for every question of the fold."""
        p = 1.0 / (1.0 + np.exp(-(fold.x.astype(np.float64) @ self.weights + self.bias)))
        return np.where(fold.ruled < 0, p > self.threshold, fold.ruled == 1)


def folds(
    index: Index,
    embedder: Embedder,
    files: Sequence[Path],
    settings: FitSettings = FitSettings(),
) -> list[Fold]:
    """Every file's features under an adapter trained on the other files' questions."""
    if len(files) < 2:
        raise InputError("the fitting needs at least two question files (one fold each)")
    unknown = [f for f in settings.features if f not in REFUSAL_SIGNALS]
    if unknown or not settings.features:
        raise InputError(f"unknown refusal signals {unknown}; known: {', '.join(REFUSAL_SIGNALS)}")
    labelled = [read_labelled(path, error=InputError) for path in files]
    # Every fold encodes the same questions and clauses again: encode each text once.
    embedder = RememberingEmbedder(embedder)
    document = next(iter(index.documents), "")
    out = []
    bare = replace(index, adapter=None, neighbours=None)
    for k, path in enumerate(files):
        others = [
            TrainingQuestion(q=q, document=document, gold=gold)
            for j, rows in enumerate(labelled)
            if j != k
            for q, gold in rows
        ]
        adapter = learn_adapter(bare, embedder, [t for t in others if t.gold], settings.adapter)
        # The fold's own questions are never its neighbours (for the refusal signal and the
        # ranking vote alike): each would find itself.
        neighbours = learn_neighbours(bare, embedder, others)
        fold_index = replace(index, adapter=adapter, neighbours=neighbours)
        answerer = PolicyAnswerer(index=fold_index, embedder=embedder)
        found = answerer.retriever.search_many([q for q, _ in labelled[k]])
        ranks, cited_gold, quoted = [], [], []
        for (_, gold), retrieval in zip(labelled[k], found, strict=True):
            ids = [h.clause.id for h in answerer.ranked(retrieval)]
            ranks.append(next((i for i, cid in enumerate(ids) if cid in gold), -1))
            cited = [[h.clause.id for h in answerer.cited(retrieval, cut)] for cut in CUTS]
            cited_gold.append([any(cid in gold for cid in c) for c in cited])
            quoted.append([len(c) for c in cited])
        out.append(
            Fold(
                name=path.name,
                x=np.array([refusal_features(r, settings.features) for r in found]),
                out=np.array([not gold for _, gold in labelled[k]]),
                rank=np.array(ranks),
                ruled=np.array([_ruled(answerer.ruled(r)) for r in found], dtype=np.int8),
                cited_gold=np.array(cited_gold, dtype=bool).reshape(-1, len(CUTS)),
                quoted=np.array(quoted, dtype=np.int8).reshape(-1, len(CUTS)),
            )
        )
    return out


def _ruled(decision: bool | None) -> int:
    return -1 if decision is None else int(decision)


def fit_model(fitted_on: Sequence[Fold], settings: FitSettings = FitSettings()) -> Model:
    """The logistic model over these folds, rounded as stored, and its threshold."""
    x = np.vstack([f.x for f in fitted_on]).astype(np.float64)
    y = np.concatenate([f.out for f in fitted_on]).astype(np.float64)
    w, b = fit_logistic(x, y, l2=settings.l2, steps=settings.steps, rate=settings.rate)
    model = Model(np.round(w.astype(np.float64), 3), round(float(b), 3), 1.0)
    for threshold in np.round(np.arange(0.0, 1.0, 0.01), 2):
        trial = replace(model, threshold=float(threshold))
        if all(_rate(trial.refuses(f), ~f.out) <= settings.max_refused_in for f in fitted_on):
            return trial
    return model


def choose_cut(all_folds: Sequence[Fold], settings: FitSettings = FitSettings()) -> float:
    """The highest share in :data:`CUTS` at which replies, over every fold's in-scope
    questions, quote a gold clause at most ``max_cited_loss`` less often than the ranking's
    first three hold one: further clauses cost a reader time, a missing answer costs more."""
    every = pooled(all_folds)
    inside = ~every.out
    if not inside.any():
        return CUTS[-1]
    floor = _in_first_three(every.rank[inside]).mean() - settings.max_cited_loss
    replied = every.cited_gold[inside].mean(axis=0)
    fine = [cut for cut, hits in zip(CUTS, replied, strict=True) if hits >= floor]
    return max(fine, default=CUTS[0])


def pooled(all_folds: Sequence[Fold]) -> Fold:
    """Every fold's questions together, as one fold named "all"."""
    return Fold(
        name="all",
        x=np.vstack([f.x for f in all_folds]),
        out=np.concatenate([f.out for f in all_folds]),
        rank=np.concatenate([f.rank for f in all_folds]),
        ruled=np.concatenate([f.ruled for f in all_folds]),
        cited_gold=np.vstack([f.cited_gold for f in all_folds]),
        quoted=np.vstack([f.quoted for f in all_folds]),
    )


def _in_first_three(ranks: np.ndarray) -> np.ndarray:
    return (ranks >= 0) & (ranks < 3)


def _rate(flags: np.ndarray, among: np.ndarray) -> float:
    return float(flags[among].mean()) if among.any() else 0.0


@dataclass(frozen=True)
class FoldFigures:
    """One fold's out-of-fold figures."""

    name: str
    in_scope: int
    out_of_scope: int
    hit1: float
    hit3: float
    replied_hit3: float  # a gold clause among those the reply quotes (refusals aside)
    quoted: float  # clauses quoted, on average over in-scope questions
    refused_out: float  # model fitted on every fold
    refused_in: float
    held_out_refused_out: float  # model fitted on the other folds only
    held_out_refused_in: float


def figures(
    all_folds: Sequence[Fold], model: Model, settings: FitSettings, cut: float
) -> list[FoldFigures]:
    """Per-fold figures, then a row for every question together, replies cut at ``cut``."""
    column = CUTS.index(cut)
    rows = []
    flags_all, held_all = [], []
    for k, fold in enumerate(all_folds):
        held = fit_model([f for j, f in enumerate(all_folds) if j != k], settings)
        flags, held_flags = model.refuses(fold), held.refuses(fold)
        flags_all.append(flags)
        held_all.append(held_flags)
        rows.append(_figures(fold, column, flags, held_flags))
    every = pooled(all_folds)
    rows.append(_figures(every, column, np.concatenate(flags_all), np.concatenate(held_all)))
    return rows


def _figures(fold: Fold, column: int, flags: np.ndarray, held: np.ndarray) -> FoldFigures:
    inside = ~fold.out
    ranks = fold.rank[inside]
    n_in = int(inside.sum())

    def share(values: np.ndarray) -> float:
        return float(values.mean()) if n_in else 0.0

    return FoldFigures(
        name=fold.name,
        in_scope=n_in,
        out_of_scope=int(fold.out.sum()),
        hit1=share(ranks == 0),
        hit3=share(_in_first_three(ranks)),
        replied_hit3=share(fold.cited_gold[inside, column]),
        quoted=share(fold.quoted[inside, column]),
        refused_out=_rate(flags, fold.out),
        refused_in=_rate(flags, inside),
        held_out_refused_out=_rate(held, fold.out),
        held_out_refused_in=_rate(held, inside),
    )


def format_figures(rows: Sequence[FoldFigures], model: Model, cut: float) -> str:
    """The cross-validated figures as a plain-text table, then the model and the cut."""
    head = (
        f"{'fold':<14} {'in':>4} {'out':>4}  hit@1  hit@3  replied@3 quoted"
        "  refused(out) refused(in)  held-out model: refused(out) refused(in)"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.name:<14} {r.in_scope:>4} {r.out_of_scope:>4}  {r.hit1:5.3f}  {r.hit3:5.3f}"
            f"  {r.replied_hit3:9.3f} {r.quoted:6.2f}"
            f"  {r.refused_out:12.1%} {r.refused_in:11.1%}"
            f"  {'':>15}{r.held_out_refused_out:12.1%} {r.held_out_refused_in:11.1%}"
        )
    weights = ", ".join(f"{w:.3f}" for w in model.weights)
    lines.append(f"weights [{weights}], bias {model.bias:.3f}, threshold {model.threshold:.2f}")
    lines.append(f"replies quote further clauses scoring at least {cut:.2f} of the best")
    return "\n".join(lines)


def refit(
    index: Index,
    embedder: Embedder,
    files: Sequence[Path],
    settings: FitSettings = FitSettings(),
) -> tuple[RefusalWeights, list[FoldFigures]]:
    """The refusal weights fitted out of fold on ``files``, and the cross-validated figures."""
    all_folds = folds(index, embedder, files, settings)
    model = fit_model(all_folds, settings)
    cut = choose_cut(all_folds, settings)
    rows = figures(all_folds, model, settings, cut)
    fitting = {
        "files": [p.name for p in files],
        "l2": settings.l2,
        "steps": settings.steps,
        "rate": settings.rate,
        "max_refused_in": settings.max_refused_in,
        "max_cited_loss": settings.max_cited_loss,
        "adapter": {
            "temperature": settings.adapter.temperature,
            "l2": settings.adapter.l2,
            "steps": settings.adapter.steps,
            "rate": settings.adapter.rate,
        },
        "cross_validated": {
            r.name: {
                "hit1": round(r.hit1, 3),
                "hit3": round(r.hit3, 3),
                "replied_hit3": round(r.replied_hit3, 3),
                "quoted": round(r.quoted, 2),
                "refused_out": round(r.held_out_refused_out, 3),
                "refused_in": round(r.held_out_refused_in, 3),
            }
            for r in rows
        },
    }
    weights = RefusalWeights(
        features=settings.features,
        weights=tuple(float(w) for w in model.weights),
        bias=model.bias,
        threshold=model.threshold,
        relative_cut=cut,
        fitting=fitting,
    )
    return weights, rows


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: refit, print the figures, write the weights when asked."""
    from assistant.policy.corpus import load_corpus
    from assistant.policy.embedder import MiniLMEmbedder
    from assistant.policy.index import build_index
    from assistant.policy.refusal_weights import write_weights

    parser = argparse.ArgumentParser(prog="python -m assistant.policy.fit", description=__doc__)
    parser.add_argument("files", type=Path, nargs="+", help="labelled question files, one a fold")
    parser.add_argument("--corpus", type=Path, default=_ROOT / "policy_corpus")
    parser.add_argument("--features", default=",".join(FitSettings.features))
    parser.add_argument("--max-refused-in", type=float, default=FitSettings.max_refused_in)
    parser.add_argument("--max-cited-loss", type=float, default=FitSettings.max_cited_loss)
    for name in ("temperature", "l2", "steps", "rate"):
        parser.add_argument(f"--adapter-{name}", type=float, default=None)
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS_PATH.name}")
    parser.add_argument("--out", type=Path, default=None, help="write the weights here instead")
    args = parser.parse_args(argv)
    settings = FitSettings(
        features=tuple(f.strip() for f in args.features.split(",") if f.strip()),
        max_refused_in=args.max_refused_in,
        max_cited_loss=args.max_cited_loss,
        adapter=_adapter_config(args),
    )
    try:
        import tempfile

        embedder = MiniLMEmbedder()
        with tempfile.TemporaryDirectory() as scratch:
            index = build_index(load_corpus(args.corpus), embedder, Path(scratch), progress=False)
        weights, rows = refit(index, embedder, args.files, settings)
    except AssistantError as exc:
        print(f"fit: {exc}", file=sys.stderr)
        return 2
    model = Model(np.asarray(weights.weights), weights.bias, weights.threshold)
    print(format_figures(rows, model, weights.relative_cut))
    target = args.out or (WEIGHTS_PATH if args.write else None)
    if target is not None:
        write_weights(target, weights)
        print(f"wrote {target}")
    return 0


def _adapter_config(args: argparse.Namespace) -> AdapterConfig:
    chosen = {
        name: getattr(args, f"adapter_{name}")
        for name in ("temperature", "l2", "steps", "rate")
        if getattr(args, f"adapter_{name}") is not None
    }
    if "steps" in chosen:
        chosen["steps"] = int(chosen["steps"])
    return replace(DEFAULT_CONFIG, **chosen)


if __name__ == "__main__":
    sys.exit(main())
