"""Form drafts as the store keeps them, with the request a draft revises, if any.

A draft opened with "Edit and resubmit" carries the number of the request sent back for
changes (``"revising"`` beside the form's own keys), so that submitting it resubmits that
request instead of making a new one. Every save keeps the mark; a new form has none.
"""

from __future__ import annotations

import json

from assistant.form.state import FormState
from assistant.messages import Identity
from assistant.storage.store import Store

MARK = "revising"


def revising_of(store: Store, user: Identity) -> int | None:
    """The request ``user``'s draft revises, or None (no draft, or a new request)."""
    saved = store.load_draft(user)
    if saved is None:
        return None
    try:
        mark = json.loads(saved).get(MARK)
    except (ValueError, AttributeError):
        return None
    return mark if isinstance(mark, int) and not isinstance(mark, bool) else None


def save(store: Store, user: Identity, state: FormState, *, revising: int | None = None) -> None:
    """Keep ``state`` as ``user``'s draft, still marked with the request it revises (or
    newly marked with ``revising``)."""
    mark = revising if revising is not None else revising_of(store, user)
    data = json.loads(state.to_json())
    if mark is not None:
        data[MARK] = mark
    store.save_draft(user, json.dumps(data, sort_keys=True))
