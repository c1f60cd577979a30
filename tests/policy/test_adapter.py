"""The query adapter: fitting on synthetic data, storage beside the index, rebuilds (no model)."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import CorpusError, IndexError_
from assistant.policy.adapter import (
    ADAPTER_FILE,
    NEIGHBOURS_FILE,
    QUESTIONS_SUFFIX,
    AdapterConfig,
    Neighbours,
    TrainingQuestion,
    VectorOdds,
    WordOdds,
    adapt,
    adapter_loss,
    clause_questions,
    fit_adapter,
    learn_neighbours,
    load_training,
    read_questions,
)
from assistant.policy.answer import RefusalPolicy
from assistant.policy.embedder import HashingEmbedder
from assistant.policy.fusion import fit_logistic
from assistant.policy.index import MANIFEST_FILE, Index, build_index, ensure_index, load_index
from assistant.policy.retrieval import RetrievalConfig, Retriever

CORPUS = Path(__file__).resolve().parents[2] / "policy_corpus"
DOC = "wootton-social-media-policy"


def _synthetic(dim: int = 16, n: int = 12, seed: int = 0):
    """Clause vectors, and queries that are each another clause's vector (a permutation)."""
    rng = np.random.default_rng(seed)
    targets = rng.normal(size=(n, dim))
    targets /= np.linalg.norm(targets, axis=1, keepdims=True)
    perm = np.roll(np.arange(n), 1)
    queries = targets[perm] + 0.05 * rng.normal(size=(n, dim))
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    gold = np.eye(n, dtype=np.float32)  # query i is answered by clause i
    return queries.astype(np.float32), targets.astype(np.float32), gold


def _neighbour_arrays(index_dir: Path) -> dict[str, np.ndarray]:
    with np.load(index_dir / NEIGHBOURS_FILE) as data:
        return dict(data)


def _damage_is_named(index_dir: Path, arrays: dict, match: str, **changes) -> None:
    """Store ``arrays`` with ``changes`` (None drops one): loading the index must name it."""
    kept = {k: v for k, v in {**arrays, **changes}.items() if v is not None}
    np.savez(index_dir / NEIGHBOURS_FILE, **kept)
    with pytest.raises(IndexError_, match=match):
        load_index(index_dir)


def _hit1(matrix, queries, targets, gold) -> float:
    scores = adapt(matrix, queries) @ targets.T
    return float(gold[np.arange(len(gold)), scores.argmax(axis=1)].mean())


def test_the_adapter_learns_a_mapping_the_identity_does_not():
    queries, targets, gold = _synthetic()
    assert _hit1(None, queries, targets, gold) == 0.0
    matrix = fit_adapter(queries, targets, gold, AdapterConfig(l2=0.0, steps=300, rate=0.01))
    assert _hit1(matrix, queries, targets, gold) == 1.0
    # Queries near a training query are mapped the same way.
    rng = np.random.default_rng(1)
    nearby = queries + 0.05 * rng.normal(size=queries.shape).astype(np.float32)
    assert _hit1(matrix, nearby, targets, gold) >= 0.9


def test_fitting_is_deterministic_and_the_pull_keeps_it_near_identity():
    queries, targets, gold = _synthetic()
    loose = fit_adapter(queries, targets, gold, AdapterConfig(l2=0.0, steps=100))
    assert np.array_equal(
        loose, fit_adapter(queries, targets, gold, AdapterConfig(l2=0.0, steps=100))
    )
    tight = fit_adapter(queries, targets, gold, AdapterConfig(l2=1.0, steps=100))
    eye = np.eye(queries.shape[1])
    assert np.linalg.norm(tight - eye) < np.linalg.norm(loose - eye)


