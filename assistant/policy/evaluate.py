"""Clause-precise evaluation: hit@1, hit@3, MRR, and refusal rates, beside baselines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import faiss
import numpy as np

from assistant.errors import InputError
from assistant.policy.adapter import read_labelled
from assistant.policy.answer import PolicyAnswer, PolicyAnswerer, RefusalPolicy
from assistant.policy.embedder import Embedder
from assistant.policy.index import Index
from assistant.policy.retrieval import RetrievalConfig


@dataclass(frozen=True)
class EvalQuestion:
    """One question and the clause ids that answer it (none: out of scope)."""

    q: str
    gold: tuple[str, ...]


@dataclass(frozen=True)
class EvalResult:
    """Figures for one system on one question set."""

    name: str
    in_scope: int
    out_of_scope: int
    hit1: float
    hit3: float
    mrr: float
    refused_out: float | None  # share of out-of-scope questions refused
    refused_in: float | None  # share of in-scope questions refused
    misses: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    # As staff see it: a gold clause first / among the clauses the reply quotes (a refused
    # in-scope question quotes none), and the clauses an answer quotes on average.
    replied_hit1: float = 0.0
    replied_hit3: float = 0.0
    quoted: float = 0.0


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from a JSON-lines file of ``{"q": ..., "gold": [...]}``."""
    return [EvalQuestion(q=q, gold=gold) for q, gold in read_labelled(path, error=InputError)]


def evaluate(
    answerer: PolicyAnswerer,
    questions: Sequence[EvalQuestion],
    *,
    name: str = "hybrid",
    refusals: bool = True,
) -> EvalResult:
    """Score ``answerer`` on ``questions`` (one batched call)."""
    answers = answerer.answer_many([q.q for q in questions])
    return score(answerer, questions, answers, name=name, refusals=refusals)


def score(
    answerer: PolicyAnswerer,
    questions: Sequence[EvalQuestion],
    answers: Sequence[PolicyAnswer],
    *,
    name: str,
    refusals: bool = True,
) -> EvalResult:
    hit1 = hit3 = rr = replied1 = replied3 = 0.0
    n_in = n_out = refused_in = refused_out = 0
    misses = []
    answered = [a for a in answers if a.answered]
    for question, answer in zip(questions, answers, strict=True):
        if not question.gold:
            n_out += 1
            refused_out += not answer.answered
            continue
        n_in += 1
        refused_in += not answer.answered
        cited = [c.clause_id for c in answer.citations]
        replied1 += bool(cited) and cited[0] in question.gold
        replied3 += any(cid in question.gold for cid in cited)
        ranked = (
            [h.clause.label for h in answerer.ranked(answer.retrieval)] if answer.retrieval else []
        )
        rank = next((i for i, cid in enumerate(ranked) if cid in question.gold), None)
        if rank is not None:
            hit1 += rank == 0
            hit3 += rank < 3
            rr += 1.0 / (rank + 1)
        if rank != 0:
            misses.append((question.q, question.gold, tuple(ranked[:3])))
    return EvalResult(
        name=name,
        in_scope=n_in,
        out_of_scope=n_out,
        hit1=hit1 / max(n_in, 1),
        hit3=hit3 / max(n_in, 1),
        mrr=rr / max(n_in, 1),
        refused_out=refused_out / n_out if refusals and n_out else None,
        refused_in=refused_in / n_in if refusals and n_in else None,
        misses=tuple(misses),
        replied_hit1=replied1 / max(n_in, 1),
        replied_hit3=replied3 / max(n_in, 1),
        quoted=sum(len(a.citations) for a in answered) / max(len(answered), 1),
    )


def plain_index(index: Index, embedder: Embedder) -> Index:
    """The same clauses with one vector of each clause's bare text (the dense baseline)."""
    texts = [c.text for c in index.clauses]
    vectors = embedder.encode(texts)
    flat = faiss.IndexFlatIP(int(vectors.shape[1]))
    flat.add(vectors)
    return replace(index, texts=texts, rows=np.arange(len(texts)), vectors=flat)


NO_SIGNALS = RetrievalConfig(
    dense=True,
    keyword=False,
    expand=False,
    dense_expand=False,
    dense_expand_first=False,
    fusion="sum",
    child_lift=0.0,
    direct_lookup=False,
    typos=False,
    cleanup=False,
    keyword_text="plain",
    vote_weight=0.0,
)


