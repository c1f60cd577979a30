"""A body that is JSON but not an object gets 400 on /api/messages, never a 500."""

from __future__ import annotations

import pytest
from teams_settings import make_settings

# A token-shaped header: the body is judged before botbuilder would check the token.
BEARER = {"Authorization": "Bearer eyJhbGciOi.eyJzdWIiOi.c2ln", "Content-Type": "application/json"}


@pytest.mark.parametrize("body", ["null", "[]", "[1, 2]", '"text"', "42", "true"])
async def test_a_json_body_that_is_not_an_object_gets_400(serve, scripted_core, tmp_path, body):
    settings = make_settings(tmp_path, app_id="app-0001")
    async with serve(scripted_core, settings) as bot:
        url = bot.server.make_url("/api/messages")
        async with bot.session.post(url, data=body.encode(), headers=BEARER) as response:
            assert response.status == 400
    assert scripted_core.handled == []