def test_the_loss_gradient_matches_finite_differences():
    queries, targets, gold = _synthetic(dim=6, n=5)
    rng = np.random.default_rng(2)
    matrix = np.eye(6) + 0.1 * rng.normal(size=(6, 6))
    args = (queries.astype(np.float64), targets.astype(np.float64), gold.astype(np.float64))
    _, grad = adapter_loss(matrix, *args, temperature=5.0, l2=0.1)
    step = 1e-6
    for i, j in [(0, 0), (1, 3), (5, 2)]:
        bumped = matrix.copy()
        bumped[i, j] += step
        up, _ = adapter_loss(bumped, *args, temperature=5.0, l2=0.1)
        bumped[i, j] -= 2 * step
        down, _ = adapter_loss(bumped, *args, temperature=5.0, l2=0.1)
        assert (up - down) / (2 * step) == pytest.approx(grad[i, j], rel=1e-4, abs=1e-7)


def test_question_files_keep_out_of_scope_lines_and_name_bad_ones(tmp_path):
    path = tmp_path / f"doc{QUESTIONS_SUFFIX}"
    path.write_text('{"q": "a", "gold": ["6.3"]}\n\n{"q": "pay?", "gold": []}\n')
    assert [(t.q, t.document, t.gold) for t in read_questions(path, "doc")] == [
        ("a", "doc", ("6.3",)),
        ("pay?", "doc", ()),
    ]
    assert [t.gold for t in load_training(tmp_path, ["doc"])] == [("6.3",), ()]
    assert load_training(tmp_path, ["other"]) == []
    path.write_text('{"q": "a"}\n')
    with pytest.raises(CorpusError, match=r"doc\.questions\.jsonl:1"):
        read_questions(path, "doc")


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_the_index_stores_the_adapter_and_rebuilds_when_questions_change(
    corpus_dir, tmp_path, caplog
):
    out = tmp_path / "index"
    built = ensure_index(corpus_dir, out, HashingEmbedder)
    assert built.adapter is not None and (out / ADAPTER_FILE).exists()
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    assert manifest["training"] and manifest["training_questions"] > 100
    loaded = load_index(out)
    assert loaded.adapter is not None and np.array_equal(loaded.adapter, built.adapter)
    questions = corpus_dir / f"{DOC}{QUESTIONS_SUFFIX}"
    with questions.open("a") as handle:
        handle.write('{"q": "may I friend a pupil", "gold": ["6.2"]}\n')
    with caplog.at_level(logging.INFO, logger="assistant.policy.index"):
        ensure_index(corpus_dir, out, HashingEmbedder)
    assert "training questions changed" in caplog.text
    questions.unlink()
    rebuilt = ensure_index(corpus_dir, out, HashingEmbedder)
    assert rebuilt.adapter is None and not (out / ADAPTER_FILE).exists()
    assert load_index(out).adapter is None


def test_a_damaged_adapter_is_a_clear_error(corpus_dir, tmp_path):
    out = tmp_path / "index"
    ensure_index(corpus_dir, out, HashingEmbedder)
    np.save(out / ADAPTER_FILE, np.eye(3, dtype=np.float32))
    with pytest.raises(IndexError_, match="query adapter"):
        load_index(out)
    ensure_index(corpus_dir, out, HashingEmbedder)  # repaired by a rebuild
    assert load_index(out).adapter is not None


def test_a_corpus_without_questions_gets_no_adapter(wootton_corpus, tmp_path):
    index = build_index(wootton_corpus, HashingEmbedder(), tmp_path, progress=False)
    assert index.adapter is None and index.manifest.training == ""


def test_the_neighbour_signal_is_nearest_out_minus_nearest_in():
    vectors = np.eye(4, dtype=np.float32)
    near = Neighbours(vectors=vectors, out=np.array([True, True, False, False]))
    queries = np.array([[1, 0, 0, 0], [0, 0, 0.6, 0.8], [0.6, 0, 0.8, 0]], dtype=np.float32)
    assert np.allclose(near.signal(queries), [1.0, -0.8, 0.6 - 0.8])
    one_kind = Neighbours(vectors=vectors, out=np.zeros(4, dtype=bool))
    assert np.array_equal(one_kind.signal(queries), np.zeros(3, dtype=np.float32))


IN_QUESTIONS = [
    "can I friend a pupil on facebook",
    "may staff accept a pupil friend request",
    "can I message a pupil on instagram",
]
OUT_QUESTIONS = ["when is payday this month", "how much annual leave do I get", "payday date"]


