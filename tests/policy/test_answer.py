"""Quoted answers: verbatim quotes for every clause, refusals, bad input, batching, CLI JSON."""

from __future__ import annotations

import io
import json
import threading
from contextlib import redirect_stdout

import pytest

from assistant.errors import InputError
from assistant.messages import Kind
from assistant.policy.answer import PolicyAnswerer, RefusalPolicy
from assistant.policy.batching import BatchingAnswerer
from assistant.policy.index import build_index
from assistant.policy.questions import MAX_QUESTION_CHARS, clean_question, neutralise
from assistant.policy.quoting import ELLIPSIS, quote, shorten


@pytest.fixture(scope="module")
def tiny_answerer(wootton_corpus, tmp_path_factory):
    from assistant.policy.embedder import HashingEmbedder

    embedder = HashingEmbedder()
    index = build_index(wootton_corpus, embedder, tmp_path_factory.mktemp("i"), progress=False)
    return PolicyAnswerer(index=index, embedder=embedder)


def assert_verbatim(quote_text: str, clause) -> None:
    pieces = [p.strip() for p in quote_text.split(ELLIPSIS)]
    assert pieces and all(pieces)
    for piece in pieces:
        assert piece in clause.text or piece == clause.lead_in.strip(), (clause.id, piece)


def test_every_clause_quoted_verbatim_when_named(tiny_answerer):
    for clause in tiny_answerer.index.clauses:
        answer = tiny_answerer.answer(f"what does clause {clause.id} say?")
        assert answer.answered, clause.id
        assert answer.citations[0].clause_id == clause.id
        assert answer.citations[0].score == 1.0
        assert_verbatim(answer.citations[0].quote, clause)
        if clause.lead_in:
            assert answer.citations[0].quote.startswith(clause.lead_in + f" {ELLIPSIS} ")


@pytest.mark.model
def test_every_clause_found_and_quoted_verbatim_by_its_own_words(minilm_answerer):
    clauses = minilm_answerer.index.clauses
    questions = [c.text if len(c.text) >= 40 else f"{c.lead_in} {c.text}" for c in clauses]
    answers = minilm_answerer.answer_many([q[:300] for q in questions])
    for clause, answer in zip(clauses, answers, strict=True):
        for citation in answer.citations:
            assert_verbatim(citation.quote, minilm_answerer.index.clause(citation.clause_id))
        assert answer.answered, clause.id
        cited = [c.clause_id for c in answer.citations]
        # a bare lead-in is answered by its sub-clauses; a two-word item by its lead-in's
        assert any(cid.startswith(clause.id) for cid in cited) or len(clause.text) < 40, (
            clause.id,
            cited,
        )


def test_long_clause_is_shortened_to_its_best_sentences(tiny_answerer):
    clause = tiny_answerer.index.clause("7.2")
    assert len(clause.text) > 600
    short = shorten(clause.text, ["keystrok", "captur"])
    assert len(short) < len(clause.text)
    assert "keystroke capturing" in short
    assert_verbatim(short, clause)
    assert_verbatim(quote(clause, ["monitor"]), clause)


def test_citations_are_at_most_three_best_first(tiny_answerer):
    answer = tiny_answerer.answer("privacy settings on personal social media sites")
    assert 1 <= len(answer.citations) <= 3
    scores = [c.score for c in answer.citations]
    assert scores == sorted(scores, reverse=True)
    assert all(c.document == "Wootton Academy Trust Social Media Policy" for c in answer.citations)
    assert all(c.reviewed == "December 2012" for c in answer.citations)


def test_a_lower_cut_quotes_more_clauses_and_keeps_the_order(tiny_answerer):
    retrieval = tiny_answerer.retriever.search("privacy settings on personal social media sites")
    by_cut = [[h.clause.id for h in tiny_answerer.cited(retrieval, cut)] for cut in (1.01, 0.5, 0)]
    assert len(by_cut[0]) == 1 and len(by_cut[2]) == 3
    assert by_cut[2][: len(by_cut[1])] == by_cut[1] and by_cut[1][:1] == by_cut[0]
    # A question naming clauses quotes them, whatever the cut.
    named = tiny_answerer.retriever.search("what do 6.2 and 6.3 say")
    assert [h.clause.id for h in tiny_answerer.cited(named, 0)] == ["6.2", "6.3"]


