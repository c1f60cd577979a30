"""The clause index on disk: build, load, staleness, corruption (tiny embedder)."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexError_
from assistant.policy.embedder import HashingEmbedder
from assistant.policy.index import (
    CLAUSES_FILE,
    MANIFEST_FILE,
    PART,
    VECTORS_FILE,
    WHOLE,
    build_index,
    embed_text,
    ensure_index,
    load_index,
    vector_texts,
)

CORPUS = Path(__file__).resolve().parents[2] / "policy_corpus"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@dataclass
class _Corpus:
    """A parsed corpus with extra clauses, as if a second policy shared clause numbers."""

    base: object
    extra: list = field(default_factory=list)

    @property
    def documents(self):
        return self.base.documents

    @property
    def clauses(self):
        return [*self.base.clauses, *self.extra]

    @property
    def fingerprint(self):
        return self.base.fingerprint + "+extra"


class CountingEmbedder(HashingEmbedder):
    def __init__(self, name: str = "hashing-64") -> None:
        super().__init__(name=name)
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        return super().encode(texts)


def test_build_then_load_round_trips(wootton_corpus, tiny_embedder, tmp_path):
    built = build_index(wootton_corpus, tiny_embedder, tmp_path, progress=False)
    for name in (CLAUSES_FILE, VECTORS_FILE, MANIFEST_FILE):
        assert (tmp_path / name).exists()
    loaded = load_index(tmp_path)
    assert [c.id for c in loaded.clauses] == [c.id for c in built.clauses]
    assert loaded.clauses == built.clauses
    assert loaded.documents == built.documents
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert manifest["model"] == "hashing-64"
    assert manifest["fingerprint"] == wootton_corpus.fingerprint
    assert manifest["clause_count"] == len(wootton_corpus.clauses)
    assert manifest["built_at"] and manifest["format_version"] >= 1
    assert loaded.vectors.ntotal == len(loaded.texts)
    first = np.zeros((1, tiny_embedder.dim), dtype=np.float32)
    loaded.vectors.reconstruct(0, first[0])
    assert np.allclose(first[0], tiny_embedder.encode([loaded.texts[0]])[0])


def test_embedded_texts_carry_structure_and_fit_minilm(wootton_corpus):
    by_key = {(c.document, c.id): c for c in wootton_corpus.clauses}
    clause = next(c for c in wootton_corpus.clauses if c.id == "10.2(a)(ii)")
    text = embed_text(clause, by_key)
    assert text.startswith("Responsible use of social media.")
    assert "Protecting our reputation:" in text and "disparaging" in text
    assert all(len(embed_text(c, by_key)) <= 800 for c in wootton_corpus.clauses)
    texts, _, _ = vector_texts(wootton_corpus.clauses, parts=True)
    assert all(len(t) <= 800 for t in texts)


def test_a_bare_lead_in_is_embedded_with_its_sub_clauses(wootton_corpus):
    texts, rows, kinds = vector_texts(sorted(wootton_corpus.clauses, key=lambda c: c.order))
    clauses = sorted(wootton_corpus.clauses, key=lambda c: c.order)
    heading = next(i for i, c in enumerate(clauses) if c.id == "10.2")
    text = texts[int(np.flatnonzero(rows == heading)[0])]
    assert "Protecting our reputation:" in text and "first person" in text  # from 10.2(b)
    assert (kinds == WHOLE).all() and len(texts) == len(clauses)


def test_sentence_vectors_map_back_to_their_clause(wootton_corpus, tiny_embedder, tmp_path):
    index = build_index(wootton_corpus, tiny_embedder, tmp_path, progress=False, parts=True)
    assert (index.kinds == PART).any() and index.vectors.ntotal == len(index.texts)
    for text, row, kind in zip(index.texts, index.rows, index.kinds, strict=True):
        if kind == PART:
            sentence = text.split(". ", 1)[1]
            assert sentence[:30] in index.clauses[row].text
    loaded = load_index(tmp_path)
    assert (loaded.kinds == index.kinds).all() and (loaded.rows == index.rows).all()


def test_clause_lookups_are_document_aware(wootton_corpus, tiny_embedder, tmp_path):
    twin = replace(wootton_corpus.clauses[0], document="other-policy", order=10_000)
    index = build_index(
        _Corpus(wootton_corpus, extra=[twin]), tiny_embedder, tmp_path, progress=False
    )
    first = wootton_corpus.clauses[0]
    assert len(index.positions(first.id)) == 2
    assert index.clause(first.id, "other-policy").document == "other-policy"
    assert index.clause(first.id, first.document).document == first.document
    assert index.clause(first.id).document == first.document  # the first document's
    assert index.clause(first.id, "no-such-policy") is None


def test_ensure_builds_once_and_never_rebuilds_unchanged(corpus_dir, tmp_path, caplog):
    embedder = CountingEmbedder()
    out = tmp_path / "index"
    with caplog.at_level(logging.INFO, logger="assistant.policy.index"):
        ensure_index(corpus_dir, out, lambda: embedder)
    assert embedder.calls > 0
    assert any("rebuilding" in r.message for r in caplog.records)
    before = (out / MANIFEST_FILE).read_text()
    embedder.calls = 0
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="assistant.policy.index"):
        index = ensure_index(corpus_dir, out, lambda: embedder)
    assert embedder.calls == 0
    assert not caplog.records
    assert (out / MANIFEST_FILE).read_text() == before
    assert len(index.clauses) > 100


def test_ensure_rebuilds_when_the_corpus_changes(corpus_dir, tmp_path, caplog):
    out = tmp_path / "index"
    ensure_index(corpus_dir, out, CountingEmbedder)
    policy = corpus_dir / "wootton-social-media-policy.txt"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            "strictly as they can be", "strictly as possible"
        ),
        encoding="utf-8",
    )
    caplog.clear()  # only the second call's reasons: the first build may log at INFO too
    with caplog.at_level(logging.INFO, logger="assistant.policy.index"):
        index = ensure_index(corpus_dir, out, CountingEmbedder)
    reasons = [r.message for r in caplog.records if "rebuilding" in r.message]
    assert len(reasons) == 1 and "corpus changed" in reasons[0]
    assert "strictly as possible" in index.clause("6.4").text


def test_ensure_rebuilds_when_the_model_changes(corpus_dir, tmp_path, caplog):
    out = tmp_path / "index"
    ensure_index(corpus_dir, out, CountingEmbedder)
    with caplog.at_level(logging.INFO, logger="assistant.policy.index"):
        index = ensure_index(corpus_dir, out, lambda: CountingEmbedder("other-model"))
    assert any("model changed" in r.message for r in caplog.records)
    assert index.manifest.model == "other-model"


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexError_, match="no clause index"):
        load_index(tmp_path / "nowhere")


@pytest.mark.parametrize("broken", [CLAUSES_FILE, VECTORS_FILE, MANIFEST_FILE])
def test_corrupt_index_is_a_clear_error(wootton_corpus, tiny_embedder, tmp_path, broken):
    build_index(wootton_corpus, tiny_embedder, tmp_path, progress=False)
    (tmp_path / broken).write_bytes(b"\x00garbage{")
    with pytest.raises(IndexError_, match="corrupt|rebuild"):
        load_index(tmp_path)


def test_ensure_repairs_a_corrupt_index(corpus_dir, tmp_path):
    out = tmp_path / "index"
    ensure_index(corpus_dir, out, CountingEmbedder)
    (out / VECTORS_FILE).write_bytes(b"junk")
    index = ensure_index(corpus_dir, out, CountingEmbedder)
    assert load_index(out).vectors.ntotal == index.vectors.ntotal
