"""Effects for other conversations leave through an outbox in the database.

A post to an approval channel, a direct message, an update of an earlier post: each is
stored (:meth:`Outbox.enqueue`), then delivered by whichever server worker claims it, at
least once, with retries (:mod:`assistant.storage.outbox_repository`). How each delivery
ended has consequences people must hear about:

- the first time a request reaches someone of its first stage, the requester is told;
- when every post and message asking a stage to decide has failed, the requester and the
  configured admin channel are told why, so nothing waits in silence.

Routing is written once, here: which platform carries an effect, whom it is for, and
which request and stage it asks about. Platform adapters only deliver.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.config import Settings
from assistant.errors import NotFound
from assistant.messages import (
    Effect,
    Kind,
    Message,
    PostToChannel,
    SendDirect,
    UpdatePost,
)
from assistant.storage.outbox_repository import Delivery, OutboxRepository, Outgoing
from assistant.storage.store import Store
from assistant.texts import workflow as texts
from assistant.workflow.stages import Stage

log = logging.getLogger(__name__)

_ANCHOR = re.compile(r"request:(\d+):(\w+)$")
_ASKS = re.compile(r"(\d+):(\w+)$")  # an approval button's value: "<request id>:<stage>"

# Log-safe problem codes (from the adapters) as the sentence people are told.
PROBLEMS: Mapping[str, str] = {
    "not_in_channel": "the assistant is not a member of the approval channel",
    "channel_not_found": "the approval channel does not exist, or the assistant cannot see it",
    "is_archived": "the approval channel is archived",
    "msg_blocks_too_long": "the request is too long for one message",
    "msg_too_long": "the request is too long for one message",
    "invalid_blocks": "the platform would not accept the message",
    "user_not_found": "the approver's account was not found",
    "account_inactive": "the approver's account is deactivated",
    "cannot_dm_bot": "the approver is a bot",
    "no_channel_reference": "the assistant has not been added to the approval channel's team",
    "no_personal_chat": "the approver has not opened a chat with the assistant yet",
    "no_adapter": "that platform is not switched on in this server",
    "invalid_auth": "the assistant's platform credentials were refused",
    "not_authed": "the assistant's platform credentials were refused",
    "missing_scope": "the assistant's app lacks a permission it needs",
}


class DeliveryFailed(Exception):
    """An adapter could not deliver an effect. ``problem`` is a log-safe code or phrase
    (never message text); ``final`` when no retry can mend it (the bot is not in the
    channel), so the people concerned are told at once."""

    def __init__(self, problem: str, *, final: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.final = final


def describe(problem: str) -> str:
    """The sentence for a problem code."""
    return PROBLEMS.get(problem, f"the platform refused it ({problem})")


@dataclass(frozen=True)
class Routed:
    """Where an effect goes and what it is about."""

    platform: str
    target: str
    request_id: int | None = None
    purpose: str = ""


class Outbox:
    """The outbox of one database: what to send, and what follows from how it went."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.rows: OutboxRepository = store.outbox

    @classmethod
    def for_core(cls, core: object, settings: Settings) -> Outbox | None:
        """The outbox of ``core``'s database, or None for a core that has none."""
        store = getattr(core, "store", None)
        return cls(store, settings) if isinstance(store, Store) else None

    # ---- routing -------------------------------------------------------------------------

    def route(self, effect: Effect) -> Routed | None:
        """The platform and target of an effect for another conversation; None for replies
        (they belong to the conversation the person wrote in)."""
        if isinstance(effect, PostToChannel):
            request_id, stage = _anchor(effect.anchor)
            purpose = f"ask:{stage}" if request_id is not None and _asks(effect.message) else ""
            return Routed(effect.platform, effect.channel, request_id, purpose)
        if isinstance(effect, SendDirect):
            asked = _asks(effect.message)
            request_id, stage = asked if asked else (None, "")
            purpose = f"ask:{stage}" if asked else ""
            return Routed(effect.user.platform, str(effect.user), request_id, purpose)
        if isinstance(effect, UpdatePost):
            request_id, _stage = _anchor(effect.anchor)
            platform = platform_of(effect, self.store.recall)
            if platform:
                return Routed(platform, effect.anchor, request_id)
            if request_id is not None:  # the post itself may still be in the outbox
                try:
                    return Routed(
                        self.store.get_request(request_id).platform, effect.anchor, request_id
                    )
                except NotFound:
                    pass
            log.warning("outbox: no post is known for %s; its update is dropped", effect.anchor)
            return None
        return None

    def enqueue(self, effects: Sequence[Effect]) -> list[int]:
        """Store every effect for another conversation; their outbox ids, in order."""
        items = []
        for effect in effects:
            routed = self.route(effect)
            if routed is not None:
                items.append(
                    Outgoing(
                        routed.platform, effect, routed.target, routed.request_id, routed.purpose
                    )
                )
        return self.rows.add(items) if items else []

    # ---- delivery ------------------------------------------------------------------------

    def claim(self, ids: Sequence[int] | None = None) -> list[Delivery]:
        """Claim these rows (or every due one) for delivery by this worker."""
        candidates = list(ids) if ids is not None else self.rows.due()
        return [d for d in (self.rows.claim(i) for i in candidates) if d is not None]

    def delivered(self, delivery: Delivery) -> list[int]:
        """Record a delivery; the ids of any notices that follow from it (already queued)."""
        self.rows.sent(delivery.id)
        if delivery.request_id is None or delivery.purpose != f"ask:{Stage.LINE_MANAGER.value}":
            return []
        # The first time the request reaches anyone of its first stage, once across workers.
        if not self.store.first_delivery(f"outbox:reached:{delivery.request_id}"):
            return []
        request = self.store.get_request(delivery.request_id)
        text = texts.REACHED.format(id=request.id, stage=texts.STAGE_TITLES["line_manager"])
        return self.enqueue([SendDirect(request.requester, Message(text=text, kind=Kind.NOTICE))])

    def not_delivered(self, delivery: Delivery, failure: DeliveryFailed) -> list[int]:
        """Record a failed attempt; when it was the last hope of reaching a stage, the ids of
        the notices to the requester and the admin channel (already queued)."""
        final = self.rows.not_sent(delivery.id, failure.problem, final=failure.final)
        log.warning(
            "outbox: %s #%d to %s failed (attempt %d%s): %s",
            type(delivery.effect).__name__,
            delivery.id,
            delivery.platform,
            delivery.attempts,
            ", giving up" if final else ", will retry",
            failure.problem,
        )
        if not final or delivery.request_id is None or not delivery.purpose.startswith("ask:"):
            return []
        states = self.rows.states(delivery.request_id, delivery.purpose)
        if states["sent"] or states["pending"]:
            return []  # someone was reached, or may still be
        stage = delivery.purpose.removeprefix("ask:")
        if not self.store.first_delivery(f"outbox:unreached:{delivery.request_id}:{stage}"):
            return []
        return self.enqueue(self._unreached(delivery.request_id, stage, failure.problem))

    def _unreached(self, request_id: int, stage: str, problem: str) -> list[Effect]:
        request = self.store.get_request(request_id)
        title = texts.STAGE_TITLES.get(stage, stage)
        why = describe(problem)
        told: list[Effect] = [
            SendDirect(
                request.requester,
                Message(
                    text=(
                        texts.NOT_REACHED
                        if self.settings.admin_channels
                        else texts.NOT_REACHED_NO_OFFICE
                    ).format(id=request.id, stage=title, why=why),
                    kind=Kind.ERROR,
                ),
            )
        ]
        for platform, channel in sorted(self.settings.admin_channels.items()):
            text = texts.NOT_REACHED_ADMIN.format(id=request.id, stage=title, why=why, code=problem)
            told.append(
                PostToChannel(
                    platform,
                    channel,
                    Message(text=text, kind=Kind.ERROR),
                    f"outbox:{request.id}:{stage}",
                )
            )
        if not self.settings.admin_channels:
            log.warning(
                "outbox: no [admin] channel is configured to tell about request #%d", request.id
            )
        return told


def platform_of(effect: Effect, recall: Callable[[str, str], dict[str, Any] | None]) -> str | None:
    """The platform that carries an effect for another conversation, if known (``recall``
    finds where an earlier post went, for an update)."""
    if isinstance(effect, PostToChannel):
        return effect.platform
    if isinstance(effect, SendDirect):
        return effect.user.platform
    if isinstance(effect, UpdatePost):
        posted = recall("post", effect.anchor)
        return str(posted["platform"]) if posted and posted.get("platform") else None
    return None


def _anchor(anchor: str) -> tuple[int | None, str]:
    found = _ANCHOR.match(anchor)
    return (int(found.group(1)), found.group(2)) if found else (None, "")


def _asks(message: Message) -> tuple[int, str] | None:
    """(request id, stage) when ``message`` asks a stage to decide (its approve button)."""
    if message.kind is not Kind.APPROVAL:
        return None
    for button in message.buttons:
        found = _ASKS.match(button.value)
        if found and found.group(2) in {s.value for s in Stage}:
            return int(found.group(1)), found.group(2)
    return None
