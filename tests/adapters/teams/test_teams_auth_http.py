"""Over HTTP with Bot Framework authentication on: the real core, a local token issuer.

Activities carry tokens signed by :mod:`teams_identity`'s key, which botbuilder trusts through
``TeamsSettings.endpoints`` alone; the bot's own connector calls get their tokens from the same
service. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from teams_fakes import Call, FakeConnector, card_nodes, card_of, card_text, wait_for
from teams_identity import APP_ID, BOT_FRAMEWORK_SCOPE, IdentityService, loopback_only, new_key
from teams_identity import running as identity_running
from teams_settings import APPROVERS, CHANNELS, make_settings

from assistant.adapters.teams.cards import plain_text
from assistant.adapters.teams.mount import ROUTE
from assistant.messages import Action, Identity
from tests.form.form_helpers import FULL_ANSWERS, TODAY

app = pytest.importorskip("assistant.app")
CORPUS = Path(__file__).resolve().parents[3] / "policy_corpus"
REQUESTER = Identity("teams", "aad-requester-0001")
PERSONAL_CHAT = "a:1personalChatWithAlex"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The policy indexed once for this module with the hashing embedder."""
    from assistant.policy.embedder import HashingEmbedder
    from assistant.policy.index import ensure_index

    out = tmp_path_factory.mktemp("teams-auth-index")
    ensure_index(CORPUS, out, HashingEmbedder)
    return out


@pytest.fixture
def identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IdentityService]:
    loopback_only(monkeypatch.setattr)
    for service in identity_running(tmp_path):
        assert service.ca_file is not None
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(service.ca_file))
        yield service


class Teams:
    """Posts signed activities to the bot and waits until each turn has finished."""

    def __init__(
        self,
        *,
        bot: Any,
        identity: IdentityService,
        url: str,
        fake: FakeConnector,
        core: Any,
        payload: Callable[..., dict[str, Any]],
    ) -> None:
        self.bot = bot
        self.identity = identity
        self.url = url
        self.fake = fake
        self.core = core
        self.payload = payload
        self._n = 0

    async def post(self, activity: dict[str, Any], authorization: str | None = None) -> int:
        header = authorization or self.identity.channel_token(activity["serviceUrl"])
        status = await self.bot.post(activity, headers={"Authorization": header})
        route = self.bot.server.app[ROUTE]
        await wait_for(lambda: not route.tasks)
        return status

    def _next_id(self) -> str:
        self._n += 1
        return f"act-{self._n}"

    def personal(self, text: str, **changes: Any) -> dict[str, Any]:
        changes.setdefault("id", self._next_id())
        return self.payload("personal_message", serviceUrl=self.url, text=text, **changes)

    async def say(self, text: str) -> int:
        return await self.post(self.personal(text))

    async def click(self, value: dict[str, Any], aad: str, *, channel: str = "") -> int:
        data = self.payload("card_submit", serviceUrl=self.url, id=self._next_id(), value=value)
        data["from"] = {"id": f"29:{aad}", "name": f"Person {aad}", "aadObjectId": aad}
        if channel:
            data["conversation"] = {
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": "tenant-0001",
                "id": f"{channel};messageid=9",
            }
            data["channelData"] = {"channel": {"id": channel}, "tenant": {"id": "tenant-0001"}}
        return await self.post(data)

    async def add_to_channels(self) -> None:
        for channel in CHANNELS.values():
            data = self.payload("bot_added_to_team", serviceUrl=self.url, id=self._next_id())
            data["conversation"]["id"] = channel
            data["channelData"]["channel"]["id"] = channel
            assert await self.post(data) == 200
        for channel in CHANNELS.values():
            assert self.core.recall("teams_conversation", channel) is not None

    def replies_to(self, conversation: str) -> list[Call]:
        return [c for c in self.fake.calls if c.conversation.startswith(conversation)]

    def posts_in(self, channel: str) -> list[Call]:
        return [c for c in self.fake.sent("send") if c.conversation == channel]

    async def fill_form(self) -> None:
        """Answer every question of the form by typing, then press Submit on the review card."""
        from assistant.form import FormState

        assert await self.say("I want to set up a Facebook page for the PE department") == 200
        for _ in range(40):
            saved = self.core.store.load_draft(REQUESTER)
            assert saved is not None, card_text(card_of(self.fake.calls[-1].body))
            step = FormState.from_json(saved).step.value
            if step == "review":
                break
            assert await self.say(FULL_ANSWERS[step]) == 200
        else:
            raise AssertionError("the form never reached its review")
        review = card_of(self.replies_to(PERSONAL_CHAT)[-1].body)
        submit = action_data(review, Action.FORM_SUBMIT)
        assert await self.click(submit, REQUESTER.user_id) == 200
        assert self.core.store.load_draft(REQUESTER) is None


