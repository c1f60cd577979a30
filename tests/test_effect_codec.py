"""Effects survive the outbox's JSON exactly, attachments and buttons included."""

from __future__ import annotations

import pytest

from assistant.effect_codec import decode, encode
from assistant.messages import (
    Action,
    Attachment,
    Button,
    ChoiceSet,
    Citation,
    Identity,
    Kind,
    Message,
    Option,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)

FULL = Message(
    text="Request #4 \u2014 approve? <b>not html</b>",
    kind=Kind.APPROVAL,
    citations=(Citation("10.2(f)", "Personal use", "Staff must not\u2026", 0.81, "Social Media"),),
    facts=(("Department", "Art"), ("Audience", "Pupils, parents")),
    choices=ChoiceSet((Option("Pupils", "pupils"), Option("Parents", "parents")), multiple=True),
    buttons=(
        Button("Approve", Action.APPROVE, "4:line_manager", style="primary"),
        Button("Reject", Action.REJECT, "4:line_manager", style="danger", needs_reason=True),
    ),
    context="Policy A.3.4",
    field="audience",
    people=True,
    field_errors=(("go_live", "not a date"),),
    attachment=Attachment("appendix-b.docx", "Appendix B", bytes(range(256))),
)


@pytest.mark.parametrize(
    "effect",
    [
        Reply(Message("hello")),
        PrivateReply(FULL),
        PostToChannel("slack", "C0APPROVE", FULL, "request:4:line_manager"),
        UpdatePost("request:4:line_manager", Message("Approved", kind=Kind.DECIDED)),
        SendDirect(Identity("teams", "aad-1"), FULL),
    ],
)
def test_every_effect_round_trips(effect) -> None:
    assert decode(encode(effect)) == effect


def test_anything_else_is_a_clear_error() -> None:
    for text in ("", "{}", '{"type": "Launch", "message": {}}', '{"type": "Reply"}'):
        with pytest.raises(ValueError, match="not an encoded effect"):
            decode(text)
