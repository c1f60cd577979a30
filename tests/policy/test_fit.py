"""Refitting the refusal model out of fold, and the weights file answer.py reads."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ConfigError, InputError
from assistant.policy import answer
from assistant.policy.adapter import TrainingQuestion, learn_neighbours, read_labelled
from assistant.policy.answer import PolicyAnswerer
from assistant.policy.fit import (
    CUTS,
    FitSettings,
    Fold,
    choose_cut,
    fit_model,
    folds,
    main,
    recorded_settings,
    refit,
)
from assistant.policy.index import build_index
from assistant.policy.refusal_weights import (
    WEIGHTS_PATH,
    RefusalWeights,
    read_weights,
    write_weights,
)
from assistant.policy.retrieval import Retriever

EVAL = Path(__file__).resolve().parents[1] / "eval"

IN_SCOPE = [
    ("can i friend a pupil on facebook", ["6.2"]),
    ("may I add a former pupil on social media", ["6.3"]),
    ("who approves a new school account", ["A.3.6"]),
    ("can I say where I work on my profile", ["6.5"]),
    ("a journalist rang me about a post", ["8.2"]),
    ("can I post photos of pupils", ["A.5.7"]),
]
OUT_OF_SCOPE = ["how much annual leave do I get", "when is payday", "what is the dress code"]


def _write(path: Path, rows: list[tuple[str, list[str]]]) -> Path:
    path.write_text("".join(json.dumps({"q": q, "gold": g}) + "\n" for q, g in rows))
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    first = IN_SCOPE[:3] + [(q, []) for q in OUT_OF_SCOPE[:2]]
    second = IN_SCOPE[3:] + [(q, []) for q in OUT_OF_SCOPE[2:]]
    return [_write(tmp_path / "a.jsonl", first), _write(tmp_path / "b.jsonl", second)]


@pytest.fixture
def tiny_index(wootton_corpus, tiny_embedder, tmp_path):
    return build_index(wootton_corpus, tiny_embedder, tmp_path / "index", progress=False)


def test_every_fold_is_seen_through_an_adapter_trained_on_the_others(
    tiny_index, tiny_embedder, files
):
    found = folds(tiny_index, tiny_embedder, files)
    assert [f.name for f in found] == ["a.jsonl", "b.jsonl"]
    assert [int(f.out.sum()) for f in found] == [2, 1]
    assert found[0].x.shape == (5, len(FitSettings().features))
    assert (found[0].rank[~found[0].out] >= -1).all()


def test_a_folds_neighbours_are_the_other_folds_questions_never_its_own(
    tiny_index, tiny_embedder, files
):
    settings = replace(FitSettings(), features=("score", "neighbour"))
    found = folds(tiny_index, tiny_embedder, files, settings)
    labelled = [read_labelled(f) for f in files]
    document = next(iter(tiny_index.documents))
    retriever = Retriever(index=tiny_index, embedder=tiny_embedder)
    for k, fold in enumerate(found):
        rows = [
            TrainingQuestion(q, document, g)
            for j, fold_rows in enumerate(labelled)
            for q, g in fold_rows
            if j != k
        ]
        own = [TrainingQuestion(q, document, g) for q, g in labelled[k]]
        vectors = tiny_embedder.encode(retriever.dense_queries([t.q for t in own]))
        others = learn_neighbours(tiny_index, tiny_embedder, rows)
        every = learn_neighbours(tiny_index, tiny_embedder, rows + own)
        assert others is not None and every is not None
        assert np.allclose(fold.x[:, 1], others.signal(vectors), atol=1e-6)
        # With its own questions among the neighbours, each out-of-scope one finds itself.
        assert not np.allclose(fold.x[:, 1], every.signal(vectors), atol=1e-3)


def test_the_threshold_keeps_in_scope_refusals_under_the_limit(tiny_index, tiny_embedder, files):
    found = folds(tiny_index, tiny_embedder, files)
    for limit in (0.0, 0.34):
        model = fit_model(found, replace(FitSettings(), max_refused_in=limit))
        for fold in found:
            refused_in = model.refuses(fold)[~fold.out].mean()
            assert refused_in <= limit
    assert np.array_equal(model.weights, np.round(model.weights, 3))


def test_refitting_is_deterministic_and_records_how(tiny_index, tiny_embedder, files):
    first, rows = refit(tiny_index, tiny_embedder, files)
    second, _ = refit(tiny_index, tiny_embedder, files)
    assert first == second and first.fitting == second.fitting
    assert first.fitting["files"] == ["a.jsonl", "b.jsonl"]
    assert [r.name for r in rows] == ["a.jsonl", "b.jsonl", "all"]
    assert rows[-1].in_scope == len(IN_SCOPE) and rows[-1].out_of_scope == len(OUT_OF_SCOPE)


def test_every_fold_records_what_a_reply_would_quote_at_each_cut(tiny_index, tiny_embedder, files):
    for fold in folds(tiny_index, tiny_embedder, files):
        assert fold.cited_gold.shape == fold.quoted.shape == (len(fold.out), len(CUTS))
        answered = fold.quoted[fold.ruled != 1]
        assert ((answered >= 1) & (answered <= 3)).all()
        # Lowering the cut only adds clauses: a gold clause quoted stays quoted.
        assert (np.diff(fold.quoted, axis=1) <= 0).all()
        assert (np.diff(fold.cited_gold.astype(int), axis=1) <= 0).all()
        assert not fold.cited_gold[fold.out].any()


def _cut_fold(rank: list[int], gold_from: list[float]) -> Fold:
    """In-scope questions whose gold clause is quoted at every cut up to ``gold_from``."""
    n = len(rank)
    return Fold(
        name="f",
        x=np.zeros((n, 1)),
        out=np.zeros(n, dtype=bool),
        rank=np.array(rank),
        ruled=np.full(n, -1, dtype=np.int8),
        cited_gold=np.array([[cut <= g for cut in CUTS] for g in gold_from]),
        quoted=np.ones((n, len(CUTS)), dtype=np.int8),
    )


def test_the_cut_is_the_highest_that_keeps_the_rankings_answers_in_the_reply():
    # Ten questions answered at rank 0; one at rank 1, quoted from a cut of 0.6 down; one at
    # rank 2, quoted from 0.3 down; one the first three miss.
    fold = _cut_fold([0] * 10 + [1, 2, -1], [1.0] * 10 + [0.6, 0.3, -1.0])
    strict = replace(FitSettings(), max_cited_loss=0.0)
    assert choose_cut([fold], strict) == 0.3
    assert choose_cut([fold], replace(strict, max_cited_loss=0.08)) == 0.6
    assert choose_cut([fold], replace(strict, max_cited_loss=0.2)) == 1.0


def test_bad_fitting_input_is_a_clear_error(tiny_index, tiny_embedder, files, tmp_path):
    with pytest.raises(InputError, match="at least two"):
        folds(tiny_index, tiny_embedder, files[:1])
    with pytest.raises(InputError, match="unknown refusal signals"):
        folds(tiny_index, tiny_embedder, files, replace(FitSettings(), features=("nope",)))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"q": "x"}\n')
    with pytest.raises(InputError, match="broken.jsonl:1"):
        folds(tiny_index, tiny_embedder, [files[0], broken])


def test_the_command_names_a_bad_file_without_a_traceback(tmp_path, capsys):
    missing = tmp_path / "missing.jsonl"
    assert main([str(missing), str(missing), "--features", "nope"]) == 2
    assert "unknown refusal signals" in capsys.readouterr().err


def test_weights_round_trip_and_damage_is_named(tmp_path):
    path = tmp_path / "w.json"
    weights = RefusalWeights(
        features=("score", "margin"),
        weights=(-1.23456, 0.5),
        bias=0.1,
        threshold=0.4,
        relative_cut=0.85,
        fitting={"files": ["a.jsonl"]},
    )
    write_weights(path, weights)
    back = read_weights(path)
    assert back.weights == (-1.235, 0.5) and back.fitting == {"files": ["a.jsonl"]}
    path.write_text('{"features": ["score"], "weights": [1, 2], "bias": 0, "threshold": 0.5}')
    with pytest.raises(ConfigError, match="w.json"):
        read_weights(path)


def test_the_answerer_uses_the_shipped_weights():
    shipped = read_weights(WEIGHTS_PATH)
    policy = answer.RefusalPolicy()
    assert policy.features == shipped.features and policy.weights == shipped.weights
    assert (policy.bias, policy.threshold) == (shipped.bias, shipped.threshold)


@pytest.mark.model
def test_refitting_on_the_shipped_files_reproduces_the_shipped_weights(minilm_index, minilm):
    shipped = read_weights(WEIGHTS_PATH)
    files = [EVAL / name for name in shipped.fitting["files"]]
    settings = recorded_settings(shipped)
    weights, _ = refit(replace(minilm_index, adapter=None), minilm, files, settings)
    # Stored rounded to 0.001: float sums in another order (another CPU, thread count or BLAS
    # kernel) can land a weight on the other side of a rounding step.
    assert weights.weights == pytest.approx(shipped.weights, abs=0.0015)
    assert weights.bias == pytest.approx(shipped.bias, abs=0.0015)
    assert weights.threshold == pytest.approx(shipped.threshold, abs=0.011)
    assert weights.relative_cut == pytest.approx(shipped.relative_cut, abs=0.051)  # one step


def test_the_refit_encodes_each_text_once_and_gets_the_same_vectors():
    from assistant.policy.embedder import HashingEmbedder, RememberingEmbedder

    class Counting(HashingEmbedder):
        seen: list[str] = []

        def encode(self, texts):
            self.seen.extend(texts)
            return super().encode(texts)

    inner = Counting()
    remembering = RememberingEmbedder(inner)
    first = remembering.encode(["a pupil", "a parent", "a pupil"])
    again = remembering.encode(["a parent", "the press", "a pupil"])
    assert inner.seen == ["a pupil", "a parent", "the press"]
    bare = HashingEmbedder()
    assert np.array_equal(first, bare.encode(["a pupil", "a parent", "a pupil"]))
    assert np.array_equal(again, bare.encode(["a parent", "the press", "a pupil"]))
    assert remembering.encode([]).shape == (0, bare.dim)


def test_the_fitted_model_decides_as_the_answerer_does(tiny_index, tiny_embedder, tmp_path):
    # A question asking for a clause the policy lacks is refused whatever the model says, and
    # one naming a clause it has never is: the fitting counts them as the answerer will.
    rows = [*IN_SCOPE, ("what does 14.2 say", []), ("what does 6.3 say", ["6.3"])]
    files = [
        _write(tmp_path / "a.jsonl", rows[::2] + [("when is payday", [])]),
        _write(tmp_path / "b.jsonl", rows[1::2] + [("what is the dress code", [])]),
    ]
    found = folds(tiny_index, tiny_embedder, files)
    never = fit_model(found, replace(FitSettings(), max_refused_in=1.0))
    never = replace(never, threshold=1.0)  # the model itself refuses nothing
    answerer = PolicyAnswerer(
        index=tiny_index,
        embedder=tiny_embedder,
        refusal=replace(answer.RefusalPolicy(), threshold=1.0),
    )
    for path, fold in zip(files, found, strict=True):
        questions = [q for q, _ in read_labelled(path)]
        expected = [answerer.refuses(answerer.retriever.search(q)) for q in questions]
        assert never.refuses(fold).tolist() == expected
        assert ("what does 14.2 say" in questions) == any(expected)
