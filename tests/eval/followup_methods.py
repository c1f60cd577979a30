"""Ways of answering a follow-up, measured on pair files (not used by the assistant).

    python tests/eval/followup_methods.py tests/eval/followup_dev.jsonl [--index DIR]

Each row answers every pair's follow-up one way and scores it as replied
(:func:`assistant.policy.pairs.score_pairs`). The assistant ships "cue + earlier first"
(:func:`assistant.policy.followup.read`); tests/eval/README.md gives the figures.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from assistant.messages import Citation
from assistant.policy import followup
from assistant.policy.answer import PolicyAnswer, PolicyAnswerer
from assistant.policy.pairs import (
    Pair,
    PairResult,
    format_pairs,
    in_conversation,
    load_pairs,
    score_pairs,
)
from assistant.policy.service import open_answerer


def _rerank(
    answerer: PolicyAnswerer, pairs: Sequence[Pair], *, lift: float, fallback: bool
) -> list[PolicyAnswer]:
    """Each follow-up searched alone; clauses the earlier reply quoted are lifted by ``lift``
    (only for follow-ups that lean on the earlier question). ``fallback``: a refused
    follow-up quotes the earlier reply's clauses instead."""
    firsts = answerer.answer_many([p.first for p in pairs])
    alones = answerer.answer_many([p.q for p in pairs])
    out = []
    for pair, first, alone in zip(pairs, firsts, alones, strict=True):
        earlier = {c.clause_id for c in first.citations}
        if not followup.leans_on_earlier(pair.q) or alone.retrieval is None:
            out.append(alone)
            continue
        if not alone.answered:
            out.append(
                replace(alone, answered=True, citations=first.citations) if fallback else alone
            )
            continue
        hits = answerer.ranked(alone.retrieval)
        scored = sorted(hits, key=lambda h: -(h.score + (lift if h.clause.id in earlier else 0.0)))[
            :3
        ]
        best = scored[0].score + (lift if scored[0].clause.id in earlier else 0.0)
        kept = [
            h for h in scored if h.score + (lift if h.clause.id in earlier else 0.0) >= best * 0.5
        ]
        citations = tuple(Citation(h.clause.id, h.clause.section, "", h.score, "") for h in kept)
        out.append(replace(alone, citations=citations))
    return out


def methods(answerer: PolicyAnswerer, pairs: Sequence[Pair]) -> list[PairResult]:
    """Every method on ``pairs``, the shipped one last."""
    many = answerer.answer_many
    rows: list[tuple[str, list[str] | list[PolicyAnswer]]] = []

    def texts(name: str, queries: list[str]) -> None:
        rows.append((name, many(queries)))

    texts("asked alone", [p.q for p in pairs])
    texts("always: earlier + follow-up", [f"{p.first} {p.q}" for p in pairs])
    texts("always: follow-up + earlier", [f"{p.q} {p.first}" for p in pairs])
    texts(
        "cue: follow-up + earlier",
        [f"{p.q} {p.first}" if followup.leans_on_earlier(p.q) else p.q for p in pairs],
    )
    rows.append(
        ("cue: re-rank by earlier clauses", _rerank(answerer, pairs, lift=0.3, fallback=False))
    )
    rows.append(
        ("cue: re-rank, refused -> earlier", _rerank(answerer, pairs, lift=0.3, fallback=True))
    )
    texts("cue: earlier + follow-up", [followup.read(p.q, p.first).query for p in pairs])
    joined, alone = rows[-1][1], rows[0][1]
    rows.append(
        (
            "  ... refused when alone P(out) >= 0.975",
            [a if a.out_of_scope >= 0.975 else j for j, a in zip(joined, alone, strict=True)],  # type: ignore[union-attr]
        )
    )
    rows.append(("  ... refused when refused alone (shipped)", in_conversation(many, pairs)))
    return [score_pairs(name, pairs, answers) for name, answers in rows]  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--corpus", default=None, help="only pairs naming this document")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    answerer = open_answerer(index_dir=args.index)
    for path in args.files:
        pairs = [p for p in load_pairs(path) if args.corpus is None or p.corpus == args.corpus]
        results = methods(answerer, pairs)
        print(format_pairs(results, title=str(path)))
        if args.misses:
            for first, q, gold, cited in results[-1].misses:
                print(
                    f"- {first!r} -> {q!r}: gold {', '.join(gold) or '-'}; quoted {', '.join(cited) or 'refused'}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
