"""Nothing fails silently: approval posts leave through the outbox, over the real server and
a fake Slack Web API on loopback. A post Slack refuses is reported to the requester and the
admin channel; one that fails for a while is retried; the requester hears when it arrived."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_helpers import APPROVAL_CHANNELS, real_core_settings, start_server, to, wait_until

from assistant.adapters.server import OUTBOX, deliver_elsewhere
from assistant.app import build_core
from assistant.messages import Identity
from assistant.metrics import WorkflowCollector
from assistant.policy.embedder import HashingEmbedder
from tests.workflow.conftest import answers

STAFF = Identity("slack", "UANNA")
OFFICE = "COFFICE"
LINE_MANAGERS = APPROVAL_CHANNELS["line_manager"]


@pytest.fixture
async def running(fake_slack, tmp_path) -> AsyncIterator[tuple[Any, Any]]:
    settings = real_core_settings(tmp_path, fake_slack.url, admin_channels={"slack": OFFICE})
    core = build_core(settings, embedder=HashingEmbedder())
    server = await start_server(core, settings)
    server.app[OUTBOX].rows.retry_after = (0.1,) * 5  # the schedule, shortened for the test
    try:
        yield core, server
    finally:
        await server.close()
        core.store.close()


def _dm_texts(fake_slack: Any) -> list[str]:
    return [c.args["text"] for c in fake_slack.called("chat.postMessage", to("DUANNA"))]


async def _submit(core: Any, server: Any) -> None:
    effects = core.approvals.submit(STAFF, "Anna Adams", answers(), platform="slack")
    await deliver_elsewhere(server.app, effects)


async def test_a_refused_post_is_reported_at_once_and_can_be_sent_again(
    fake_slack, running
) -> None:
    core, server = running
    fake_slack.failing_channels[LINE_MANAGERS] = "not_in_channel"

    await _submit(core, server)

    [told] = _dm_texts(fake_slack)
    assert told.startswith("I could not deliver your request #1 to the Line Manager: the "
                           "assistant is not a member of the approval channel.")  # fmt: skip
    [office] = fake_slack.called("chat.postMessage", to(OFFICE))
    assert "(not_in_channel)" in office.args["text"]
    assert "assistant outbox retry --request 1" in office.args["text"]
    [row] = [e for e in core.store.outbox.entries() if e.purpose == "ask:line_manager"]
    assert (row.state, row.attempts, row.problem) == ("failed", 1, "not_in_channel")
    families = {m.name: m for m in WorkflowCollector(core.store.engine).collect()}
    failed = [
        s for s in families["assistant_outbox_messages"].samples if s.labels["state"] == "failed"
    ]
    assert [s.value for s in failed] == [1]

    # The office adds the bot to the channel and sends it again: the loop delivers it.
    del fake_slack.failing_channels[LINE_MANAGERS]
    assert core.store.outbox.retry([row.id]) == 1
    await fake_slack.wait_for("chat.postMessage", to(LINE_MANAGERS), count=2, timeout=15)
    await wait_until(lambda: len(_dm_texts(fake_slack)) == 2, timeout=15)
    assert _dm_texts(fake_slack)[1] == (
        "Your request #1 has reached the Line Manager. I'll message you when they decide."
    )


async def test_a_failing_post_is_retried_and_the_requester_told_once_it_arrived(
    fake_slack, running
) -> None:
    core, server = running
    fake_slack.fail_next("chat.postMessage", "internal_error")

    await _submit(core, server)
    assert _dm_texts(fake_slack) == []  # not "has gone" while it has not

    await fake_slack.wait_for("chat.postMessage", to(LINE_MANAGERS), count=2, timeout=15)
    await wait_until(lambda: len(_dm_texts(fake_slack)) == 1, timeout=15)
    assert "has reached the Line Manager" in _dm_texts(fake_slack)[0]
    [row] = [e for e in core.store.outbox.entries() if e.purpose == "ask:line_manager"]
    assert (row.state, row.attempts) == ("sent", 2)
    # One post reached the channel: the first call was refused, the retry went through.
    ok = [c for c in fake_slack.called("chat.postMessage", to(LINE_MANAGERS)) if c.result]
    assert len(ok) == 1
    assert fake_slack.called("chat.postMessage", to(OFFICE)) == []
