"""Shared fixtures: the real MiniLM model (loaded once), a tiny embedder, the Wootton policy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "policy_corpus"
EVAL_DIR = ROOT / "tests" / "eval"


# ---- policy answers --------------------------------------------------------------------


@pytest.fixture(scope="session")
def minilm():
    """The real all-MiniLM-L6-v2 embedder, loaded once per test session."""
    from assistant.policy.embedder import MiniLMEmbedder

    embedder = MiniLMEmbedder(threads=2)
    embedder.load()
    return embedder


@pytest.fixture
def tiny_embedder():
    """A deterministic hashing embedder: fast, no model."""
    from assistant.policy.embedder import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture(scope="session")
def wootton_corpus():
    """The Wootton Social Media Policy, parsed."""
    from assistant.policy.corpus import load_corpus

    return load_corpus(CORPUS_DIR)


@pytest.fixture(scope="session")
def minilm_index_dir(minilm, wootton_corpus, tmp_path_factory) -> Path:
    """The Wootton policy indexed with MiniLM, query adapter and all, as shipped (built once).

    Tests that start the assistant in another process copy this directory rather than build
    their own.
    """
    from assistant.policy.adapter import load_training
    from assistant.policy.index import build_index

    training = load_training(CORPUS_DIR, list(wootton_corpus.documents))
    out = tmp_path_factory.mktemp("index")
    build_index(wootton_corpus, minilm, out, progress=False, training=training)
    return out


@pytest.fixture(scope="session")
def minilm_index(minilm_index_dir):
    """The shipped-style MiniLM index, loaded."""
    from assistant.policy.index import load_index

    return load_index(minilm_index_dir)


@pytest.fixture(scope="session")
def minilm_answerer(minilm_index, minilm):
    """A PolicyAnswerer over the MiniLM index, shared by the session."""
    from assistant.policy.answer import PolicyAnswerer

    return PolicyAnswerer(index=minilm_index, embedder=minilm)


# ---- databases: every storage and workflow test runs on SQLite and PostgreSQL ------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL (a SQLite file, or a private PostgreSQL schema)."""
    from tests.storage.databases import database_url

    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator:
    """A migrated store on a fresh database."""
    from assistant.storage import Store

    opened = Store.open(db_url)
    yield opened
    opened.close()