def action_data(card: dict[str, Any], action: Action) -> dict[str, Any]:
    """The data of the card's button for ``action`` (also inside a Action.ShowCard)."""
    found = [
        dict(node["data"])
        for node in card_nodes(card)
        if isinstance(node.get("data"), dict) and node["data"].get("action") == action.value
    ]
    assert found, f"no {action} button in {json.dumps(card)[:400]}"
    return found[0]


@pytest.fixture
async def teams(serve, connector, payload, identity, index_dir, tmp_path) -> AsyncIterator[Teams]:
    from assistant.policy.embedder import HashingEmbedder

    settings = make_settings(tmp_path, app_id=APP_ID)
    settings = dataclasses.replace(
        settings,
        corpus_dir=CORPUS,
        index_dir=index_dir,
        teams=dataclasses.replace(settings.teams, endpoints=identity.endpoints()),
    )
    core = app.build_core(settings, embedder=HashingEmbedder())
    core.today = lambda: TODAY  # the form's dates are checked against today
    fake, url = connector
    try:
        async with serve(core, settings) as bot:
            yield Teams(bot=bot, identity=identity, url=url, fake=fake, core=core, payload=payload)
    finally:
        core.store.close()


def shown(call: Call) -> str:
    """What a message the bot sent says: its text, or every text of its card."""
    if call.body.get("attachments"):
        return card_text(card_of(call.body))
    return str(call.body.get("text") or "")


def request_id(t: Teams) -> int:
    (post,) = t.posts_in(CHANNELS["line_manager"])
    data = action_data(card_of(post.body), Action.APPROVE)
    return int(str(data["value"]).split(":")[0])


async def test_a_signed_question_gets_a_card_with_a_clause(teams: Teams):
    assert await teams.say("Can I use my personal Instagram to talk to pupils?") == 200
    (reply,) = teams.fake.sent("reply")
    assert reply.conversation == PERSONAL_CHAT
    card = card_of(reply.body)
    blocks = [b for b in card["body"] if b["type"] == "Container"]
    assert blocks and plain_text(blocks[0]["items"][0]).startswith("Clause ")
    # the bot's own call carried a token our issuer minted for the bot, for the connector
    assert reply.authorization == f"Bearer {teams.identity.issued[-1]}"
    (asked,) = teams.identity.token_requests
    assert asked["grant_type"] == "client_credentials"
    assert asked["scope"] == f"{BOT_FRAMEWORK_SCOPE}/.default"


async def test_the_form_and_each_stage_approved_by_its_approver(teams: Teams):
    await teams.add_to_channels()
    await teams.fill_form()
    rid = request_id(teams)
    stages = list(CHANNELS)
    for i, stage in enumerate(stages):
        channel = CHANNELS[stage]
        (post,) = teams.posts_in(channel)
        assert post.authorization.startswith("Bearer ")
        approve = action_data(card_of(post.body), Action.APPROVE)
        updates = len(teams.fake.sent("update"))
        assert await teams.click(approve, APPROVERS[stage].user_id, channel=channel) == 200
        assert len(teams.fake.sent("update")) == updates + 1
        (updated,) = [c for c in teams.fake.sent("update") if c.conversation == channel]
        assert updated.activity_id == post.answered_id
        assert "actions" not in card_of(updated.body)
        if i + 1 < len(stages):
            assert len(teams.posts_in(CHANNELS[stages[i + 1]])) == 1
    request = teams.core.approvals.get(rid)
    assert request.status.value == "APPROVED"
    assert len(teams.core.approvals.decisions(rid)) == 3
    told = [c for c in teams.fake.sent("send") if c.conversation == PERSONAL_CHAT]
    assert told and "approved" in shown(told[-1]).lower()


