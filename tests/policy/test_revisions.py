"""Labelled questions after a revision: gone or reworded golds are left out, and said so."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.policy.adapter import TrainingQuestion
from assistant.policy.model import Clause
from assistant.policy.revisions import read_record, revise, similarity, write_record


def _clauses(texts: dict[str, str], labels: dict[str, str] | None = None) -> list[Clause]:
    labels = labels or {}
    return [
        Clause(id=i, document="p", section_number=i[0], section="", text=t, label=labels.get(i, ""))
        for i, t in texts.items()
    ]


QUESTIONS = [
    TrainingQuestion(q="can I friend a pupil", document="p", gold=("6.3",)),
    TrainingQuestion(q="who monitors email", document="p", gold=("7.2",)),
    TrainingQuestion(q="what about appendix two", document="p", gold=("Appendix 2",)),
    TrainingQuestion(q="where is the canteen", document="p", gold=()),
]
FIRST = {
    "6.3": "Staff must not contact pupils through personal social media.",
    "7.2": "We may monitor staff use of school systems, including email.",
    "Appendix 2 ¶1": "I will keep my password private.",
    "Appendix 2 ¶2": "I will not use personal email for school work.",
}
PASSAGES = {"Appendix 2 ¶1": "Appendix 2", "Appendix 2 ¶2": "Appendix 2"}


def test_first_build_keeps_every_question_and_expands_labels_to_passages() -> None:
    revision = revise(QUESTIONS, _clauses(FIRST, PASSAGES), {})
    assert [tq.gold for tq in revision.kept] == [
        ("6.3",), ("7.2",), ("Appendix 2 ¶1", "Appendix 2 ¶2"), (),
    ]  # fmt: skip
    assert revision.gone == revision.reworded == {}
    assert revision.record["p"]["texts"]["6.3"] == FIRST["6.3"]


def test_a_renumbered_or_reworded_gold_is_left_out_and_logged_once(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    write_record(tmp_path, revise(QUESTIONS, _clauses(FIRST, PASSAGES), {}).record)
    revised = {
        "6.3": "Staff must not join messaging app groups that include pupils.",  # a new 6.3
        "7.2": "We may monitor staff use of school systems, including their email.",  # a touch
        "Appendix 2 ¶1": "I will keep my password private.",
        "Appendix 2 ¶2": "I will not use a personal email account for school work.",
    }  # the old 6.3 moved to 7.3
    with caplog.at_level(logging.WARNING, logger="assistant.policy.revisions"):
        revision = revise(QUESTIONS, _clauses(revised, PASSAGES), read_record(tmp_path))
    assert [tq.q for tq in revision.kept] == [
        "who monitors email", "what about appendix two", "where is the canteen",
    ]  # fmt: skip
    assert revision.reworded == {"p": 1} and revision.gone == {"p": 0}
    assert [r.getMessage() for r in caplog.records] == [
        "p: 1 of 4 labelled questions left out until relabelled in p.questions.jsonl "
        "(gold clause gone: 0, reworded: 1); 0 followed their clause to a new number"
    ]
    # Rebuilt again with the same questions: the old words are kept, so it stays out.
    again = revise(QUESTIONS, _clauses(revised, PASSAGES), revision.record)
    assert len(again.kept) == 3
    # A school that edits its questions file labels against the policy as it now is.
    edited = [*QUESTIONS, TrainingQuestion(q="groups with pupils?", document="p", gold=("6.3",))]
    assert len(revise(edited, _clauses(revised, PASSAGES), revision.record).kept) == 5


def test_a_gold_clause_renumbered_word_for_word_is_followed() -> None:
    previous = revise(QUESTIONS, _clauses(FIRST, PASSAGES), {}).record
    revised = {"6.3": "Staff must not join messaging app groups.", "7.3": FIRST["6.3"]}
    revised |= {k: v for k, v in FIRST.items() if k.startswith("Appendix")}
    revised["8.2"] = FIRST["7.2"]
    revision = revise(QUESTIONS, _clauses(revised, PASSAGES), previous)
    assert [tq.gold for tq in revision.kept][:2] == [("7.3",), ("8.2",)]
    assert revision.gone == {"p": 0} and revision.reworded == {"p": 0}
    # The record keeps what the labels meant, so the next build follows them again.
    assert revision.record["p"]["texts"]["6.3"] == FIRST["6.3"]
    assert len(revise(QUESTIONS, _clauses(revised, PASSAGES), revision.record).kept) == 4


def test_a_gold_id_the_revision_removed_is_left_out() -> None:
    previous = revise(QUESTIONS, _clauses(FIRST, PASSAGES), {}).record
    without = {k: v for k, v in FIRST.items() if k != "7.2"}
    revision = revise(QUESTIONS, _clauses(without, PASSAGES), previous)
    assert revision.gone == {"p": 1} and len(revision.kept) == 3


def test_similarity_reads_words_not_letters() -> None:
    assert similarity("a b c d", "a b c d") == 1.0
    assert similarity(FIRST["7.2"], FIRST["7.2"] + " Always.") > 0.8
    assert similarity(FIRST["6.3"], "Staff must not join messaging app groups.") < 0.6
