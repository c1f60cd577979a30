"""The one entry point adapters talk to: :class:`Core`.

Adapters translate a platform payload into an :class:`~assistant.messages.Incoming`,
call :meth:`Core.handle` (synchronous: call it from a worker thread in async code) and
render the returned effects. They persist nothing themselves: delivery de-duplication,
posted-message references and conversation references go through the core's store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from assistant.form.whole import WholeField
from assistant.messages import Effect, Identity, Incoming, Message


class Core(Protocol):
    """What every adapter may call."""

    def handle(self, incoming: Incoming) -> list[Effect]:
        """Handle one message or action; return what to send, in order."""
        ...

    def needs_answerer(self, incoming: Incoming) -> bool:
        """Whether :meth:`handle` would wait for the policy answerer (a question), so that
        adapters run questions apart from approvals, form steps and storage work."""
        ...

    def first_delivery(self, key: str) -> bool:
        """True the first time ``key`` (e.g. ``slack:event:Ev123``) is seen, across processes."""
        ...

    def remember(self, kind: str, key: str, value: Mapping[str, Any]) -> None:
        """Keep a platform reference: ``kind="post"`` with the anchor of a PostToChannel,
        or ``kind="conversation"`` for a Teams conversation reference, and so on."""
        ...

    def recall(self, kind: str, key: str) -> dict[str, Any] | None:
        """The reference kept by :meth:`remember`, or None."""
        ...

    def due_reminders(self) -> list[Effect]:
        """Reminders for stages pending longer than the configured days (each sent once a period)."""
        ...

    def purge(self) -> list[Effect]:
        """Apply the retention periods of personal data (run daily by the server)."""
        ...

    def whole_form(self, user: Identity) -> tuple[WholeField, ...]:
        """The fields of a whole-form dialog, filled in from the user's draft if any."""
        ...

    def home(self, user: Identity) -> list[Message]:
        """The user's overview: "My requests" and "Waiting for my decision"."""
        ...

    def ready(self) -> bool:
        """True once the index and the database are ready (for /healthz)."""
        ...


class Operations(Protocol):
    """What a server runs beside the core: health, metrics and new index builds."""

    metrics: Any  # assistant.metrics.Metrics: render() -> (body, content type)
    outbox: Any  # assistant.outbox.Outbox: effects for other conversations, with retries

    def health(self) -> dict[str, Any]:
        """Each part needed to answer (index, database, answerer) as ``{"ok": bool, ...}``."""
        ...

    def check_index(self) -> bool:
        """Take over a finished new index build, if any; True when the index was swapped."""
        ...
