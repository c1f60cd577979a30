"""``assistant serve --workers 2`` on PostgreSQL: the real server, real MiniLM in each worker,
questions and double-clicked approvals over the Slack wire, each click decided once."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from assistant.adapters.slack.workerbench import run_once
from assistant.storage import Store
from tests.storage.databases import pg_schema_url

pytestmark = [pytest.mark.postgres, pytest.mark.model]


async def test_two_workers_answer_every_question_and_decide_every_click_once(
    minilm_index_dir: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    shutil.copytree(minilm_index_dir, index)
    with pg_schema_url() as url:
        args = argparse.Namespace(
            database_url=url,
            index_dir=index,
            questions=24,
            rate=8.0,
            requests=6,
            users=4,
            connections=20,
            answer_timeout=120.0,
        )
        store = Store.open(url)
        try:
            figures = await run_once(args, 2, store)
        finally:
            store.close()
    assert figures["failed_requests"] == 0, figures
    assert figures["answered"] == 24, figures
    assert figures["requests_decided_exactly_once"] == 6, figures
    assert figures["double_decisions"] == 0, figures
    assert not figures["server_errors"], figures
