"""Leave-one-policy-out: every policy answered as a new one, with no labelled question of its own.

    python -m assistant.policy.loo [--shared DIR] [--pdf] [--together] [--misses]

For each development policy in ``/work/shared/policies`` (questions.jsonl) and for the Wootton
policy (its reporting sets, with every one of its labelled questions withheld), an index of
that policy alone is built and three systems answer its questions: dense MiniLM alone, the
engine as it stood for a policy without labelled questions, and the configuration in use.
Anything fitted from labelled questions is fitted on the other policies only. ``--together``
adds one index of all four, Wootton with its shipped labelled questions, as a trust runs it.
A reply hits only when the clause it quotes comes from the question's own document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.policy.answer import PolicyAnswer, PolicyAnswerer
from assistant.policy.corpus import load_corpus
from assistant.policy.embedder import Embedder
from assistant.policy.evaluate import NO_SIGNALS, EvalQuestion, load_questions, plain_index
from assistant.policy.index import Index, build_index
from assistant.policy.scope import SIGNALS, WEIGHTS_FILE, Reference, ScopeModel, fit

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/policies")
WOOTTON = "wootton-social-media-policy"
# Wootton's reporting sets: never trained or tuned on (tests/eval/README.md).
WOOTTON_SETS = ("holdout.jsonl", "blind.jsonl", "fresh.jsonl", "unseen.jsonl", "staffroom.jsonl")
CACHE = ROOT / "var" / "loo-embeddings.npz"


@dataclass(frozen=True)
class Policy:
    """One policy: its files (the document, and its .toml if any) and its questions."""

    name: str  # the document id (file stem)
    files: tuple[Path, ...]
    questions: tuple[EvalQuestion, ...]  # judged on
    training: tuple[EvalQuestion, ...] = ()  # fitted on, when another policy is left out

    @property
    def source(self) -> str:
        return self.files[0].name


@dataclass(frozen=True)
class Figures:
    """One system on one policy's questions, as replied."""

    system: str
    n_in: int
    n_out: int
    hit1: float
    hit3: float
    refused_out: float | None
    refused_in: float | None
    quoted: float
    misses: tuple[str, ...] = ()


