"""Proactive sends: approval posts, their updates and personal messages, with bounded retries."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, TurnContext

from assistant.adapters.teams.cards import activity_for
from assistant.adapters.teams.translate import (
    CONVERSATION_KIND,
    PLATFORM,
    personal_key,
    reference_from,
)
from assistant.core import Core
from assistant.messages import Effect, Identity, Message, PostToChannel, SendDirect, UpdatePost
from assistant.outbox import DeliveryFailed

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Retry connector calls answered 429 or 5xx: ``attempts`` in all, exponential backoff."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a failed connector call, if the error carries one."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status if isinstance(status, int) else None


def _retry_after(error: BaseException) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        return float(headers.get("Retry-After") or "")
    except (TypeError, ValueError):
        return None


def is_transient(error: BaseException) -> bool:
    """True for a 429 (throttled) or a 5xx from the connector."""
    status = status_of(error)
    return status is not None and (status == 429 or 500 <= status < 600)


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Run ``call``; on a 429/5xx wait (Retry-After or backoff with jitter) and try again."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except Exception as error:
            if attempt == policy.attempts or not is_transient(error):
                raise
            delay = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            delay = _retry_after(error) or delay * (1 + random.random() / 4)
            log.warning(
                "Teams connector answered %s; retry %d of %d in %.1fs",
                status_of(error),
                attempt,
                policy.attempts - 1,
                delay,
            )
            await asyncio.sleep(min(delay, policy.max_delay))
    raise AssertionError("unreachable")


class TeamsDelivery:
    """Carries out PostToChannel / SendDirect / UpdatePost for Teams via continue_conversation."""

    def __init__(
        self,
        *,
        adapter: BotAdapter,
        core: Core,
        app_id: str,
        policy: RetryPolicy | None = None,
        allow_service_url: Callable[[str], bool] = lambda url: True,
        tenants: Sequence[str] = (),
    ) -> None:
        self._adapter = adapter
        self._core = core
        self._app_id = app_id
        self._policy = policy or RetryPolicy()
        self._allow = allow_service_url
        # Personal chats are kept per tenant: look in the tenants this bot serves, in order.
        self._tenants = tuple(tenants)

    async def send(self, effect: Effect) -> None:
        """Deliver one post, direct message or update (the outbox's deliverer for Teams);
        DeliveryFailed says why not, and whether a retry could help."""
        try:
            if isinstance(effect, PostToChannel):
                await self.post_to_channel(effect.channel, effect.message, effect.anchor)
            elif isinstance(effect, SendDirect):
                if not await self.send_direct(effect.user, effect.message):
                    raise DeliveryFailed("no_personal_chat", final=True)
            elif isinstance(effect, UpdatePost):
                await self.update_post(effect.anchor, effect.message)
        except DeliveryFailed:
            raise
        except PermissionError:
            raise DeliveryFailed("service_url_refused", final=True) from None
        except Exception as exc:  # noqa: BLE001 - the connector's errors: worth a retry
            log.info("Teams: delivering a %s failed", type(effect).__name__, exc_info=True)
            raise DeliveryFailed(type(exc).__name__) from None

    async def deliver(self, effects: Sequence[Effect]) -> None:
        """Deliver each effect once, logging failures (for a core without an outbox)."""
        for effect in effects:
            try:
                await self.send(effect)
            except DeliveryFailed as failure:
                log.warning("Teams: %s not delivered: %s", type(effect).__name__, failure.problem)

    async def _recall(self, kind: str, key: str) -> dict[str, Any] | None:
        return await asyncio.to_thread(self._core.recall, kind, key)

    async def _send(self, reference: dict[str, Any], message: Message) -> str:
        """Send ``message`` as a new activity in the referenced conversation; its id."""
        if not self._allow(str(reference.get("serviceUrl", ""))):
            raise PermissionError("Teams: refusing to send to a non-loopback serviceUrl")
        posted: list[str] = []

        async def callback(turn_context: TurnContext) -> None:
            # The continuation activity's made-up id would make this a reply to nothing:
            # clear it so the connector starts a new post (POST .../activities).
            turn_context.activity.id = None
            response = await turn_context.send_activity(activity_for(message))
            posted.append(response.id if response and response.id else "")

        ref = reference_from(reference)
        await with_retries(
            lambda: self._adapter.continue_conversation(ref, callback, self._app_id), self._policy
        )
        return posted[-1] if posted else ""

    async def post_to_channel(self, channel: str, message: Message, anchor: str) -> None:
        """Start a new post in ``channel`` and remember it under ``anchor``."""
        reference = await self._recall(CONVERSATION_KIND, channel)
        if reference is None:
            log.warning(
                "Teams: the bot has not been added to channel %s; approval post %s not sent "
                "(add the bot to the team, then run `assistant doctor`)",
                channel,
                anchor,
            )
            raise DeliveryFailed("no_channel_reference", final=True)
        activity_id = await self._send(reference, message)
        post = {
            "platform": PLATFORM,
            "conversation": reference,
            "activity_id": activity_id,
            "service_url": reference.get("serviceUrl", ""),
        }
        await asyncio.to_thread(self._core.remember, "post", anchor, post)

    async def send_direct(self, user: Identity, message: Message, *, warn: bool = True) -> bool:
        """Message ``user`` in their personal chat with the bot; False when none is known."""
        reference = None
        for tenant in self._tenants:
            reference = await self._recall(CONVERSATION_KIND, personal_key(tenant, user.user_id))
            if reference is not None:
                break
        if reference is None:
            if not warn:
                return False
            log.warning(
                "Teams: no personal chat with %s yet; a direct message was not sent "
                "(they must open a chat with the bot once; `assistant doctor` lists them)",
                user,
            )
            return False
        await self._send(reference, message)
        return True

    async def update_post(self, anchor: str, message: Message) -> None:
        """Replace the post remembered under ``anchor`` (its buttons go with it)."""
        post = await self._recall("post", anchor)
        if post is None or post.get("platform") != PLATFORM or not post.get("activity_id"):
            raise DeliveryFailed("post_not_known")  # its post may still be on the way
        reference = dict(post["conversation"])
        if not self._allow(str(reference.get("serviceUrl", ""))):
            raise PermissionError("Teams: refusing to update on a non-loopback serviceUrl")

        async def callback(turn_context: TurnContext) -> None:
            activity = activity_for(message)
            activity.id = str(post["activity_id"])
            await turn_context.update_activity(activity)

        ref = reference_from(reference)
        await with_retries(
            lambda: self._adapter.continue_conversation(ref, callback, self._app_id), self._policy
        )