def test_answering_leaves_blas_on_one_thread_for_every_thread(tiny_answerer):
    from threadpoolctl import threadpool_info

    def numpy_blas_threads() -> set[int]:
        # NumPy's OpenBLAS keeps one pool for the whole process: its spinning threads are the
        # ones that slowed answers.
        return {
            pool["num_threads"]
            for pool in threadpool_info()
            if pool["user_api"] == "blas" and "numpy" in pool["filepath"]
        }

    answered = threading.Thread(target=tiny_answerer.answer, args=("can I friend a pupil?",))
    answered.start()
    answered.join()
    assert numpy_blas_threads() == {1}


def test_a_labelled_question_asked_again_keeps_its_label(wootton_corpus, tmp_path):
    from assistant.policy.adapter import TrainingQuestion
    from assistant.policy.embedder import HashingEmbedder

    embedder = HashingEmbedder()
    document = next(iter(wootton_corpus.documents))
    training = [
        TrainingQuestion("where do I park my bike at school", document, ()),
        TrainingQuestion("can I add a former pupil on facebook", document, ("6.3",)),
    ]
    index = build_index(wootton_corpus, embedder, tmp_path, progress=False, training=training)
    # The model itself never refuses, or always does: the labels decide the repeated ones.
    never = PolicyAnswerer(index=index, embedder=embedder, refusal=RefusalPolicy(threshold=1.0))
    always = PolicyAnswerer(index=index, embedder=embedder, refusal=RefusalPolicy(threshold=0.0))
    assert not never.answer("Where do I park my bike at school?").answered
    assert always.answer("can I add a former pupil on Facebook").answered
    # Further from them, the model decides.
    assert never.answer("where is the staff car park").answered
    assert not always.answer("a former pupil sent me a request").answered


def test_message_shape(tiny_answerer):
    message = tiny_answerer.answer("what does 6.3 say").message()
    assert message.kind is Kind.ANSWER
    assert "6.3" in message.text
    assert "December 2012" in message.context and "Social Media Policy" in message.context


@pytest.mark.model
@pytest.mark.parametrize(
    "question", ["how do I order a new laptop?", "how do i book annual leave", "what's for lunch"]
)
def test_out_of_scope_is_refused_naming_the_contact(minilm_answerer, question):
    answer = minilm_answerer.answer(question)
    assert not answer.answered and not answer.citations
    message = answer.message()
    assert message.kind is Kind.REFUSAL
    assert "the Principal" in message.text and "4.3" in message.text


@pytest.mark.model
def test_copyright_refusal_names_the_finance_director(minilm_answerer):
    answer = minilm_answerer.answer("what's the copyright licence for the exam board's font")
    if answer.answered:  # the policy may cover it; then 10.3 should be quoted
        assert any(c.clause_id.startswith("10.3") for c in answer.citations)
    else:
        assert "Finance Director" in answer.message().text and "10.3(d)" in answer.message().text


def test_unknown_clause_number_is_refused_plainly(tiny_answerer):
    answer = tiny_answerer.answer("what does 14.2 say?")
    assert not answer.answered
    assert "no clause 14.2" in answer.message().text


@pytest.mark.parametrize(
    "raw",
    ["", "   \n\t ", "x" * 20_000, "\x00\x01\x02", "🙂🙂🙂", "<!channel>", "***"],
)
def test_bad_input_gets_a_clear_reply(tiny_answerer, raw):
    answer = tiny_answerer.answer(raw)
    assert not answer.answered and answer.problem
    message = answer.message()
    assert message.kind is Kind.ERROR
    assert message.text and "Traceback" not in message.text
    assert "<!" not in message.text


@pytest.mark.parametrize(
    "raw",
    [
        "¿Puedo ser amigo de un alumno en Facebook?",
        "'; DROP TABLE clauses; --",
        "what does 6.3 say <!channel> <@U123> *bold* <https://x.example|see here>",
        "line one\x07\nline two\u200b",
    ],
)
def test_odd_input_is_answered_or_refused_without_error(tiny_answerer, raw):
    answer = tiny_answerer.answer(raw)
    assert not answer.problem
    assert "<!channel>" not in answer.message().text


