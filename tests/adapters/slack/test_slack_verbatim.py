"""Block Kit text objects carrying staff text are verbatim: no auto-linked URLs, channels
or names in approver channels."""

from __future__ import annotations

from typing import Any

from assistant.adapters.slack.render import blocks_for
from assistant.messages import Citation, Kind, Message


def _text_objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            found.append(node)
        for value in node.values():
            found += _text_objects(value)
    elif isinstance(node, list):
        for item in node:
            found += _text_objects(item)
    return found


def test_every_mrkdwn_object_of_a_request_is_verbatim():
    message = Message(
        text="Request #3 from Eve: see www.example.org and #general",
        kind=Kind.APPROVAL,
        facts=(("Aims", "Visit http://evil.example and ask @here"),),
        citations=(Citation("6.3", "Leaving", "quote", 1.0, "Policy", "2025"),),
        context="posted by #general",
    )
    objects = _text_objects(blocks_for(message))
    assert len(objects) >= 4
    assert all(o.get("verbatim") is True for o in objects), objects