def test_the_neighbour_signal_separates_new_in_and_out_of_scope_questions(wootton_corpus, tmp_path):
    embedder = HashingEmbedder()
    training = [TrainingQuestion(q, DOC, ("6.2",)) for q in IN_QUESTIONS] + [
        TrainingQuestion(q, DOC, ()) for q in OUT_QUESTIONS
    ]
    index = build_index(wootton_corpus, embedder, tmp_path, progress=False, training=training)
    assert index.neighbours is not None and index.neighbours.out.sum() == len(OUT_QUESTIONS)
    found = Retriever(index=index, embedder=embedder).search_many(
        ["pupil friend request on facebook?", "is payday this month late", "annual leave days"]
    )
    signal = [r.neighbour for r in found]
    assert signal[0] < 0 < signal[1] and signal[2] > 0
    loaded = load_index(tmp_path)
    assert loaded.neighbours is not None
    assert np.array_equal(loaded.neighbours.vectors, index.neighbours.vectors)
    assert np.array_equal(loaded.neighbours.out, index.neighbours.out)
    # The clauses' own words are stored too, each as a question answered by its clause.
    assert loaded.manifest.neighbour_questions == len(training) + len(index.clauses)


def test_neighbours_encode_questions_as_retrieval_does(wootton_corpus, tmp_path):
    embedder = HashingEmbedder()
    index = build_index(wootton_corpus, embedder, tmp_path, progress=False)
    questions = [TrainingQuestion("pls can i friend a pupil", DOC, ("6.2",))]
    near = learn_neighbours(index, embedder, questions)
    assert near is not None and not near.out.any()
    asked = [questions[0].q, *(tq.q for tq in clause_questions(index))]
    texts = Retriever(index=index, embedder=embedder).dense_queries(asked)
    assert np.allclose(near.vectors, embedder.encode(texts))
    assert near.gold is not None and near.gold[1:].sum(axis=1).tolist() == [1] * len(index.clauses)
    assert clause_questions(index)[0].gold == (index.clauses[0].id,)
    assert learn_neighbours(index, embedder, []) is None


def test_without_labelled_questions_the_signal_is_zero_and_refusal_still_works(
    wootton_corpus, tmp_path
):
    embedder = HashingEmbedder()
    index = build_index(wootton_corpus, embedder, tmp_path, progress=False)
    assert index.neighbours is None and not (tmp_path / NEIGHBOURS_FILE).exists()
    found = Retriever(index=index, embedder=embedder).search("when is payday")
    assert found.neighbour == 0.0
    assert (
        0.0
        <= RefusalPolicy(features=("score", "neighbour"), weights=(1.0, 5.0)).out_of_scope(found)
        <= 1.0
    )


def test_damaged_neighbours_are_a_clear_error(corpus_dir, tmp_path):
    out = tmp_path / "index"
    built = ensure_index(corpus_dir, out, HashingEmbedder)
    assert built.neighbours is not None and built.neighbours.out.any()
    np.savez(out / NEIGHBOURS_FILE, vectors=np.zeros((2, 3), np.float32), out=np.zeros(2, bool))
    with pytest.raises(IndexError_, match="labelled question vectors"):
        load_index(out)
    (out / NEIGHBOURS_FILE).write_bytes(b"not numpy")
    with pytest.raises(IndexError_, match="labelled question vectors"):
        load_index(out)
    ensure_index(corpus_dir, out, HashingEmbedder)  # repaired by a rebuild
    assert load_index(out).neighbours is not None


def test_the_vote_goes_to_the_nearest_labelled_questions_gold_clauses():
    # Three labelled questions in two dimensions: two answered by clause 0, one by clauses 1+2.
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]], np.float32)
    gold = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 1], [0, 0, 0]], np.uint8)
    near = Neighbours(vectors=vectors, out=~gold.any(axis=1), gold=gold)
    votes = near.votes(np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), k=2, temperature=0.05)
    assert votes is not None and votes.shape == (2, 3)
    assert np.allclose(votes.sum(axis=1), 1.0)
    assert votes[0].argmax() == 0 and votes[0, 0] > 0.99
    # A neighbour with two gold clauses splits its weight between them.
    assert votes[1, 1] == pytest.approx(votes[1, 2]) and votes[1, 1] > votes[1, 0]
    # The out-of-scope question never votes, however near; a warm softmax spreads the vote.
    flat = near.votes(np.array([[-1.0, 0.0]], np.float32), k=3, temperature=100.0)
    assert flat is not None and np.allclose(flat[0], [2 / 3, 1 / 6, 1 / 6], atol=0.01)
    assert (
        Neighbours(vectors=vectors, out=gold.any(axis=1)).votes(vectors, k=2, temperature=1) is None
    )


