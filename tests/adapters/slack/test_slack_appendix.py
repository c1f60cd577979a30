"""The approved Appendix B reaches the requester and the Principal as a Word file in Slack."""

from __future__ import annotations

import io

import aiohttp
from docx import Document
from slack_helpers import (
    APPROVAL_CHANNELS,
    SlackSender,
    click,
    real_core_settings,
    start_server,
    to,
)

from assistant.adapters.server import deliver_elsewhere
from assistant.app import build_core
from assistant.messages import Identity
from assistant.policy.embedder import HashingEmbedder
from tests.workflow.conftest import answers

STAFF = Identity("slack", "UANNA")
PRINCIPAL = "UPRINCIPAL1"


async def test_the_final_notice_and_the_confirmation_carry_the_document(fake_slack, tmp_path):
    settings = real_core_settings(tmp_path, fake_slack.url)
    core = build_core(settings, embedder=HashingEmbedder())
    server = await start_server(core, settings)
    try:
        async with aiohttp.ClientSession() as session:
            slack = SlackSender(session, str(server.make_url("/slack/events")))
            effects = core.approvals.submit(STAFF, "Anna Adams", answers(), platform="slack")
            await deliver_elsewhere(server.app, effects)
            for stage, who in (
                ("line_manager", "ULINEROLE"),  # the role: UBEN on the form holds none
                ("senior_manager", "USENIOR1"),
                ("principal", PRINCIPAL),
            ):
                [post] = await fake_slack.wait_for("chat.postMessage", to(APPROVAL_CHANNELS[stage]))
                assert (await slack.interaction(click(post, "Approve", user=who)))[0] == 200
            completions = await fake_slack.wait_for("files.completeUploadExternal", count=2)
    finally:
        await server.close()

    assert {c.args["channel_id"] for c in completions} == {"DUANNA", f"D{PRINCIPAL}"}
    uploads = fake_slack.called("files.getUploadURLExternal")
    assert {u.args["filename"] for u in uploads} == {"appendix-b-request-1.docx"}
    for completion in completions:
        [file] = completion.args["files"]
        assert file["title"] == "Appendix B, request #1"
        document = Document(io.BytesIO(fake_slack.uploads[file["id"]]))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        assert cells[:2] == ["Department", "Art"]
        signed = [c for c in cells if c.startswith("Approved electronically in Slack by")]
        assert len(signed) == 3 and "(slack:UPRINCIPAL1)" in signed[-1]
    # In the requester's DM the notice comes first, then the file.
    order = [
        (c.method, c.args.get("channel") or c.args.get("channel_id")) for c in fake_slack.calls
    ]
    notice = order.index(("chat.postMessage", "DUANNA"))
    assert order.index(("files.completeUploadExternal", "DUANNA")) > notice
