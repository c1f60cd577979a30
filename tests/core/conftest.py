"""The real core on a fresh database (SQLite and PostgreSQL) with a small, fast index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.conversation import Assistant
from assistant.messages import Identity
from tests.storage.databases import database_url

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 3, 2)

TEACHER = Identity("console", "lena")
LINE_MANAGER = Identity("console", "sam")
SENIOR = Identity("console", "sue")
PRINCIPAL = Identity("console", "pat")
BYSTANDER = Identity("console", "eve")


@pytest.fixture(scope="session")
def hashing_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Wootton policy indexed once with the hashing embedder."""
    from assistant.policy.corpus import load_corpus
    from assistant.policy.embedder import HashingEmbedder
    from assistant.policy.index import build_index

    out = tmp_path_factory.mktemp("hashing-index")
    build_index(load_corpus(ROOT / "policy_corpus"), HashingEmbedder(), out, progress=False)
    return out


def core_settings(root: Path, url: str, index_dir: Path) -> Settings:
    return Settings(
        root=root,
        database_url=url,
        corpus_dir=ROOT / "policy_corpus",
        index_dir=index_dir,
        config_path=None,
        roles={
            "line_manager": (LINE_MANAGER,),
            "senior_manager": (SENIOR,),
            "principal": (PRINCIPAL,),
        },
        channels={
            "line_manager": {"console": "#line-managers"},
            "senior_manager": {"console": "#senior-managers"},
            "principal": {"console": "#principal"},
        },
        people={
            TEACHER: "Lena Lowe",
            LINE_MANAGER: "Sam Smith",
            SENIOR: "Sue Senior",
            PRINCIPAL: "Pat Principal",
        },
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def make_core(
    request: pytest.FixtureRequest, tmp_path: Path, hashing_index_dir: Path
) -> Iterator[Callable[[], Assistant]]:
    """Builds the core; calling it again is a restart over the same database."""
    from assistant.app import build_core
    from assistant.policy.embedder import HashingEmbedder

    with database_url(request.param, tmp_path) as url:
        built: list[Assistant] = []

        def make() -> Assistant:
            core = build_core(
                core_settings(tmp_path, url, hashing_index_dir), embedder=HashingEmbedder()
            )
            core.today = lambda: TODAY
            built.append(core)
            return core

        yield make
        for core in built:
            core.store.close()