def development(shared: Path = SHARED, *, pdf: bool = False) -> list[Policy]:
    """The development policies beside ``questions.jsonl`` (none when the folder is absent)."""
    path = shared / "questions.jsonl"
    if not path.is_file():
        return []
    rows: dict[str, list[EvalQuestion]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            question = EvalQuestion(q=row["q"], gold=tuple(row["gold"]))
            rows.setdefault(Path(row["corpus"]).stem, []).append(question)
    suffix = ".pdf" if pdf else ".txt"
    return [
        Policy(stem, (shared / f"{stem}{suffix}",), questions=tuple(qs), training=tuple(qs))
        for stem, qs in sorted(rows.items())
    ]


def wootton(root: Path = ROOT) -> Policy:
    """The Wootton policy with its reporting sets' questions."""
    corpus = root / "policy_corpus"
    questions = [q for name in WOOTTON_SETS for q in load_questions(root / "tests/eval" / name)]
    files = (corpus / f"{WOOTTON}.txt", corpus / f"{WOOTTON}.toml")
    training = load_questions(corpus / f"{WOOTTON}.questions.jsonl")
    return Policy(WOOTTON, files, questions=tuple(questions), training=tuple(training))


def index_of(files: Sequence[Path], embedder: Embedder, *, questions: Sequence[Path] = ()) -> Index:
    """An index of these files alone (with these labelled question files beside them)."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus_dir = Path(tmp) / "corpus"
        corpus_dir.mkdir()
        for path in [*files, *questions]:
            os.symlink(path.resolve(), corpus_dir / path.name)
        from assistant.policy.adapter import load_training

        corpus = load_corpus(corpus_dir)
        training = load_training(corpus_dir, list(corpus.documents))
        return build_index(corpus, embedder, Path(tmp) / "index", progress=False, training=training)


class CachedEmbedder:
    """Another embedder with every vector kept, in memory and in a file between runs."""

    def __init__(self, inner: Embedder, path: Path | None = CACHE) -> None:
        self.inner, self.name, self.dim, self.path = inner, inner.name, inner.dim, path
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if path is not None and path.is_file():
            with np.load(path) as data:
                if str(data["model"]) == inner.name:
                    self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}
        if new:
            self._vectors.update(zip(new, self.inner.encode(list(new.values())), strict=True))
            self._dirty = True
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self._vectors[key]
        return out

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors))
        vectors = np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, 1))
        tmp = self.path.with_name(self.path.stem + ".tmp.npz")
        np.savez(tmp, model=self.name, keys=keys, vectors=vectors)
        os.replace(tmp, self.path)


def figures(
    system: str,
    answers: Sequence[PolicyAnswer],
    questions: Sequence[EvalQuestion],
    source: str,
    *,
    refusals: bool = True,
    ranking: Callable[[PolicyAnswer], list[tuple[str, str]]] | None = None,
) -> Figures:
    """Scores as replied: a gold clause of the question's own document first / quoted.

    With ``ranking`` (the dense baseline), the first three of the ranking stand for the reply.
    """
    hit1 = hit3 = refused_in = refused_out = n_in = n_out = quoted = answered = 0
    misses = []
    for question, answer in zip(questions, answers, strict=True):
        if ranking is not None:
            cited = ranking(answer)[:3]
            replied = True
        else:
            cited = [(c.source, c.clause_id) for c in answer.citations]
            replied = answer.answered
        if replied:
            answered += 1
            quoted += len(cited)
        if not question.gold:
            n_out += 1
            refused_out += not replied
            continue
        n_in += 1
        refused_in += not replied
        good = [src == source and cid in question.gold for src, cid in cited]
        hit1 += bool(good) and good[0]
        hit3 += any(good)
        if not (good and good[0]):
            got = ", ".join(cid for _, cid in cited) or "refused"
            misses.append(f"{question.q!r}: gold {', '.join(question.gold)}; got {got}")
    return Figures(
        system=system,
        n_in=n_in,
        n_out=n_out,
        hit1=hit1 / max(n_in, 1),
        hit3=hit3 / max(n_in, 1),
        refused_out=refused_out / n_out if refusals and n_out else None,
        refused_in=refused_in / n_in if refusals and n_in else None,
        quoted=quoted / max(answered, 1),
        misses=tuple(misses),
    )


def dense_alone(index: Index, embedder: Embedder, policy: Policy) -> Figures:
    """Plain MiniLM over each clause's own words: the first three clauses, nothing refused."""
    answerer = PolicyAnswerer(
        index=plain_index(index, embedder), embedder=embedder, config=NO_SIGNALS
    )
    found = answerer.retriever.search_many([q.q for q in policy.questions])
    answers = [PolicyAnswer(question=r.question, answered=True, retrieval=r) for r in found]

    def ranking(answer: PolicyAnswer) -> list[tuple[str, str]]:
        assert answer.retrieval is not None
        return [(index.document(h.clause).source, h.clause.label) for h in answer.retrieval.hits]

    return figures("dense MiniLM alone", answers, policy.questions, policy.source, ranking=ranking)


def current(index: Index, embedder: Embedder, policy: Policy) -> Figures:
    """The engine as it stood: every stage on, the refusal model fitted on Wootton."""
    from assistant.policy.retrieval import RetrievalConfig

    answerer = PolicyAnswerer(index=index, embedder=embedder, config=RetrievalConfig())
    answerer.reference = None  # no zero-shot refusal: Wootton's model decides, as it did
    answers = answerer.answer_many([q.q for q in policy.questions])
    return figures("full stack before", answers, policy.questions, policy.source)


def final(index: Index, embedder: Embedder, policy: Policy, scope: ScopeModel | None) -> Figures:
    """The configuration in use, its zero-shot refusal fitted on the other policies."""
    answerer = PolicyAnswerer(index=index, embedder=embedder, scope=scope)
    answers = answerer.answer_many([q.q for q in policy.questions])
    return figures("final", answers, policy.questions, policy.source)


def signals(
    index: Index, embedder: Embedder, questions: Sequence[EvalQuestion]
) -> tuple[np.ndarray, np.ndarray]:
    """The zero-shot refusal signals and labels (1: out of scope) of the questions that no
    rule decides, as the answerer computes them."""
    answerer = PolicyAnswerer(index=index, embedder=embedder)
    answerer.recording.forget()
    found = answerer.retriever.search_many([q.q for q in questions])
    vectors = answerer.recording.last(len(found))
    rows, labels = [], []
    for i, (question, retrieval) in enumerate(zip(questions, found, strict=True)):
        signal = None
        if vectors is not None and answerer.ruled(retrieval) is None:
            signal = Reference.signals_for(answerer.reference, retrieval, vectors[i])
        if signal is not None:
            rows.append(signal)
            labels.append(float(not question.gold))
    return np.array(rows, dtype=np.float32).reshape(-1, len(SIGNALS)), np.array(labels)


def leave_one_out(policies: Sequence[Policy], embedder: Embedder) -> dict[str, list[Figures]]:
    """Each policy indexed alone, with no labelled question, answered by every system; the
    final one's refusal fitted on the other policies' questions."""
    indexes = {p.name: index_of(p.files, embedder) for p in policies}
    sources = {p.name: signals(indexes[p.name], embedder, p.training) for p in policies}
    out: dict[str, list[Figures]] = {}
    for policy in policies:
        index = indexes[policy.name]
        model = fit([sources[p.name] for p in policies if p.name != policy.name])
        out[policy.name] = [
            dense_alone(index, embedder, policy),
            current(index, embedder, policy),
            final(index, embedder, policy, model),
        ]
    return out


def fit_shipped(
    policies: Sequence[Policy], embedder: Embedder, figures: dict[str, Any]
) -> ScopeModel:
    """The zero-shot refusal model fitted on every policy, with the leave-one-out figures."""
    sources = [signals(index_of(p.files, embedder), embedder, p.training) for p in policies]
    model = fit(sources)
    fitting = {"policies": [p.name for p in policies], "leave_one_out": figures}
    return replace(model, fitting=fitting, embedder=embedder.name)


def together(policies: Sequence[Policy], embedder: Embedder) -> dict[str, list[Figures]]:
    """All the policies in one index, Wootton with its shipped labelled questions, beside
    each policy alone (Wootton alone with them too, as shipped)."""
    labelled = ROOT / "policy_corpus" / f"{WOOTTON}.questions.jsonl"
    files = [f for p in policies for f in p.files]
    answerer = PolicyAnswerer(
        index=index_of(files, embedder, questions=[labelled]), embedder=embedder
    )
    out: dict[str, list[Figures]] = {}
    for policy in policies:
        if policy.name == WOOTTON:
            alone = index_of(policy.files, embedder, questions=[labelled])
            answers = PolicyAnswerer(index=alone, embedder=embedder).answer_many(
                [q.q for q in policy.questions]
            )
            out[policy.name] = [
                figures("alone, labelled", answers, policy.questions, policy.source)
            ]
        answers = answerer.answer_many([q.q for q in policy.questions])
        out.setdefault(policy.name, []).append(
            figures("all together", answers, policy.questions, policy.source)
        )
    return out


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def format_figures(results: dict[str, list[Figures]], title: str) -> str:
    lines = [
        title,
        f"{'policy':<28} {'system':<20} {'in/out':>7} {'hit@1':>6} {'hit@3':>6} "
        f"{'out refused':>11} {'in refused':>10} {'quoted':>6}",
    ]
    for name, rows in results.items():
        for f in rows:
            lines.append(
                f"{name[:28]:<28} {f.system:<20} {f'{f.n_in}/{f.n_out}':>7} {f.hit1:>6.3f} "
                f"{f.hit3:>6.3f} {_cell(f.refused_out):>11} {_cell(f.refused_in):>10} "
                f"{f.quoted:>6.2f}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="development policies")
    parser.add_argument("--pdf", action="store_true", help="read the PDFs, not the pypdf text")
    parser.add_argument("--together", action="store_true", help="also all policies in one index")
    parser.add_argument("--misses", action="store_true", help="list the final system's misses")
    parser.add_argument("--fit", action="store_true", help="write zero_shot_weights.json")
    args = parser.parse_args(argv)
    from assistant.policy.embedder import MiniLMEmbedder

    embedder = CachedEmbedder(MiniLMEmbedder())
    policies = [*development(args.shared, pdf=args.pdf), wootton()]
    try:
        results = leave_one_out(policies, embedder)
        print(
            format_figures(
                results, "Leave one policy out (each policy alone, no labelled questions)"
            )
        )
        if args.misses:
            for name, rows in results.items():
                print(f"{name}:", *(f"  - {m}" for m in rows[-1].misses), sep="\n")
        if args.fit:
            table = {
                name: {
                    f.system: {k: v for k, v in asdict(f).items() if k != "misses"} for f in rows
                }
                for name, rows in results.items()
            }
            fit_shipped(policies, embedder, table).write()
            print(f"zero-shot refusal model written to {WEIGHTS_FILE}")
        if args.together:
            print()
            print(format_figures(together(policies, embedder), "All together (one index)"))
    finally:
        embedder.save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
