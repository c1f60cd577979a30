"""Background jobs run once per slot across every worker, by a claim in the database."""

from __future__ import annotations

import asyncio

from aiohttp import web

from assistant.adapters.server import CORE, DELIVERERS, run_once_per_slot
from assistant.storage import Store


class Worker:
    """What the job loop needs of a worker's core: its claims, recorded."""

    def __init__(self, store: Store, claims: list[str]) -> None:
        self.store = store
        self.claims = claims

    def first_delivery(self, key: str) -> bool:
        won = self.store.first_delivery(key)
        if won:
            self.claims.append(key)
        return won


async def test_two_workers_run_each_slot_of_a_job_once(db_url: str) -> None:
    stores = [Store.open(db_url), Store.open(db_url)]  # one engine each, as two processes
    claims: list[str] = []
    runs: list[int] = []
    apps = []
    for n, store in enumerate(stores):
        app = web.Application()
        app[CORE] = Worker(store, claims)  # type: ignore[assignment]
        app[DELIVERERS] = {}
        apps.append((n, app))
    tasks = [
        asyncio.create_task(run_once_per_slot(app, "test", 0.4, lambda n=n: runs.append(n) or []))
        for n, app in apps
    ]
    await asyncio.sleep(3.0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for store in stores:
        store.close()
    assert len(claims) >= 4  # it kept running, slot after slot
    assert len(claims) == len(set(claims)), claims  # no slot claimed twice
    assert len(runs) == len(claims)  # and the job ran once per claim, in whichever worker
