"""The query adapter: fitting on synthetic data, storage beside the index, rebuilds (no model)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import CorpusError, IndexError_
from assistant.policy.adapter import (
    ADAPTER_FILE,
    QUESTIONS_SUFFIX,
    AdapterConfig,
    adapt,
    adapter_loss,
    fit_adapter,
    load_training,
    read_questions,
)
from assistant.policy.embedder import HashingEmbedder
from assistant.policy.index import MANIFEST_FILE, build_index, ensure_index, load_index

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


def test_question_files_skip_out_of_scope_lines_and_name_bad_ones(tmp_path):
    path = tmp_path / f"doc{QUESTIONS_SUFFIX}"
    path.write_text('{"q": "a", "gold": ["6.3"]}\n\n{"q": "pay?", "gold": []}\n')
    assert [(t.q, t.document, t.gold) for t in read_questions(path, "doc")] == [
        ("a", "doc", ("6.3",))
    ]
    assert load_training(tmp_path, ["doc"])[0].gold == ("6.3",)
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