def test_clean_question_unwraps_markup():
    assert clean_question("  <@U123> what about *6.3* <https://x.example|this page>\x00 ") == (
        "what about 6.3 this page"
    )
    assert clean_question("<!here> can I _friend_ a pupil?") == "can I friend a pupil?"
    with pytest.raises(InputError) as info:
        clean_question("y" * (MAX_QUESTION_CHARS + 1))
    assert "too long" in info.value.user_message


def test_neutralise_defuses_mentions():
    assert "<!channel>" not in neutralise("hello <!channel> and <@U1>")


def test_answer_many_is_one_encode_and_matches_answer(tiny_answerer):
    calls = []
    embedder = tiny_answerer.retriever.embedder
    original = embedder.encode
    embedder.encode = lambda texts: calls.append(len(texts)) or original(texts)
    try:
        questions = ["can i friend a pupil", "", "what does A.5.7 say", "who moderates the blog"]
        many = tiny_answerer.answer_many(questions)
    finally:
        del embedder.encode
    assert calls == [3]
    assert [a.answered for a in many] == [tiny_answerer.answer(q).answered for q in questions]
    assert many[1].problem


def test_batching_answerer_serves_concurrent_callers(tiny_answerer):
    batching = BatchingAnswerer(tiny_answerer, window=0.02)
    questions = [f"what does 6.{i % 4 + 1} say" for i in range(24)]
    results: dict[int, str] = {}

    def ask(i: int) -> None:
        results[i] = batching.answer(questions[i]).citations[0].clause_id

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert results == {i: f"6.{i % 4 + 1}" for i in range(len(questions))}
    assert batching.batches < len(questions)


def test_cli_json_contract(tiny_answerer, monkeypatch):
    from assistant.cli import policy as cli

    monkeypatch.setattr(cli, "_open", lambda index_dir: tiny_answerer)
    import argparse

    out = io.StringIO()
    with redirect_stdout(out):
        cli.cmd_ask(argparse.Namespace(question="what does 6.3 say", json=True, index=None))
    row = json.loads(out.getvalue())
    assert set(row) == {"question", "answered", "citations", "text"}
    assert row["answered"] is True
    assert set(row["citations"][0]) == {
        "clause_id",
        "section",
        "quote",
        "score",
        "document",
        "source",
    }
    assert row["citations"][0]["clause_id"] == "6.3"
    assert row["citations"][0]["document"] == "Wootton Academy Trust Social Media Policy"
    assert row["citations"][0]["source"] == "wootton-social-media-policy.txt"

    monkeypatch.setattr("sys.stdin", io.StringIO("what does 6.2 say\n\nhow do I order a laptop\n"))
    out = io.StringIO()
    with redirect_stdout(out):
        cli.cmd_ask(argparse.Namespace(question="-", json=True, index=None))
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["question"] for r in rows] == ["what does 6.2 say", "how do I order a laptop"]

    out = io.StringIO()
    with redirect_stdout(out):
        cli.cmd_ask(argparse.Namespace(question="what does 6.3 say", json=False, index=None))
    assert "Clause 6.3 \u00b7 Personal use of social media" in out.getvalue()


def test_refusal_is_a_calibrated_probability(tiny_answerer):
    from assistant.policy.answer import REFUSAL_FEATURES, refusal_features

    retrieval = tiny_answerer.retriever.search("can i add a pupil on facebook")
    assert refusal_features(retrieval).shape == (len(REFUSAL_FEATURES),)
    p = RefusalPolicy().out_of_scope(retrieval)
    assert 0.0 < p < 1.0
    never = RefusalPolicy(threshold=1.0)
    always = RefusalPolicy(threshold=0.0)
    assert p > always.threshold and p < never.threshold


def test_a_named_clause_is_never_refused(tiny_answerer):
    strict = PolicyAnswerer(
        index=tiny_answerer.index,
        embedder=tiny_answerer.retriever.embedder,
        refusal=RefusalPolicy(threshold=0.0),
    )
    assert strict.answer("para 6.3").answered
    assert not strict.answer("can i add a pupil on facebook").answered
