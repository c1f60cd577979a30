"""The assistant's database: drafts, requests, decisions, audit trail and platform references."""

from assistant.storage.db import make_engine, migrate
from assistant.storage.store import Store

__all__ = ["Store", "make_engine", "migrate"]