def test_the_vote_ranks_a_labelled_questions_clause_and_is_stored(wootton_corpus, tmp_path):
    embedder = HashingEmbedder()
    # A staff question answered by 1.5 ("may be amended at any time"), which its words alone
    # rank below other clauses.
    question = "can the trust just change this policy whenever they want"
    training = [TrainingQuestion(question, DOC, ("1.5",))]
    index = build_index(wootton_corpus, embedder, tmp_path, progress=False, training=training)
    unadapted = replace(index, adapter=None)  # the vote alone, not the adapter, moves it
    bare = Retriever(index=unadapted, embedder=embedder, config=RetrievalConfig(vote_weight=0.0))
    voted = Retriever(index=unadapted, embedder=embedder)
    reworded = "can the trust change this policy whenever it wants to?"
    for asked in (question, reworded):
        assert bare.search(asked).hits[0].clause.id != "1.5"
        assert voted.search(asked).hits[0].clause.id == "1.5"
    loaded = load_index(tmp_path)
    assert loaded.neighbours is not None and loaded.neighbours.gold is not None
    assert np.array_equal(loaded.neighbours.gold, index.neighbours.gold)
    assert loaded.neighbours.gold[0, index.position("1.5", DOC)] == 1


def test_gold_clauses_that_do_not_match_the_index_are_a_clear_error(corpus_dir, tmp_path):
    out = tmp_path / "index"
    built = ensure_index(corpus_dir, out, HashingEmbedder)
    assert built.neighbours is not None and built.neighbours.gold is not None
    np.savez(
        out / NEIGHBOURS_FILE,
        vectors=built.neighbours.vectors,
        out=built.neighbours.out,
        gold=built.neighbours.gold[:, :3],
    )
    with pytest.raises(IndexError_, match="gold clauses"):
        load_index(out)


def test_a_word_mostly_in_out_of_scope_questions_is_evidence_of_scope():
    odds = WordOdds.count(
        [
            "who signs my mortgage reference",
            "mortgage letter from HR",
            "can I friend a pupil",
            "reference on linkedin for a colleague",
            "can a pupil follow me",
        ],
        [True, True, False, False, False],
    )
    assert odds is not None
    # "mortgage": in 2 of 2 out-of-scope questions and 0 of 3 in scope: log((3/4) / (1/5)).
    assert odds.strongest("a mortgage reference?") == pytest.approx(np.log(15 / 4), rel=1e-5)
    # "reference": in 1 of 2 out of scope, 1 of 3 in scope; "pupil" only in scope; "payslip"
    # never seen.
    assert odds.strongest("reference") == pytest.approx(np.log((2 / 4) / (2 / 5)), rel=1e-5)
    assert odds.strongest("pupil") < 0
    assert odds.strongest("payslip") == 0.0 and odds.strongest("") == 0.0
    assert odds.strongest("friend a pupil or a payslip") == 0.0  # the strongest word counts
    assert WordOdds.count(["a", "b"], [False, False]) is None


@pytest.fixture
def stored(corpus_dir, tmp_path) -> tuple[Path, Neighbours, Neighbours, Index]:
    """The shipped questions' index built into a directory: where it is, its neighbours as
    built and as loaded back, and the loaded index."""
    out = tmp_path / "index"
    built = ensure_index(corpus_dir, out, HashingEmbedder).neighbours
    index = load_index(out)
    assert built is not None and index.neighbours is not None
    return out, built, index.neighbours, index


