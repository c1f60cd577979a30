"""Retrieval units: direct clause lookup, vocabulary expansion, fusion (tiny embedder)."""

from __future__ import annotations

import pytest

from assistant.policy.index import build_index
from assistant.policy.retrieval import (
    RetrievalConfig,
    Retriever,
    named_clause_ids,
    unknown_clause_refs,
)
from assistant.policy.vocabulary import expansions, generalise_platforms, stems


@pytest.fixture(scope="module")
def tiny_index(wootton_corpus, tmp_path_factory):
    from assistant.policy.embedder import HashingEmbedder

    return build_index(
        wootton_corpus, HashingEmbedder(), tmp_path_factory.mktemp("i"), progress=False
    )


@pytest.fixture
def retriever(tiny_index, tiny_embedder):
    return Retriever(index=tiny_index, embedder=tiny_embedder)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what does 6.3 say?", ["6.3"]),
        ("show me A.5.7", ["A.5.7"]),
        ("show me a.5.7 please", ["A.5.7"]),
        ("10.2(f)", ["10.2(f)"]),
        ("what about 10.2 (a)(ii)?", ["10.2(a)(ii)"]),
        ("clause 5.1(d) and 6.2", ["5.1(d)", "6.2"]),
        ("section 9", ["9"]),
        ("is 10.2(z) real", ["10.2"]),
        ("kids under 13 years", []),
        ("what does 14.2 say", []),
    ],
)
def test_named_clause_ids(tiny_index, question, expected):
    known = frozenset(c.id for c in tiny_index.clauses)
    assert named_clause_ids(question, known) == expected


def test_unknown_clause_refs(tiny_index):
    known = frozenset(c.id for c in tiny_index.clauses)
    assert unknown_clause_refs("what does 14.2 say", known) == ["14.2"]
    assert unknown_clause_refs("what does 6.3 say", known) == []


def test_named_clause_comes_first_with_score_one(retriever):
    result = retriever.search("what does 10.2(f) say about photos?")
    assert result.top.clause.id == "10.2(f)"
    assert result.top.score == 1.0 and result.top.direct
    off = Retriever(
        index=retriever.index,
        embedder=retriever.embedder,
        config=RetrievalConfig(direct_lookup=False),
    ).search("what does 10.2(f) say about photos?")
    assert not off.top.direct


@pytest.mark.parametrize(
    ("question", "implied"),
    [
        ("can i add a kid on fb", {"pupils", "contact"}),
        ("should I DM a student", {"contact", "pupils"}),
        ("does the head need to approve", {"principal", "approval"}),
        ("ask SLT first?", {"senior", "leadership"}),
        ("how should I organize the page", {"organise"}),
        ("staff behavior online", {"behaviour"}),
    ],
)
def test_vocabulary_expansion(question, implied):
    assert implied <= set(expansions(question))


def test_us_and_uk_spellings_share_stems():
    assert stems("organize behavior minimize") == stems("organise behaviour minimise")


def test_platform_names_generalise():
    assert generalise_platforms("my Insta and fb, also TikTok!") == (
        "my social media and social media, also social media!"
    )


def test_expansion_finds_the_policy_words(tiny_index, tiny_embedder):
    question = "can i DM a kid"
    keyword_only = RetrievalConfig(dense=False, direct_lookup=False)
    plain = Retriever(
        index=tiny_index, embedder=tiny_embedder, config=RetrievalConfig(dense=False, expand=False)
    ).search(question)
    expanded = Retriever(index=tiny_index, embedder=tiny_embedder, config=keyword_only).search(
        question
    )
    assert plain.top.keyword == 0  # the policy never says "DM" or "kid"
    assert expanded.top.keyword > 0
    for hit in expanded.hits[:3]:
        text = f"{hit.clause.section} {hit.clause.text}".lower()
        assert "pupil" in text or "children" in text or "young people" in text


def test_fusion_weighs_both_signals(tiny_index, tiny_embedder):
    question = "references on linkedin"
    dense = Retriever(
        index=tiny_index, embedder=tiny_embedder, config=RetrievalConfig(keyword=False)
    ).search(question)
    fused = Retriever(index=tiny_index, embedder=tiny_embedder).search(question)
    by_id = {h.clause.id: h for h in fused.hits}
    hit = by_id["5.2"]
    cfg = RetrievalConfig()
    top_keyword = max(h.keyword for h in fused.hits)
    expected = cfg.dense_weight * hit.dense + (1 - cfg.dense_weight) * hit.keyword / top_keyword
    assert hit.score == pytest.approx(expected, abs=1e-4)
    assert fused.top.clause.id == "5.2"
    assert {h.clause.id: h.dense for h in dense.hits}["5.2"] == pytest.approx(hit.dense)


def test_sub_clauses_inherit_from_a_matching_lead_in(tiny_index, tiny_embedder):
    question = "protecting our reputation"
    lifted = Retriever(index=tiny_index, embedder=tiny_embedder).search(question)
    flat = Retriever(
        index=tiny_index, embedder=tiny_embedder, config=RetrievalConfig(child_lift=0.0)
    ).search(question)
    lifted_scores = {h.clause.id: h.score for h in lifted.hits}
    flat_scores = {h.clause.id: h.score for h in flat.hits}
    assert lifted_scores["10.2(f)"] > flat_scores["10.2(f)"]
    assert lifted_scores["6.2"] == pytest.approx(flat_scores["6.2"])


def test_search_many_matches_search(retriever):
    questions = ["can i friend a pupil", "who moderates the class blog"]
    many = retriever.search_many(questions)
    for question, result in zip(questions, many, strict=True):
        single = retriever.search(question)
        assert [h.clause.id for h in single.hits[:5]] == [h.clause.id for h in result.hits[:5]]
