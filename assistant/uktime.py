"""Times as people at the school read them: UK local time (GMT in winter, BST in summer)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def uk(moment: datetime) -> datetime:
    """``moment`` in UK local time (a naive moment is taken to be UTC, as the store keeps it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK)
