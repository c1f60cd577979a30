"""Microsoft Teams adapter (botbuilder-python). Every botbuilder import stays in this package."""

from __future__ import annotations

from assistant.adapters.teams.mount import mount

__all__ = ["mount"]
