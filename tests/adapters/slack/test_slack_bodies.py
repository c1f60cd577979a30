"""A signed Slack request whose JSON body is not an object gets 400, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("body", ["null", "[]", '"text"', "42", "false"])
async def test_a_json_body_that_is_not_an_object_gets_400(slack, scripted_core, body):
    status, _ = await slack.post(body, content_type="application/json")
    assert status == 400
    assert scripted_core.incoming == []
