"""Verbatim quotes of clauses: a long clause cut to the sentences that answer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.policy.model import Clause
from assistant.policy.vocabulary import stems

ELLIPSIS = "\u2026"
LONG_CLAUSE_CHARS = 600
QUOTE_BUDGET_CHARS = 420
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\u2018\u201cA-Z])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a clause, each a verbatim piece of it."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def shorten(text: str, query_stems: Sequence[str], *, budget: int = QUOTE_BUDGET_CHARS) -> str:
    """A long clause cut to its best-matching sentences (document order, joined with …)."""
    if len(text) <= LONG_CLAUSE_CHARS:
        return text
    sentences = split_sentences(text)
    wanted = set(query_stems)
    scored = sorted(
        range(len(sentences)),
        key=lambda i: (-len(wanted & set(stems(sentences[i]))), i),
    )
    chosen: list[int] = []
    used = 0
    for i in scored:
        if chosen and used + len(sentences[i]) > budget:
            continue
        chosen.append(i)
        used += len(sentences[i])
    chosen.sort()
    pieces: list[str] = []
    for i in chosen:
        if pieces and i - 1 in chosen:
            pieces[-1] = pieces[-1] + " " + sentences[i]
        else:
            pieces.append(sentences[i])
    return f" {ELLIPSIS} ".join(pieces)


def quote(clause: Clause, query_stems: Sequence[str] = ()) -> str:
    """The verbatim quote for a clause: its lead-in … its words, long clauses shortened."""
    body = shorten(clause.text, query_stems)
    if clause.lead_in and clause.lead_in != clause.text:
        return f"{clause.lead_in} {ELLIPSIS} {body}"
    return body
