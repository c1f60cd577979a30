"""Retrieval units: direct clause lookup, vocabulary expansion, fusion (tiny embedder)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.policy.index import build_index
from assistant.policy.retrieval import (
    RetrievalConfig,
    Retriever,
    asks_for_unknown_clause,
    named_clause_ids,
    unknown_clause_refs,
)
from assistant.policy.vocabulary import expansions, generalise_platforms, stems, topic


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
        ("para 6.3", ["6.3"]),
        ("paragraph 6.3?", ["6.3"]),
        ("section A.5.4", ["A.5.4"]),
        ("rule 10.2 f", ["10.2(f)"]),
        ("whats rule 10.2 i about", ["10.2(i)"]),
        ("10.2f", ["10.2(f)"]),
        ("rule 10.2 a", ["10.2(a)"]),
        ("does rule 10.2 a pupil thing apply", ["10.2"]),
        ("what is section 10 about", ["10.1"]),
        ("section a.3", ["A.3.1"]),
        ("section 14", []),
        ("summarise s.9 for me", ["9"]),
        ("what does s. 6.3 say", ["6.3"]),
        ("sec 9?", ["9"]),
        ("sect. 10.2 f", ["10.2(f)"]),
        ("pupils.9 and its.9", []),
        ("para 10.2 a iii", ["10.2(a)(iii)"]),
        ("10.2a iii?", ["10.2(a)(iii)"]),
        ("section nine?", ["9"]),
        ("clause ten two f", ["10.2(f)"]),
        ("show me clause six point two", ["6.2"]),
        ("what does seven point three say", ["7.3"]),
        ("Ten point two f?", ["10.2(f)"]),
        ("we came second, nine point five out of ten", []),
        ("what does section Ten say", ["10.1"]),
        ("nine pupils in part of my class", []),
        ("rule 10.2 f i think", ["10.2(f)"]),
        ("appendix A 3.6?", ["A.3.6"]),
        ("Appendix a, 3.6 please", ["A.3.6"]),
        ("appendix A3.6", ["A.3.6"]),
        ("annex A 5.7", ["A.5.7"]),
        ("whats a3.6", ["A.3.6"]),
        ("is v1.2 of the app ok on school ipads", []),
    ],
)
def test_named_clause_ids(tiny_index, question, expected):
    known = frozenset(c.id for c in tiny_index.clauses)
    assert named_clause_ids(question, known) == expected


def test_unknown_clause_refs(tiny_index):
    known = frozenset(c.id for c in tiny_index.clauses)
    assert unknown_clause_refs("what does 14.2 say", known) == ["14.2"]
    assert unknown_clause_refs("what does 6.3 say", known) == []
    assert unknown_clause_refs("section 14 and A.9.1", known) == ["14", "A.9.1"]


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("what does 14.2 say?", True),
        ("section 14", True),
        ("show me A.9.1", True),
        ("what does clause 12.7 say about pupils on facebook", True),
        ("14.2 and 6.3", False),  # one it has: answered with that one
        ("can I work 37.5 hours", False),  # a number, not a clause
        ("i had 3.5 hours of cover today and a pupil added me on facebook", False),
        ("kids under 13", False),
        ("appendix B 2.1?", True),  # the policy's Appendix B is a form, with no clauses
        ("is v1.2 ok", False),  # a version, not an appendix the policy has
    ],
)
def test_asking_for_a_clause_the_policy_lacks(tiny_index, question, asks):
    known = frozenset(c.id for c in tiny_index.clauses)
    assert asks_for_unknown_clause(question, known) is asks


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
    assert lifted_scores["10.2(a)(ii)"] > flat_scores["10.2(a)(ii)"]
    assert lifted_scores["6.2"] == pytest.approx(flat_scores["6.2"])


def test_a_number_several_documents_share_finds_each_documents_clause(
    wootton_corpus, tiny_embedder, tmp_path
):
    from dataclasses import replace as copy

    from assistant.policy.model import Document

    clauses = list(wootton_corpus.clauses)
    other = [
        copy(c, document="ict-policy", order=c.order + 1000)
        for c in clauses
        if c.id in ("6.2", "6.3")
    ]

    two_policies = SimpleNamespace(
        documents={
            **wootton_corpus.documents,
            "ict-policy": Document(doc_id="ict-policy", title="ICT Policy", source="ict.txt"),
        },
        clauses=clauses + other,
        fingerprint="two",
    )
    index = build_index(two_policies, tiny_embedder, tmp_path, progress=False)
    result = Retriever(index=index, embedder=tiny_embedder).search("what does 6.3 say")
    direct = [h for h in result.hits if h.direct]
    assert [(h.clause.document, h.clause.id) for h in direct] == [
        ("wootton-social-media-policy", "6.3"),
        ("ict-policy", "6.3"),
    ]
    # A sub-clause is lifted only by its own document's parent.
    retriever = Retriever(index=index, embedder=tiny_embedder)
    parents = {index.clauses[p].document for p in retriever._parent_pos if p >= 0}
    assert parents == {"wootton-social-media-policy"}


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("hi, quick question - am I allowed to post photos of a trip?", "post photos of a trip"),
        ("is it ok if i dm a kid", "dm a kid"),
        ("thanks!", "thanks!"),
    ],
)
def test_chat_filler_is_left_out_of_the_query(retriever, question, kept):
    own, _ = retriever.query_parts(question)
    assert kept in own and "quick question" not in own.lower()


def test_year_groups_are_pupils():
    for question in ("a yr 9 girl followed me", "my year 10s", "Y7 pupils"):
        assert "pupils" in expansions(question)
    assert "pupils" not in expansions("13 years of service")


def test_synonyms_match_whole_words_and_phrases_each_group_once():
    from assistant.policy.vocabulary import SYNONYMS, expansion_groups

    staff_do = next(meant for variants, meant in SYNONYMS if "staff do" in variants)
    assert expansion_groups("is the staff do on saturday") == [staff_do]
    assert expansion_groups("the staff do, the staff party, a christmas party") == [staff_do]
    assert expansion_groups("staff doing") == [] and expansion_groups("my staff") == []
    assert expansion_groups("Staff  DO") == [staff_do]  # case and spacing are not words
    assert expansions("") == [] and expansions("🙂 !!") == []


@pytest.mark.parametrize(
    ("question", "on_topic"),
    [
        ("can i add a kid on insta", True),
        ("whats the point of this policy anyway", True),
        ("how do i book annual leave", False),
        ("is there a policy on staff parking", False),
    ],
)
def test_topic_signal(question, on_topic):
    assert (topic(question) > 0) is on_topic


def test_search_many_matches_search(retriever):
    questions = ["can i friend a pupil", "who moderates the class blog"]
    many = retriever.search_many(questions)
    for question, result in zip(questions, many, strict=True):
        single = retriever.search(question)
        assert [h.clause.id for h in single.hits[:5]] == [h.clause.id for h in result.hits[:5]]


def test_fitting_learns_which_signal_ranks_gold_first():
    import numpy as np

    from assistant.policy.fusion import fit_logistic, fit_ranker

    rng = np.random.default_rng(7)
    matrices, gold = [], []
    for _ in range(40):
        x = rng.random((20, 3)).astype(np.float32)
        g = int(np.argmax(x[:, 1]))  # only the second signal tells
        matrices.append(x)
        gold.append(np.array([g]))
    w = fit_ranker(matrices, gold, l2=0.0001, steps=300, rate=1.0)
    assert w[1] > abs(w[0]) and w[1] > abs(w[2])
    x = rng.random((200, 2))
    y = (x[:, 0] > 0.5).astype(float)
    weights, bias = fit_logistic(x, y, l2=0.0, steps=3000, rate=1.0)
    predicted = (x @ weights + bias) > 0
    assert (predicted == (y == 1)).mean() > 0.9


@pytest.mark.parametrize(
    ("typed", "policy_word"),
    [("safegaurding", "safeguarding"), ("confidentail", "confidential"), ("grammer", None)],
)
def test_a_misspelt_word_finds_the_policys_spelling(retriever, typed, policy_word):
    assert retriever._spelling.closest(typed) == policy_word
    own, _ = retriever.query_parts(f"any rules on {typed}")
    assert own.split()[own.split().index(typed) + 1 :] == ([policy_word] if policy_word else [])


def test_only_words_that_could_match_are_compared_and_nothing_is_missed(retriever):
    # The shared-letters bound must find what comparing every policy word finds, including
    # for letters no policy word has.
    import difflib

    everything = retriever._spelling._words
    typed_words = ["recruitmnet", "facebok", "disciplnary", "intranet", "monitering", "pupill"]
    for typed in [*typed_words, "safegaurdinǵ", "zzzzzzzz", "ÿoutube", "e"]:
        best = difflib.get_close_matches(typed, everything, n=1, cutoff=0.84)
        assert retriever._spelling.closest(typed) == (best[0] if best else None)
