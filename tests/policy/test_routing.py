"""Several documents in one index: naming a document, which clause is whose, refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.messages import Citation
from assistant.policy.answer import PolicyAnswerer
from assistant.policy.corpus import load_corpus
from assistant.policy.embedder import HashingEmbedder
from assistant.policy.index import build_index
from assistant.policy.routing import named_documents, sub_index, title_phrases, which_is_which

ROOT = Path(__file__).resolve().parents[2]
ESAFETY = """Brookside School E-Safety Policy

1 Scope
1.1 This policy covers the use of school computers, email and the internet by staff.
1.2 Staff must report any online safety incident to the e-safety lead.
2 Passwords
2.1 Staff keep their passwords secret and change them every term.
"""


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> PolicyAnswerer:
    """The Wootton policy (contact: the Principal) beside a small e-safety policy whose
    contact is the e-safety lead."""
    directory = tmp_path_factory.mktemp("corpus")
    for path in (ROOT / "policy_corpus").glob("wootton-social-media-policy.*"):
        if not path.name.endswith(".questions.jsonl"):
            shutil.copy(path, directory / path.name)
    (directory / "brookside-esafety.txt").write_text(ESAFETY, encoding="utf-8")
    (directory / "brookside-esafety.toml").write_text(
        'title = "Brookside E-Safety Policy"\ncontact = "the e-safety lead"\n', encoding="utf-8"
    )
    embedder = HashingEmbedder()
    index = build_index(
        load_corpus(directory), embedder, tmp_path_factory.mktemp("index"), progress=False
    )
    return PolicyAnswerer(index=index, embedder=embedder)


def test_titles_give_each_document_the_words_no_other_title_uses(two):
    phrases = title_phrases(two.index)
    assert phrases["brookside-esafety"] == ["brookside esafety"]
    assert "social media" in phrases["wootton-social-media-policy"]
    assert named_documents("what does the social media policy say on selfies?", phrases) == [
        "wootton-social-media-policy"
    ]
    # A topic word alone names nothing; a title phrase then "policy" or a number does.
    assert named_documents("is social media ok for homework?", phrases) == []
    assert named_documents("brookside e-safety 2.1?", phrases) == ["brookside-esafety"]


def test_a_question_naming_a_document_is_answered_from_it(two):
    answer = two.answer("what does the social media policy say about passwords?")
    assert answer.answered
    assert {c.source for c in answer.citations} == {"wootton-social-media-policy.txt"}
    answer = two.answer("brookside e-safety 2.1")
    assert [(c.source, c.clause_id) for c in answer.citations] == [("brookside-esafety.txt", "2.1")]


def test_each_document_keeps_its_own_clauses_and_vectors(two):
    part = sub_index(two.index, "brookside-esafety", labelled=False)
    assert {c.document for c in part.clauses} == {"brookside-esafety"}
    assert part.vectors.ntotal == len(part.texts) and part.rows.max() == len(part.clauses) - 1
    assert part.adapter is None and part.neighbours is None


def test_a_reply_quoting_two_documents_says_which_is_which():
    cites = [
        Citation("6.3", "Personal use", "...", 0.9, "Social Media Policy"),
        Citation("2.1", "Passwords", "...", 0.8, "E-Safety Policy"),
        Citation("6.2", "Personal use", "...", 0.7, "Social Media Policy"),
    ]
    lead = which_is_which("Here is what the policy says:", cites)
    assert lead == (
        "Here is what the policy says (6.3, 6.2 from the Social Media Policy; "
        "2.1 from the E-Safety Policy):"
    )
    assert which_is_which("Here is what the policy says:", cites[::2]).endswith("says:")


def test_a_refusal_names_the_contact_of_the_next_nearest_document(two):
    answer = two.answer("what does clause 14.2 say?")  # refused by rule: no such clause
    assert not answer.answered
    nearest = list(dict.fromkeys(h.clause.document for h in answer.retrieval.hits))
    contacts = {
        "wootton-social-media-policy": "the Principal",
        "brookside-esafety": "the e-safety lead",
    }
    assert contacts[nearest[1]] in answer.text, answer.text