async def test_a_request_rejected_with_a_reason(teams: Teams):
    await teams.add_to_channels()
    await teams.fill_form()
    rid = request_id(teams)
    (post,) = teams.posts_in(CHANNELS["line_manager"])
    reject = action_data(card_of(post.body), Action.REJECT)
    reject["reason"] = "Use the school website instead."
    lm = APPROVERS["line_manager"].user_id
    assert await teams.click(reject, lm, channel=CHANNELS["line_manager"]) == 200
    assert teams.core.approvals.get(rid).status.value == "REJECTED"
    (updated,) = teams.fake.sent("update")
    assert "actions" not in card_of(updated.body)
    told = [c for c in teams.fake.sent("send") if c.conversation == PERSONAL_CHAT]
    assert "Use the school website instead" in shown(told[-1])
    assert teams.posts_in(CHANNELS["senior_manager"]) == []


async def test_an_unauthorised_click_changes_nothing(teams: Teams):
    await teams.add_to_channels()
    await teams.fill_form()
    rid = request_id(teams)
    (post,) = teams.posts_in(CHANNELS["line_manager"])
    approve = action_data(card_of(post.body), Action.APPROVE)
    before = len(teams.fake.calls)
    channel = CHANNELS["line_manager"]
    assert await teams.click(approve, "aad-somebody-else", channel=channel) == 200
    # answered in the thread (no personal chat with the clicker is known), nothing decided
    (answer,) = teams.fake.calls[before:]
    assert answer.method == "reply" and answer.conversation.startswith(channel)
    assert "not yours to decide" in shown(answer)
    assert teams.fake.sent("update") == []
    assert teams.core.approvals.get(rid).status.value != "APPROVED"
    assert teams.core.approvals.decisions(rid) == []
    # the requester may not approve their own request either
    assert await teams.click(approve, REQUESTER.user_id, channel=channel) == 200
    assert "your own request" in shown(teams.fake.calls[-1])
    assert teams.fake.calls[-1].conversation == PERSONAL_CHAT  # told privately
    assert teams.core.approvals.decisions(rid) == []
    assert teams.posts_in(CHANNELS["senior_manager"]) == []


async def test_a_redelivered_activity_is_handled_once(teams: Teams):
    activity = teams.personal("what does 6.3 say?", id="redelivered-1")
    assert await teams.post(activity) == 200
    assert await teams.post(activity) == 200
    assert len(teams.fake.sent("reply")) == 1


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda ids, url: ids.channel_token(url, key=new_key()), id="another-key"),
        pytest.param(lambda ids, url: ids.channel_token(url, expires_in=-3600), id="expired"),
        pytest.param(
            lambda ids, url: ids.channel_token(url, audience="someone-elses-bot"),
            id="wrong-audience",
        ),
        pytest.param(
            lambda ids, url: ids.channel_token("https://evil.example/"), id="other-service-url"
        ),
    ],
)
async def test_a_bad_token_gets_401_and_no_action(teams: Teams, forge):
    message = teams.personal("Can I use my personal Instagram to talk to pupils?")
    assert await teams.post(message, forge(teams.identity, teams.url)) == 401
    lm = APPROVERS["line_manager"].user_id
    click = teams.payload("card_submit", serviceUrl=teams.url, id="forged-click")
    click["from"] = {"id": f"29:{lm}", "aadObjectId": lm}
    click["value"] = {"action": Action.APPROVE.value, "value": "1:line_manager"}
    assert await teams.post(click, forge(teams.identity, teams.url)) == 401
    assert teams.fake.calls == []
    assert teams.identity.token_requests == []
    assert teams.core.recall("teams_conversation", f"user:tenant-0001:{REQUESTER.user_id}") is None
    # the same message with a good token is answered: the refusal was the token's
    assert await teams.post(teams.personal("what does 6.3 say?")) == 200
    assert len(teams.fake.sent("reply")) == 1


def _as_channel(data: dict[str, Any], channel_id: str) -> dict[str, Any]:
    return {**data, "channelId": channel_id}


