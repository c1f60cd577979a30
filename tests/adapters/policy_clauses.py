"""Every clause of the shipped policy, as the reply quotes it, for rendering tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from assistant.messages import Citation
from assistant.policy.corpus import load_corpus
from assistant.policy.model import Clause
from assistant.policy.quoting import quote

CORPUS = Path(__file__).resolve().parents[2] / "policy_corpus"


@cache
def shipped_clauses() -> tuple[Clause, ...]:
    """The clauses of the policies in ``policy_corpus/``."""
    return tuple(load_corpus(CORPUS).clauses)


def citations_of(clause: Clause) -> list[Citation]:
    """The clause quoted whole and as a reply quotes it (lead-in, shortened)."""
    quotes = dict.fromkeys([clause.text, quote(clause)])
    return [
        Citation(clause.id, clause.section, text, 1.0, clause.document, reviewed="2024-09")
        for text in quotes
    ]
