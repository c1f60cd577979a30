"""``assistant serve --watch-corpus``, the real server over the Slack wire: a document put in
the policy folder is answered from without a restart, and a broken one changes nothing."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_helpers import to, wait_until
from test_slack_operations import NEW_CLAUSE, NEW_POLICY, policy_copy

from assistant.adapters.slack import served
from assistant.policy.corpus_watch import CorpusWatcher

pytestmark = pytest.mark.model
TIME_LIMIT_S = 240.0  # a build loads the model and embeds every clause, on a busy machine
_asked = itertools.count(1)


async def ask(session: aiohttp.ClientSession, server: served.Served, text: str) -> str:
    """A signed DM question; returns the channel its answer is posted to."""
    n = next(_asked)
    user = f"UWATCH{n:04d}"
    body = json.dumps(served.question_event(n, user, text))
    url = server.url + "slack/events"
    async with session.post(url, data=body, headers=served.signed(body, "application/json")) as r:
        assert r.status == 200
    return f"D{user}"


async def answer_to(fake: Any, session: Any, server: served.Served, text: str) -> str:
    channel = await ask(session, server, text)
    [reply] = await fake.wait_for("chat.postMessage", to(channel), timeout=60)
    return json.dumps(reply.args)


async def test_a_new_document_in_the_watched_folder_is_answered_from(
    fake_slack: Any, tmp_path: Path
) -> None:
    corpus = policy_copy(tmp_path / "corpus")
    env = served.environment(
        database_url=f"sqlite:///{tmp_path / 'assistant.db'}",
        api_url=fake_slack.url,
        workdir=tmp_path,
        index_dir=tmp_path / "index",
        corpus_dir=corpus,
    )
    server = await served.start(workers=1, env=env, workdir=tmp_path, extra=("--watch-corpus",))
    question = "where must staff lock bicycles?"
    try:
        async with aiohttp.ClientSession() as session:
            assert NEW_CLAUSE not in await answer_to(fake_slack, session, server, question)

            # A document with no clauses: the build fails, the working index keeps answering.
            (corpus / "minutes.md").write_text("Notes from the meeting.\n", encoding="utf-8")
            await wait_until(
                lambda: any("index build 1 failed" in line for line in server.log_lines()),
                timeout=TIME_LIMIT_S,
            )
            assert "leaving" in await answer_to(fake_slack, session, server, "what does 6.3 say?")

            (corpus / "minutes.md").unlink()
            (corpus / "oakridge-travel.md").write_text(NEW_POLICY, encoding="utf-8")
            added = time.monotonic()
            while NEW_CLAUSE not in await answer_to(fake_slack, session, server, question):
                assert time.monotonic() - added < TIME_LIMIT_S, server.log_lines()[-20:]
                await asyncio.sleep(1.0)
            took = time.monotonic() - added
    finally:
        assert await served.stop(server) == 0
    lines = server.log_lines()
    assert sum("index build" in line and "started" in line for line in lines) == 2
    assert any("no numbered clauses" in line for line in lines)
    print(f"answered from the new document {took:.1f} s after it was written")


def test_changes_are_built_once_after_the_folder_is_quiet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = policy_copy(tmp_path / "corpus")
    builds = tmp_path / "builds"
    build = "import sys; open(sys.argv[1], 'a').write('built\\n'); sys.exit(len(sys.argv) - 2)"
    now = [0.0]
    watcher = CorpusWatcher(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        debounce_s=3.0,
        clock=lambda: now[0],
        command=[sys.executable, "-c", build, str(builds)],
    )
    assert watcher.build_command()[-4:] == [
        "--corpus",
        str(corpus),
        "--out",
        str(tmp_path / "index"),
    ]

    def built() -> int:
        watcher.wait(30)
        return len(builds.read_text().splitlines()) if builds.exists() else 0

    watcher.poll()
    assert built() == 0  # nothing changed
    for second, name in enumerate(("a.md", "b.md", "c.md", ".sync-tmp", "d.md~")):
        now[0] = float(second)
        (corpus / name).write_text("1. A clause.\n", encoding="utf-8")
        watcher.poll()
    now[0] = 4.9
    watcher.poll()
    assert built() == 0  # quiet for less than 3 s since c.md
    now[0] = 5.1
    watcher.poll()
    assert built() == 1
    now[0] = 20.0
    (corpus / ".sync-tmp").write_text("again", encoding="utf-8")  # hidden: not a change
    watcher.poll()
    now[0] = 30.0
    watcher.poll()
    assert built() == 1

    # A failing build is logged with its last line, and the next change builds again.
    watcher.command.append("fail")
    (corpus / "a.md").write_text("1. Changed.\n", encoding="utf-8")
    now[0] = 40.0
    watcher.poll()
    now[0] = 44.0
    with caplog.at_level("ERROR"):
        watcher.poll()
        assert built() == 2
    assert watcher.failed == 1
    assert any("index build 2 failed (exit 1)" in r.getMessage() for r in caplog.records)
