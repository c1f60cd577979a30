"""The answer process: same answers as in-process, shared by concurrent callers."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest

from assistant.errors import AnswerTimeout, IndexError_
from assistant.policy.answer import PolicyAnswerer
from assistant.policy.batching import AnswerProcess, BatchingAnswerer
from assistant.policy.corpus import load_corpus
from assistant.policy.embedder import HashingEmbedder
from assistant.policy.index import build_index, load_index
from assistant.texts.policy import TOO_SLOW
from tests.core.stalling import STALL_WORD, STALLING_QUESTION, StallingEmbedder

QUESTIONS = [
    "can i friend a pupil",
    "",
    "what does 6.3 say",
    "who moderates the blog",
    "what is the capital of france",
]


def test_answers_match_in_process_and_leave_the_trace_behind(hashing_index_dir: Path) -> None:
    here = PolicyAnswerer(index=load_index(hashing_index_dir), embedder=HashingEmbedder())
    child = AnswerProcess(index_dir=hashing_index_dir, make_embedder=HashingEmbedder, nice=0)
    try:
        there = child.answer_many(QUESTIONS)
        single = child.answer("what does 6.3 say")
    finally:
        child.close()
    expected = here.answer_many(QUESTIONS)
    assert [a.message() for a in there] == [a.message() for a in expected]
    assert [a.answered for a in there] == [a.answered for a in expected]
    assert there[1].problem
    assert all(a.retrieval is None for a in there)
    assert single.citations[0].clause_id == "6.3"


def test_batching_over_the_process_serves_concurrent_callers(hashing_index_dir: Path) -> None:
    child = AnswerProcess(index_dir=hashing_index_dir, make_embedder=HashingEmbedder, nice=0)
    batching = BatchingAnswerer(child, window=0.02)
    questions = [f"what does 6.{i % 4 + 1} say" for i in range(24)]
    results: dict[int, str] = {}

    def ask(i: int) -> None:
        results[i] = batching.answer(questions[i]).citations[0].clause_id

    try:
        batching.answer("warm the child up")
        threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        child.close()
    assert results == {i: f"6.{i % 4 + 1}" for i in range(len(questions))}
    assert batching.batches < len(questions) + 1


def test_a_new_child_replaces_one_that_died(hashing_index_dir: Path) -> None:
    others = {p.pid for p in multiprocessing.active_children()}
    child = AnswerProcess(index_dir=hashing_index_dir, make_embedder=HashingEmbedder, nice=0)
    try:
        assert child.answer("what does 6.3 say").citations[0].clause_id == "6.3"
        before = {p.pid for p in multiprocessing.active_children()} - others
        assert before
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        assert child.answer("what does 6.2 say").citations[0].clause_id == "6.2"
        assert {p.pid for p in multiprocessing.active_children()}.isdisjoint(before)
    finally:
        child.close()


def test_a_hung_answer_times_out_and_a_new_child_answers_the_next_question(
    hashing_index_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    others = {p.pid for p in multiprocessing.active_children()}
    child = AnswerProcess(
        index_dir=hashing_index_dir, make_embedder=StallingEmbedder, nice=0, timeout=2.0
    )
    batching = BatchingAnswerer(child)
    try:
        assert batching.answer("what does 6.3 say").citations[0].clause_id == "6.3"
        hung = {p.pid for p in multiprocessing.active_children()} - others
        with pytest.raises(AnswerTimeout) as raised:
            batching.answer(STALLING_QUESTION)
        assert raised.value.user_message == TOO_SLOW
        assert child.restarts == {"timeout": 1, "stopped": 0}
        assert batching.answer("what does 6.2 say").citations[0].clause_id == "6.2"
        now = {p.pid for p in multiprocessing.active_children()} - others
        assert hung and now and hung.isdisjoint(now)  # the hung child was killed
    finally:
        child.close()
    logged = [r.getMessage() for r in caplog.records]
    assert any("longer than 2 s" in m and "new one started" in m for m in logged), logged
    assert not [m for m in logged if STALL_WORD in m or "pupil" in m]


def test_the_child_takes_over_a_new_index_and_keeps_the_old_when_it_is_broken(
    hashing_index_dir: Path, tmp_path: Path
) -> None:
    live = tmp_path / "index"
    shutil.copytree(hashing_index_dir, live)
    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parents[2] / "tests/fixtures/corpora/mixed", corpus)
    child = AnswerProcess(index_dir=live, make_embedder=HashingEmbedder, nice=0)
    try:
        question = "who do questions about the hillside policy go to?"
        assert child.answer("what does 6.3 say").citations[0].clause_id == "6.3"
        build_index(load_corpus(corpus), HashingEmbedder(), live, progress=False)
        loaded = child.reload(live)
        assert loaded.documents == 2 and loaded.manifest.clause_count > 0
        cited = {c.document for c in child.answer(question).citations}
        assert any("Hillside" in d for d in cited), cited

        manifest = json.loads((live / "manifest.json").read_text())
        (live / "manifest.json").write_text(json.dumps({**manifest, "clause_count": 1}))
        with pytest.raises(IndexError_, match="inconsistent"):
            child.reload(live)
        cited = {c.document for c in child.answer(question).citations}
        assert any("Hillside" in d for d in cited), cited  # still the working index
    finally:
        child.close()
