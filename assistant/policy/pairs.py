"""Follow-up pairs: a first question, a follow-up and its gold clauses, scored as replied
in conversation (read with :mod:`assistant.policy.followup`) and asked alone."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.policy import followup
from assistant.policy.answer import PolicyAnswer

KINDS = ("follow", "new", "out")


@dataclass(frozen=True)
class Pair:
    """A first question, then ``q`` in the same conversation; gold empty: out of scope.

    ``kind``: "follow" (cannot stand alone), "new" (stands alone and must not inherit the
    first question's topic) or "out" (out of scope, whatever came before)."""

    first: str
    q: str
    gold: tuple[str, ...]
    kind: str = "follow"
    corpus: str = ""  # the document file it is about ("" for the one policy in use)


@dataclass(frozen=True)
class PairResult:
    """As-replied figures for one way of answering the follow-ups."""

    name: str
    follow: int  # in-scope follow-ups
    new: int  # in-scope questions that stand alone
    out: int  # out-of-scope follow-ups
    follow_hit1: float
    follow_hit3: float
    new_hit3: float
    out_refused: float | None
    in_refused: float  # in-scope (follow and new) refused
    misses: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = ()

    @property
    def in_scope_hit3(self) -> float:
        total = self.follow + self.new
        return (self.follow_hit3 * self.follow + self.new_hit3 * self.new) / max(total, 1)


def looks_like_pairs(path: Path) -> bool:
    """True when the file's first row has a ``first`` question (a pair file)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(row, dict) and "first" in row
    return False


def load_pairs(path: Path) -> list[Pair]:
    """Pairs from JSON lines ``{"first", "q", "gold", "kind"?, "corpus"?}``; a bad row is
    named by its line number."""
    pairs: list[Pair] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            first, q, gold = row["first"], row["q"], row["gold"]
            kind = row.get("kind") or ("follow" if gold else "out")
            ok = isinstance(first, str) and isinstance(q, str) and isinstance(gold, list)
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok or kind not in KINDS or (kind == "out") == bool(gold):
            raise InputError(
                f"{path}:{number}: not a pair",
                user_message=f'{path}, line {number}: expected {{"first": "...", "q": "...", '
                f'"gold": [...], "kind": "follow"|"new"|"out"}} (gold empty only for "out")',
            )
        pairs.append(
            Pair(
                first=first,
                q=q,
                gold=tuple(str(g) for g in gold),
                kind=kind,
                corpus=str(row.get("corpus") or ""),
            )
        )
    return pairs


AnswerMany = Callable[[Sequence[str]], list[PolicyAnswer]]


def in_conversation(answer_many: AnswerMany, pairs: Sequence[Pair]) -> list[PolicyAnswer]:
    """Each follow-up answered as the assistant replies in conversation (one batch)."""
    readings = [followup.read(p.q, p.first) for p in pairs]
    batches = [followup.queries(r) for r in readings]
    found = iter(answer_many([q for batch in batches for q in batch]))
    return [
        followup.settle(r, [next(found) for _ in batch])[0]
        for r, batch in zip(readings, batches, strict=True)
    ]


def alone(answer_many: AnswerMany, pairs: Sequence[Pair]) -> list[PolicyAnswer]:
    """Each follow-up answered as if nothing had been asked before."""
    return answer_many([p.q for p in pairs])


def score_pairs(name: str, pairs: Sequence[Pair], answers: Sequence[PolicyAnswer]) -> PairResult:
    """As-replied figures: a gold clause first / among the quoted clauses, and refusals."""
    counts = {k: 0 for k in KINDS}
    f1 = f3 = n3 = out_refused = in_refused = 0
    misses = []
    for pair, answer in zip(pairs, answers, strict=True):
        counts[pair.kind] += 1
        cited = tuple(c.clause_id for c in answer.citations) if answer.answered else ()
        if pair.kind == "out":
            out_refused += not answer.answered
            if answer.answered:
                misses.append((pair.first, pair.q, pair.gold, cited))
            continue
        in_refused += not answer.answered
        hit3 = any(c in pair.gold for c in cited)
        if pair.kind == "follow":
            f1 += bool(cited) and cited[0] in pair.gold
            f3 += hit3
        else:
            n3 += hit3
        if not hit3:
            misses.append((pair.first, pair.q, pair.gold, cited))
    n_in = counts["follow"] + counts["new"]
    return PairResult(
        name=name,
        follow=counts["follow"],
        new=counts["new"],
        out=counts["out"],
        follow_hit1=f1 / max(counts["follow"], 1),
        follow_hit3=f3 / max(counts["follow"], 1),
        new_hit3=n3 / max(counts["new"], 1),
        out_refused=out_refused / counts["out"] if counts["out"] else None,
        in_refused=in_refused / max(n_in, 1),
        misses=tuple(misses),
    )


def evaluate_pairs(answer_many: AnswerMany, pairs: Sequence[Pair]) -> list[PairResult]:
    """The follow-ups asked alone, then in conversation (the assistant's way, last)."""
    return [
        score_pairs("asked alone", pairs, alone(answer_many, pairs)),
        score_pairs("in conversation", pairs, in_conversation(answer_many, pairs)),
    ]


def format_pairs(results: Sequence[PairResult], *, title: str = "") -> str:
    """A plain-text table, one way of answering a row."""
    width = max([len(r.name) for r in results] + [6])
    head = f"{'follow-ups':<{width}}  hit@1  hit@3  new hit@3  refused(out)  refused(in)"
    lines = [title] if title else []
    lines += [head, "-" * len(head)]
    for r in results:
        out = "     -" if r.out_refused is None else f"{r.out_refused:6.1%}"
        lines.append(
            f"{r.name:<{width}}  {r.follow_hit1:5.3f}  {r.follow_hit3:5.3f}  {r.new_hit3:9.3f}  "
            f"{out:>12}  {r.in_refused:11.1%}"
        )
    if results:
        r = results[-1]
        lines.append(
            f"({r.follow} in-scope follow-ups, {r.new} new questions that stand alone, "
            f"{r.out} out-of-scope follow-ups; as replied: a gold clause first / among "
            f"the clauses quoted)"
        )
    return "\n".join(lines)