def test_word_odds_are_stored_with_the_neighbours_and_reach_retrieval(stored):
    out, built, loaded, index = stored
    assert built.word_odds is not None and loaded.word_odds is not None
    assert np.array_equal(loaded.word_odds.words, built.word_odds.words)
    assert np.array_equal(loaded.word_odds.log_odds, built.word_odds.log_odds)
    retriever = Retriever(index=index, embedder=HashingEmbedder())
    question = "where do I find my payslip"
    found = retriever.search(question).out_word
    assert found > 1.0 and found == loaded.word_odds.strongest(question)
    arrays = _neighbour_arrays(out)
    _damage_is_named(out, arrays, "word odds", word_odds=arrays["word_odds"][:-1])


def test_vector_odds_learn_the_direction_out_of_scope_questions_lean():
    rng = np.random.default_rng(0)
    # Out-of-scope vectors lean along the first component, in-scope ones against it, with
    # noise everywhere and an offset in another component that says nothing.
    out = np.arange(400) % 3 == 0
    vectors = rng.normal(size=(400, 8)) + np.where(out, 1.5, -1.5)[:, None] * np.eye(8)[0]
    vectors[:, 3] += 5.0
    odds = VectorOdds.fit(vectors, out)
    assert odds is not None and odds.weights.dtype == np.float32
    assert int(np.argmax(np.abs(odds.weights))) == 0 and odds.weights[0] > 0
    fresh_out = np.eye(8)[0] * 1.5 + 5.0 * np.eye(8)[3]
    fresh_in = -np.eye(8)[0] * 1.5 + 5.0 * np.eye(8)[3]
    lean = odds.log_odds(np.stack([fresh_out, fresh_in]))
    assert lean[0] > 2.0 and lean[1] < -2.0
    # The standardisation folded into the weights gives what the standardised model would.
    x = (vectors - vectors.mean(axis=0)) / (vectors.std(axis=0) + 1e-6)
    w, b = fit_logistic(x, out.astype(np.float64), l2=VectorOdds.L2, steps=VectorOdds.STEPS)
    assert odds.log_odds(vectors[:5]) == pytest.approx(x[:5] @ w + b, abs=1e-3)
    assert VectorOdds.fit(vectors, np.zeros(400, bool)) is None
    assert VectorOdds.fit(vectors, np.ones(400, bool)) is None


def test_vector_odds_are_fitted_on_the_labelled_questions_not_the_clauses(wootton_corpus, tmp_path):
    index = build_index(wootton_corpus, HashingEmbedder(), tmp_path / "index", progress=False)
    questions = [
        TrainingQuestion(q="can I friend a pupil on facebook", document=DOC, gold=("6.3",)),
        TrainingQuestion(q="who signs my mortgage reference", document=DOC, gold=()),
    ]
    neighbours = learn_neighbours(index, HashingEmbedder(), questions)
    assert neighbours is not None and neighbours.vector_odds is not None
    expected = VectorOdds.fit(neighbours.vectors[:2], np.array([False, True]))
    assert expected is not None
    assert np.array_equal(neighbours.vector_odds.weights, expected.weights)
    lean = neighbours.vector_odds.log_odds(neighbours.vectors[:2])
    assert lean[1] > lean[0]


def test_vector_odds_are_stored_with_the_neighbours_and_reach_retrieval(stored):
    out, built, loaded, index = stored
    assert built.vector_odds is not None and loaded.vector_odds is not None
    assert np.array_equal(loaded.vector_odds.weights, built.vector_odds.weights)
    assert loaded.vector_odds.bias == built.vector_odds.bias
    retriever = Retriever(index=index, embedder=HashingEmbedder())
    question = "where do I find my payslip"
    vector = retriever.embedder.encode(retriever.dense_queries([question]))
    expected = float(loaded.vector_odds.log_odds(vector)[0])
    assert retriever.search(question).out_vector == pytest.approx(expected, abs=1e-5)
    arrays = _neighbour_arrays(out)
    _damage_is_named(out, arrays, "vector odds", vector_odds=arrays["vector_odds"][:-1])
    _damage_is_named(out, arrays, "vector odds", vector_odds_bias=np.array([np.nan]))
    _damage_is_named(out, arrays, "vector odds", vector_odds_bias=None)