def ablation(
    index: Index,
    embedder: Embedder,
    questions: Sequence[EvalQuestion],
    *,
    final: RetrievalConfig | None = None,
    refusal: RefusalPolicy | None = None,
) -> list[EvalResult]:
    """Baselines, each signal added in turn up to the configuration in use, then the
    alternatives measured and not kept (each one change from the final configuration)."""
    final = final or RetrievalConfig()
    # Every step before the query adapter runs without it, the baselines included.
    bare = replace(index, adapter=None)
    plain = plain_index(bare, embedder)
    steps: list[tuple[str, Index, RetrievalConfig]] = [
        ("BM25 alone (baseline)", bare, replace(NO_SIGNALS, dense=False, keyword=True)),
        ("dense alone, whole clauses (baseline)", plain, NO_SIGNALS),
        ("dense, structured texts", bare, NO_SIGNALS),
    ]
    cfg = replace(NO_SIGNALS, keyword=True, keyword_text=final.keyword_text)
    steps.append(("+ BM25 fused (RRF)", bare, replace(cfg, fusion="rrf")))
    cfg = replace(cfg, dense_weight=final.dense_weight)
    steps.append(("+ BM25 fused (weighted sum)", bare, cfg))
    cfg = replace(cfg, expand=final.expand, expansion_weight=final.expansion_weight)
    steps.append(("+ vocabulary expansion (BM25)", bare, cfg))
    cfg = replace(cfg, dense_expand=final.dense_expand, dense_expand_first=False)
    steps.append(("+ vocabulary expansion (dense query)", bare, cfg))
    cfg = replace(cfg, dense_expand_first=final.dense_expand_first)
    steps.append(("  ...one policy word a synonym group", bare, cfg))
    cfg = replace(cfg, typos=final.typos)
    steps.append(("+ typo tolerance", bare, cfg))
    cfg = replace(cfg, cleanup=final.cleanup)
    steps.append(("+ chat filler left out", bare, cfg))
    cfg = replace(cfg, child_lift=final.child_lift)
    steps.append(("+ sub-clause lift", bare, cfg))
    if index.adapter is not None:
        steps.append(("+ query adapter (learned from training questions)", index, cfg))
    if index.neighbours is not None and index.neighbours.gold is not None:
        cfg = replace(
            cfg,
            vote_weight=final.vote_weight,
            vote_k=final.vote_k,
            vote_temperature=final.vote_temperature,
        )
        steps.append(("+ vote of the nearest labelled questions", index, cfg))
    steps.append(("+ direct clause lookup (final)", index, final))
    alternatives = [
        ("  alt: learned fusion", replace(final, fusion="learned")),
        ("  alt: synonym groups counted once", replace(final, grouped=True)),
        ("  alt: pseudo-relevance feedback", replace(final, feedback=0.2)),
        ("  alt: BM25 k1 0.9", replace(final, bm25_k1=0.9)),
    ]
    results = []
    for name, idx, config in steps:
        answerer = PolicyAnswerer(index=idx, embedder=embedder, config=config, refusal=refusal)
        results.append(evaluate(answerer, questions, name=name, refusals=config == final))
    for name, config in alternatives:
        answerer = PolicyAnswerer(index=index, embedder=embedder, config=config, refusal=refusal)
        results.append(evaluate(answerer, questions, name=name, refusals=False))
    # The configuration in use goes last: callers read its misses and refusals there.
    results.append(results.pop(len(steps) - 1))
    return results


def format_table(results: Sequence[EvalResult], *, title: str = "") -> str:
    """A plain-text table of results, one system a row."""
    width = max([len(r.name) for r in results] + [6])
    head = f"{'system':<{width}}  hit@1  hit@3    MRR  refused(out)  refused(in)"
    lines = [title] if title else []
    lines += [head, "-" * len(head)]

    def pct(value: float | None) -> str:
        return "     -" if value is None else f"{value:6.1%}"

    for r in results:
        lines.append(
            f"{r.name:<{width}}  {r.hit1:5.3f}  {r.hit3:5.3f}  {r.mrr:5.3f}  "
            f"{pct(r.refused_out):>12}  {pct(r.refused_in):>11}"
        )
    if results:
        r = results[-1]
        lines.append(f"({r.in_scope} in-scope, {r.out_of_scope} out-of-scope questions)")
        lines.append(
            f"as replied (the clauses quoted; a refused in-scope question is a miss): "
            f"hit@1 {r.replied_hit1:.3f}, hit@3 {r.replied_hit3:.3f}, "
            f"{r.quoted:.2f} clauses an answer"
        )
    return "\n".join(lines)
