"""A scripted Core and a fake Bot Framework connector on loopback, for the Teams adapter tests."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from assistant.form.whole import WholeField, whole_fields
from assistant.messages import (
    Action,
    Button,
    ChoiceSet,
    Citation,
    Effect,
    Identity,
    Incoming,
    Kind,
    Message,
    Option,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)

STAGES = ("line_manager", "senior_manager", "principal")
REQUEST = "R1"


class ScriptedCore:
    """Implements the Core protocol with a fixed script: a question, a short form, three stages."""

    def __init__(self, *, channels: Mapping[str, str], approvers: Mapping[str, Identity]) -> None:
        self.channels = dict(channels)
        self.approvers = dict(approvers)
        self.store: dict[tuple[str, str], dict[str, Any]] = {}
        self.seen: set[str] = set()
        self.handled: list[Incoming] = []
        self.step = ""
        self.requester: Identity | None = None
        self.answers: dict[str, Any] = {}

    # ---- storage
    def first_delivery(self, key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def remember(self, kind: str, key: str, value: Mapping[str, Any]) -> None:
        self.store[(kind, key)] = dict(value)

    def recall(self, kind: str, key: str) -> dict[str, Any] | None:
        found = self.store.get((kind, key))
        return dict(found) if found is not None else None

    def due_reminders(self) -> list[Effect]:
        return []

    def purge(self) -> list[Effect]:
        return []

    def whole_form(self, user: Identity) -> tuple[WholeField, ...]:
        return whole_fields()

    def home(self, user: Identity) -> list[Message]:
        return []

    def needs_answerer(self, incoming: Incoming) -> bool:
        return incoming.action is None

    def ready(self) -> bool:
        return True

    # ---- the script
    def handle(self, incoming: Incoming) -> list[Effect]:
        self.handled.append(incoming)
        if incoming.action in (Action.APPROVE, Action.REJECT):
            return self._decide(incoming)
        if incoming.action is Action.FORM_CHOOSE:
            self.answers["platform"] = incoming.value
            self.step = "audience"
            options = (Option("Parents", "parents"), Option("Pupils", "pupils"))
            choices = ChoiceSet(options, multiple=True)
            question = Message(
                "Who is it for?", kind=Kind.QUESTION, choices=choices, field="audience"
            )
            return [Reply(question)]
        if incoming.action is Action.FORM_CHOICES:
            self.answers["audience"] = incoming.values
            self.step = "people"
            text = "Who else will manage the account?"
            return [Reply(Message(text, kind=Kind.QUESTION, field="managers", people=True))]
        if incoming.action is Action.FORM_SUBMIT:
            self.requester = incoming.user
            return [Reply(Message("Submitted.")), self._post(0)]
        if self.step == "people" and incoming.action is None:
            self.answers["managers"] = incoming.mentions
            self.step = "review"
            facts = (("Platform", str(self.answers["platform"])),)
            buttons = (
                Button("Submit", Action.FORM_SUBMIT, style="primary"),
                Button("Edit", Action.FORM_EDIT),
            )
            return [Reply(Message("Check", kind=Kind.REVIEW, facts=facts, buttons=buttons))]
        if "form" in incoming.text.lower():
            self.step = "platform"
            options = (Option("Facebook", "facebook"), Option("X", "x"))
            question = Message("Which platform?", kind=Kind.QUESTION, choices=ChoiceSet(options))
            return [Reply(question)]
        if "password" in incoming.text.lower():
            text = "The policy does not cover that. Ask the Data Protection Officer."
            return [Reply(Message(text, kind=Kind.REFUSAL))]
        return [Reply(self._answer())]

    def _answer(self) -> Message:
        citation = Citation(
            clause_id="6.3",
            section="Personal use of social media",
            quote="Staff must not accept pupils as friends.",
            score=0.9,
            document="Social Media Policy",
            reviewed="2024-09",
        )
        buttons = (
            Button("Helpful", Action.HELPFUL, "A1"),
            Button("Not helpful", Action.NOT_HELPFUL, "A1"),
        )
        return Message(
            "Here is what the policy says.",
            kind=Kind.ANSWER,
            citations=(citation,),
            buttons=buttons,
        )

    def _post(self, stage: int) -> PostToChannel:
        name = STAGES[stage]
        value = f"{REQUEST}:{name}"
        buttons = (
            Button("Approve", Action.APPROVE, value, style="primary"),
            Button("Reject", Action.REJECT, value, style="danger", needs_reason=True),
        )
        message = Message(f"Approve {REQUEST} ({name})", kind=Kind.APPROVAL, buttons=buttons)
        return PostToChannel("teams", self.channels[name], message, anchor=value)

    def _decide(self, incoming: Incoming) -> list[Effect]:
        _, _, stage = incoming.value.partition(":")
        if self.approvers.get(stage) != incoming.user:
            return [PrivateReply(Message("You are not an approver for this stage."))]
        assert self.requester is not None
        if incoming.action is Action.REJECT:
            if not incoming.text:
                return [PrivateReply(Message("Please give a reason."))]
            done = Message(f"Rejected by {incoming.display_name}", kind=Kind.DECIDED)
            told = Message(f"Your request was rejected: {incoming.text}")
            return [UpdatePost(incoming.value, done), SendDirect(self.requester, told)]
        effects: list[Effect] = [
            UpdatePost(incoming.value, Message(f"Approved ({stage})", kind=Kind.DECIDED))
        ]
        index = STAGES.index(stage)
        if index + 1 < len(STAGES):
            effects.append(self._post(index + 1))
        else:
            effects.append(SendDirect(self.requester, Message("Your request was approved.")))
        return effects


@dataclass
class Call:
    """One request the fake connector received."""

    method: str
    conversation: str
    activity_id: str
    body: dict[str, Any]
    authorization: str = ""  # the bot's Authorization header (empty without authentication)
    answered_id: str = ""  # the activity id the connector gave back


@dataclass
class FakeConnector:
    """The Bot Framework connector REST API, as far as the bot uses it; records every call."""

    calls: list[Call] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer before succeeding
    failures: list[int] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        base = "/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{conversation}/activities", self._send)
        app.router.add_post(base + "/{conversation}/activities/{activity}", self._send)
        app.router.add_put(base + "/{conversation}/activities/{activity}", self._update)
        app.router.add_get(base + "/{conversation}/members/{member}", self._member)
        return app

    def _failure(self) -> web.Response | None:
        if self.fail_next:
            status = self.fail_next.pop(0)
            self.failures.append(status)
            return web.json_response(
                {"error": {"code": "Throttled", "message": "try later"}},
                status=status,
                headers={"Retry-After": "0"} if status == 429 else None,
            )
        return None

    async def _record(self, request: web.Request, method: str) -> Call:
        call = Call(
            method=method,
            conversation=request.match_info.get("conversation", ""),
            activity_id=request.match_info.get("activity", ""),
            body=await request.json(),
            authorization=request.headers.get("Authorization", ""),
        )
        self.calls.append(call)
        return call

    async def _send(self, request: web.Request) -> web.Response:
        if (failure := self._failure()) is not None:
            return failure
        call = await self._record(request, "reply" if "activity" in request.match_info else "send")
        call.answered_id = f"posted-{next(self._ids)}-{call.conversation[:6]}"
        return web.json_response({"id": call.answered_id})

    async def _update(self, request: web.Request) -> web.Response:
        if (failure := self._failure()) is not None:
            return failure
        call = await self._record(request, "update")
        return web.json_response({"id": call.activity_id})

    async def _create(self, request: web.Request) -> web.Response:
        if (failure := self._failure()) is not None:
            return failure
        await self._record(request, "create")
        n = next(self._ids)
        return web.json_response({"id": f"conv-{n}", "activityId": f"posted-{n}"})

    async def _member(self, request: web.Request) -> web.Response:
        member = request.match_info["member"]
        return web.json_response({"id": member, "name": "Someone", "aadObjectId": f"aad-{member}"})

    def sent(self, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if method is None or c.method == method]


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the Teams adapter")
        await asyncio.sleep(0.02)


def card_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The Adaptive Card content of an activity body (fails when there is none)."""
    attachments = body.get("attachments") or []
    assert attachments, f"no card in {body.get('text')!r}"
    assert attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    return dict(attachments[0]["content"])


def card_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, depth first (actions inside ShowCards included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from card_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from card_nodes(item)


def card_text(card: Mapping[str, Any]) -> str:
    """Every text in a card, joined (for loose assertions)."""
    return "\n".join(
        node[key]
        for node in card_nodes(card)
        for key in ("text", "title", "value", "label")
        if isinstance(node.get(key), str)
    )