def _in_tenant(data: dict[str, Any], conversation: str, channel_data: str) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    data["conversation"]["tenantId"] = conversation
    data["channelData"] = {**data.get("channelData", {}), "tenant": {"id": channel_data}}
    return data


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda d: _as_channel(d, "webchat"), id="web-chat"),
        pytest.param(lambda d: _as_channel(d, "directline"), id="direct-line"),
        pytest.param(lambda d: _in_tenant(d, "tenant-other", "tenant-other"), id="other-tenant"),
        pytest.param(lambda d: _in_tenant(d, "tenant-0001", "tenant-other"), id="two-tenants"),
        pytest.param(
            lambda d: {**d, "from": {"id": "29:someone", "name": "Pat"}}, id="no-aad-object-id"
        ),
    ],
)
async def test_only_teams_in_our_tenant_speaks_for_a_person(teams: Teams, forge):
    # A valid Bot Framework token, but not Teams vouching for one of our tenant's users: the
    # client of Web Chat or Direct Line picks its own from.id and aadObjectId.
    teams.identity.endorsements = ["msteams", "webchat", "directline"]  # as Microsoft's keys
    principal = APPROVERS["principal"].user_id
    message = forge(teams.personal("what does 6.3 say?"))
    click = teams.payload("card_submit", serviceUrl=teams.url, id="forged-click")
    click["from"] = {"id": f"29:{principal}", "aadObjectId": principal}
    click["value"] = {"action": Action.APPROVE.value, "value": "1:principal"}
    for activity in (message, forge(click)):
        assert await teams.post(activity) == 403
    assert teams.fake.calls == []
    assert teams.core.store.find_requests() == []
    for key in (f"user:{principal}", f"user:tenant-0001:{principal}", "user:tenant-other:"):
        assert teams.core.recall("teams_conversation", key) is None
    # the same message from Teams in our tenant is answered
    assert await teams.post(teams.personal("what does 6.3 say?")) == 200
    assert len(teams.fake.sent("reply")) == 1


async def test_personal_chats_are_kept_by_tenant_and_entra_id(teams: Teams):
    assert await teams.say("what does 6.3 say?") == 200
    key = f"user:tenant-0001:{REQUESTER.user_id}"
    assert teams.core.recall("teams_conversation", key) is not None
    assert teams.core.recall("teams_conversation", f"user:{REQUESTER.user_id}") is None


def test_without_endpoints_botbuilder_keeps_microsofts_public_cloud():
    from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

    from assistant.adapters.teams.mount import PUBLIC_CLOUD, BotConfig
    from assistant.config import TeamsSettings

    config = BotConfig.of(TeamsSettings(app_id=APP_ID, app_password="x"))
    assert all(getattr(config, name) is None for name in PUBLIC_CLOUD)
    inner = ConfigurationBotFrameworkAuthentication(config)._inner
    assert type(inner).__name__ == "_PublicCloudBotFrameworkAuthentication"
    # one override keeps Microsoft's values for the rest
    endpoints = {"OAUTH_URL": "https://o.test"}
    one = BotConfig.of(TeamsSettings(app_id=APP_ID, app_password="x", endpoints=endpoints))
    assert one.OAUTH_URL == "https://o.test"
    assert one.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://api.botframework.com"
    inner = ConfigurationBotFrameworkAuthentication(one)._inner
    assert type(inner).__name__ == "_ParameterizedBotFrameworkAuthentication"


def test_an_unknown_endpoint_name_is_a_configuration_error():
    from assistant.adapters.teams.mount import BotConfig
    from assistant.config import TeamsSettings
    from assistant.errors import ConfigError

    with pytest.raises(ConfigError, match="TO_BOT_FROM_CHANEL_TOKEN_ISSUER"):
        BotConfig.of(
            TeamsSettings(app_id=APP_ID, endpoints={"TO_BOT_FROM_CHANEL_TOKEN_ISSUER": ""})
        )


async def test_an_install_keeps_the_chat_and_welcomes_once(teams: Teams):
    """Installed for a person (say by the admin's setup policy): reachable, welcomed once."""
    install = teams.payload("installation_update_personal", serviceUrl=teams.url)
    assert await teams.post(install) == 200
    assert await teams.post(install) == 200  # redelivered
    again = teams.payload("conversation_update_personal", serviceUrl=teams.url)
    assert await teams.post(again) == 200
    (welcome,) = teams.fake.calls
    assert welcome.conversation == "a:1personalChatWithSam" and "Appendix B" in shown(welcome)
    assert teams.core.recall("teams_conversation", "user:tenant-0001:aad-approver-0001")
