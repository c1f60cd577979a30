"""Labelled questions against a revised policy: which still name the clause they were written for.

A school's ``<doc>.questions.jsonl`` names gold clauses by the ids the document printed when the
questions were labelled. When the policy is revised, a gold id may be gone, may now name a
different clause (a new section 6 pushes the old 6.3 to 7.3, and 6.3 is now something else),
or its clause may be reworded. Such a question would teach the adapter and vote for the wrong
clause, so at index build it is left out until relabelled, with one log line per document.

What each gold clause said is remembered in the index directory (``labelled.json``): the text
when its questions were first indexed, kept across rebuilds for as long as that document's
questions stay the same. Editing the questions file takes the document as it then is.
Gold ids are labels (the id as printed); each becomes the ids of every clause carrying it, so
``Appendix 2`` names all the appendix's passages.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from assistant.policy.adapter import TrainingQuestion
from assistant.policy.model import Clause

log = logging.getLogger(__name__)

LABELS_FILE = "labelled.json"
# Word-level similarity below which a clause counts as reworded: measured on the simulated
# revision (tests/eval/revision.py), a rewritten clause scores under 0.4 and a corrected typo
# or an added sentence over 0.8.
REWORDED = 0.6


@dataclass(frozen=True)
class Revision:
    """The questions that still hold, how many were left out per document, and the record."""

    kept: list[TrainingQuestion]
    gone: dict[str, int]  # document -> questions whose gold id no longer exists
    reworded: dict[str, int]  # document -> questions whose gold clause changed substantially
    record: dict[str, Any]  # what to store as ``labelled.json``


def similarity(before: str, after: str) -> float:
    """How much of a clause's wording survives (1.0: the same words in the same order)."""
    return SequenceMatcher(None, before.lower().split(), after.lower().split()).ratio()


def _moved(said: dict[str, str], now: dict[str, str]) -> dict[str, str]:
    """Gold labels whose words now stand, unchanged, under another number (6.3 is now 7.3)."""
    if not said:
        return {}
    where: dict[str, list[str]] = defaultdict(list)
    for label, text in now.items():
        where[" ".join(text.lower().split())].append(label)
    moved: dict[str, str] = {}
    for label, text in said.items():
        if label in now and similarity(text, now[label]) >= REWORDED:
            continue  # still there, or only touched
        found = where.get(" ".join(text.lower().split()), [])
        if len(found) == 1:  # the same words, printed once elsewhere: the clause moved
            moved[label] = found[0]
    return moved


def _digest(questions: Sequence[TrainingQuestion]) -> str:
    digest = hashlib.sha256()
    for tq in questions:
        digest.update(json.dumps([tq.q, tq.gold]).encode())
    return digest.hexdigest()


def read_record(index_dir: Path) -> dict[str, Any]:
    """The stored record of what each document's gold clauses said ({} when none or unreadable)."""
    try:
        data = json.loads((index_dir / LABELS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_record(index_dir: Path, record: dict[str, Any]) -> None:
    """Store the record atomically beside the index."""
    path = index_dir / LABELS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def revise(
    training: Sequence[TrainingQuestion],
    clauses: Sequence[Clause],
    previous: dict[str, Any],
) -> Revision:
    """Leave out the questions whose gold clause is gone or reworded; gold labels become ids."""
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for clause in clauses:
        ids[(clause.document, clause.label)].append(clause.id)
        texts[(clause.document, clause.label)].append(clause.text)
        if clause.id != clause.label:  # a question may name one passage by its own id
            ids[(clause.document, clause.id)].append(clause.id)
            texts[(clause.document, clause.id)].append(clause.text)
    by_document: dict[str, list[TrainingQuestion]] = defaultdict(list)
    for tq in training:
        by_document[tq.document].append(tq)
    kept: list[TrainingQuestion] = []
    gone: dict[str, int] = {}
    reworded: dict[str, int] = {}
    record: dict[str, Any] = {}
    for document, questions in by_document.items():
        digest = _digest(questions)
        before = previous.get(document, {})
        said: dict[str, str] = (
            dict(before.get("texts", {})) if before.get("questions") == digest else {}
        )
        now = {label: " ".join(texts[(document, label)]) for (d, label) in texts if d == document}
        missing = changed = followed = 0
        moved = _moved(said, now)
        for tq in questions:
            if not tq.gold:
                kept.append(tq)
                continue
            current = tuple(moved.get(g, g) for g in tq.gold)
            if any((document, g) not in ids for g in current):
                missing += 1
                continue
            if any(
                g in said and similarity(said[g], now[c]) < REWORDED
                for g, c in zip(tq.gold, current, strict=True)
            ):
                changed += 1
                continue
            followed += current != tq.gold
            gold = tuple(dict.fromkeys(i for g in current for i in ids[(document, g)]))
            kept.append(replace(tq, gold=gold))
        used = {g for tq in questions for g in tq.gold if g in now or g in said}
        # A reworded or moved clause keeps its old words here, so the next build reads it alike.
        record[document] = {
            "questions": digest,
            "texts": {g: said[g] if g in said else now[g] for g in sorted(used)},
        }
        if missing or changed or followed:
            gone[document], reworded[document] = missing, changed
            log.warning(
                "%s: %d of %d labelled questions left out until relabelled in %s.questions.jsonl "
                "(gold clause gone: %d, reworded: %d); %d followed their clause to a new number",
                document,
                missing + changed,
                len(questions),
                document,
                missing,
                changed,
                followed,
            )
    return Revision(kept=kept, gone=gone, reworded=reworded, record=record)
