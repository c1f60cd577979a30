"""The welcome on install in personal scope: the three things the bot does, sent once."""

from __future__ import annotations

import asyncio
from typing import Any

from teams_fakes import wait_for
from teams_settings import make_settings


def at(activity: dict[str, Any], service_url: str, **changes: Any) -> dict[str, Any]:
    return {**activity, "serviceUrl": service_url, **changes}


async def settle(bot: Any) -> None:
    """Let every turn the server started finish."""
    from assistant.adapters.teams.mount import ROUTE

    route = bot.server.app[ROUTE]
    while route.tasks:
        await asyncio.gather(*list(route.tasks), return_exceptions=True)


def not_personal_installs(payload: Any, url: str) -> list[dict[str, Any]]:
    """Removal, a person joining, the bot added to a team, and an install in a group chat."""
    removed = at(payload("installation_update_personal"), url, action="remove", id="r1")
    person_joined = at(
        payload("conversation_update_personal"), url, id="j1", membersAdded=[{"id": "29:1x"}]
    )
    channel = at(payload("bot_added_to_team"), url)
    group = at(payload("installation_update_personal"), url, id="g1")
    group["conversation"] = {**group["conversation"], "conversationType": "groupChat"}
    return [removed, person_joined, channel, group]


async def test_installed_in_personal_scope_welcomes_once(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    install = at(payload("installation_update_personal"), url)
    update = at(payload("conversation_update_personal"), url)
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        for activity in not_personal_installs(payload, url):
            assert await bot.post(activity) == 200
        await settle(bot)
        assert await bot.post(install) == 200
        await wait_for(lambda: len(fake.sent()) == 1)
        await bot.post(install)  # redelivered
        await bot.post(update)  # the same install announced as a conversationUpdate
        await bot.post(at(update, url, id="f:other-id"))
        await settle(bot)
    [welcome] = fake.sent()
    assert welcome.conversation == "a:1personalChatWithSam"
    assert welcome.activity_id == install["id"]  # a reply to the install, in the chat
    text = welcome.body["text"]
    assert "policy's own words" in text
    assert "Appendix B" in text
    assert "approve, reject or send back" in text
    assert "my requests" in text
    assert text.count("\u2022") == 3  # the three things, one a line
    assert scripted_core.handled == []  # nothing reached the core


async def test_a_conversation_update_alone_welcomes(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        await bot.post(at(payload("conversation_update_personal"), url))
        await wait_for(lambda: len(fake.sent()) == 1)
    assert fake.sent()[0].body["text"].startswith("Hello!")
