"""The running server applies the retention periods itself: at start-up, then daily."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web

from assistant.adapters.server import build_app
from assistant.conversation import Assistant
from assistant.messages import Incoming
from tests.core.conftest import TEACHER


def _questions(core: Assistant) -> list[str]:
    return [q["question"] for q in core.store.privacy.export_person([TEACHER], [])["questions"]]


async def test_the_server_purges_old_questions_at_start_up_and_keeps_new_ones(
    make_core: Callable[[], Assistant], caplog
) -> None:
    core = make_core()
    long_ago = datetime.now(UTC) - timedelta(days=91)
    core.store.record_answer(
        TEACHER, "a pupil disclosed something to me", ["6.3"], True, at=long_ago
    )
    core.handle(Incoming(user=TEACHER, text="can I friend a former pupil?", conversation="c1"))
    assert len(_questions(core)) == 2

    caplog.set_level(logging.INFO)
    runner = web.AppRunner(build_app(core, core.settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        for _ in range(100):
            if len(_questions(core)) == 1:
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.cleanup()

    assert _questions(core) == ["can I friend a former pupil?"]
    purged = [r.getMessage() for r in caplog.records if "retention purge" in r.getMessage()]
    assert purged and "questions 1" in purged[0]
    assert "pupil" not in caplog.text  # counts only, never what was asked
