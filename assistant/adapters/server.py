"""One aiohttp server for every platform: Slack, Teams and /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web

from assistant.adapters.lanes import CoreLanes
from assistant.config import Settings
from assistant.core import Core, Operations
from assistant.messages import Effect
from assistant.outbox import DeliveryFailed, Outbox, platform_of

log = logging.getLogger(__name__)

# platform -> coroutine that delivers one effect addressed to that platform (PostToChannel,
# SendDirect, UpdatePost), raising outbox.DeliveryFailed when it could not. Adapters register.
Deliverer = Callable[[Effect], Awaitable[None]]
CORE: web.AppKey[Core] = web.AppKey("core", Core)  # type: ignore[type-abstract]
SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
DELIVERERS: web.AppKey[dict[str, Deliverer]] = web.AppKey("deliverers", dict)
# platform -> coroutine reporting {"ok": bool, ...} for /healthz. Adapters register here.
HealthCheck = Callable[[], Awaitable[dict[str, Any]]]
HEALTH: web.AppKey[dict[str, HealthCheck]] = web.AppKey("health", dict)
OUTBOX: web.AppKey[Outbox] = web.AppKey("outbox", Outbox)
# Where adapters run core.handle: questions apart from approvals and form steps.
LANES: web.AppKey[CoreLanes] = web.AppKey("lanes", CoreLanes)
HEALTH_THREADS: web.AppKey[ThreadPoolExecutor] = web.AppKey("health threads", ThreadPoolExecutor)
OPERATIONS: web.AppKey[Operations] = web.AppKey("operations", Operations)  # type: ignore[type-abstract]
REMINDER_INTERVAL_S = 3600.0
PURGE_INTERVAL_S = 86400.0  # the retention purge: once a day, and at start-up if not yet today
OUTBOX_INTERVAL_S = 2.0  # how often due retries in the outbox are looked for
RELOAD_INTERVAL_S = 1.0  # how often a new index build is looked for (a stat and a small read)
WORKER_HEADER = "X-Assistant-Worker"  # with several workers: which one answered


async def deliver_elsewhere(app: web.Application, effects: Sequence[Effect]) -> None:
    """Send effects addressed to other conversations: into the outbox, then delivered at once
    (failures are retried from there). Without an outbox (a core with no database), each is
    delivered once and a failure is only logged."""
    outbox = app.get(OUTBOX)
    if outbox is not None:
        ids = await asyncio.to_thread(outbox.enqueue, effects)
        await deliver_from_outbox(app, ids)
        return
    for effect in effects:
        platform = platform_of(effect, app[CORE].recall)
        deliverer = app[DELIVERERS].get(platform) if platform else None
        if deliverer is None:
            log.warning("no adapter delivers a %s here: not delivered", type(effect).__name__)
            continue
        try:
            await deliverer(effect)
        except DeliveryFailed as failure:
            log.warning("%s not delivered: %s", type(effect).__name__, failure.problem)


async def deliver_from_outbox(app: web.Application, ids: Sequence[int] | None = None) -> None:
    """Deliver outbox rows (these, or every due one) and whatever notices follow from them."""
    outbox = app[OUTBOX]
    pending: Sequence[int] | None = ids
    while pending is None or pending:
        follow: list[int] = []
        for delivery in await asyncio.to_thread(outbox.claim, pending):
            deliverer = app[DELIVERERS].get(delivery.platform)
            try:
                if deliverer is None:
                    raise DeliveryFailed("no_adapter", final=True)
                await deliverer(delivery.effect)
            except DeliveryFailed as failure:
                follow += await asyncio.to_thread(outbox.not_delivered, delivery, failure)
            except Exception as exc:  # noqa: BLE001 - an unexpected failure is retried too
                log.exception("outbox: delivering #%d failed unexpectedly", delivery.id)
                unexpected = DeliveryFailed(type(exc).__name__)
                follow += await asyncio.to_thread(outbox.not_delivered, delivery, unexpected)
            else:
                follow += await asyncio.to_thread(outbox.delivered, delivery)
        pending = follow


async def _healthz(request: web.Request) -> web.Response:
    app = request.app
    if OPERATIONS not in app:
        ready = await asyncio.to_thread(app[CORE].ready)
        return web.json_response({"ok": ready}, status=200 if ready else 503)
    # Its own threads: a probe waiting on a hung answerer never holds up other work.
    loop = asyncio.get_running_loop()
    parts: dict[str, Any] = await loop.run_in_executor(app[HEALTH_THREADS], app[OPERATIONS].health)
    for platform, check in sorted(app[HEALTH].items()):
        try:
            parts[platform] = await check()
        except Exception as exc:  # noqa: BLE001 - a failing check is a part that is down
            parts[platform] = {"ok": False, "problem": type(exc).__name__}
    ok = all(part.get("ok", False) for part in parts.values())
    return web.json_response({"ok": ok, **parts}, status=200 if ok else 503)


async def _metrics(request: web.Request) -> web.Response:
    body, content_type = await asyncio.to_thread(request.app[OPERATIONS].metrics.render)
    return web.Response(body=body, headers={"Content-Type": content_type})


async def _every(interval_s: float, work: Callable[[], Awaitable[Any]], what: str) -> None:
    """Run ``work`` every ``interval_s`` seconds for as long as the server runs; a failure is
    logged and the next turn comes as usual."""
    while True:
        try:
            await work()
        except Exception:
            log.exception("%s failed", what)
        await asyncio.sleep(interval_s)


def _while_serving(
    *loops: Callable[[web.Application], Coroutine[Any, Any, None]],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running each of ``loops`` as a task while the server runs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(loop(app)) for loop in loops]
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return context


async def _watch_index(app: web.Application) -> None:
    check = app[OPERATIONS].check_index
    await _every(RELOAD_INTERVAL_S, lambda: asyncio.to_thread(check), "looking for a new index")


async def _retry_outbox(app: web.Application) -> None:
    await asyncio.sleep(OUTBOX_INTERVAL_S)
    await _every(OUTBOX_INTERVAL_S, lambda: deliver_from_outbox(app), "the outbox loop")


async def run_once_per_slot(
    app: web.Application, name: str, interval_s: float, job: Callable[[], Sequence[Effect]]
) -> None:
    """Run ``job`` once per ``interval_s`` slot of the clock across every worker process: each
    worker wakes at the slot's start and the one that first claims ``job:NAME:SLOT`` in the
    database runs it; the effects it returns are delivered."""
    core = app[CORE]
    while True:
        slot = int(time.time() // interval_s)
        try:
            if await asyncio.to_thread(core.first_delivery, f"job:{name}:{slot}"):
                effects = await asyncio.to_thread(job)
                log.info("the %s job of slot %d ran here: %d message(s)", name, slot, len(effects))
                await deliver_elsewhere(app, effects)
        except Exception:
            log.exception("the %s job failed", name)
        # Just past the next slot's start, so a worker whose clock is a little behind waits.
        await asyncio.sleep(
            max(0.0, (slot + 1) * interval_s - time.time()) + min(1.0, interval_s / 10)
        )


async def _reminders(app: web.Application) -> None:
    await run_once_per_slot(app, "reminders", REMINDER_INTERVAL_S, app[CORE].due_reminders)


async def _purge(app: web.Application) -> None:
    await run_once_per_slot(app, "purge", PURGE_INTERVAL_S, app[CORE].purge)


def build_app(
    core: Core,
    settings: Settings,
    *,
    reminders: bool = True,
    operations: Operations | None = None,
    outbox: Outbox | None = None,
) -> web.Application:
    """The server: /healthz plus the routes of every configured platform; with
    ``operations``, also /metrics, a detailed /healthz and new index builds taken over.
    Effects for other conversations go through ``outbox`` (by default the core's database's),
    with retries; only a core without a database delivers them directly, once."""
    app = web.Application(client_max_size=1024 * 1024)
    app[CORE] = core
    app[SETTINGS] = settings
    app[DELIVERERS] = {}
    app[HEALTH] = {}
    app[LANES] = lanes = CoreLanes(core)
    app[HEALTH_THREADS] = health_threads = ThreadPoolExecutor(2, thread_name_prefix="healthz")

    async def close_lanes(_: web.Application) -> None:
        lanes.close()
        health_threads.shutdown(wait=False, cancel_futures=True)

    app.on_cleanup.append(close_lanes)
    app.router.add_get("/healthz", _healthz)
    if operations is not None:
        app[OPERATIONS] = operations
        app.router.add_get("/metrics", _metrics)
        app.cleanup_ctx.append(_while_serving(_watch_index))
    outbox = outbox or Outbox.for_core(core, settings)
    if outbox is not None:
        app[OUTBOX] = outbox
        app.cleanup_ctx.append(_while_serving(_retry_outbox))

    if settings.slack.enabled:
        from assistant.adapters.slack import mount as mount_slack

        mount_slack(app, core, settings)
    else:
        log.info("Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on)")

    from assistant.adapters.teams import mount as mount_teams

    teams_mode = mount_teams(app, core, settings)  # decides whether the route is on; logs why

    async def teams_health() -> dict[str, Any]:
        return {"ok": True, "mode": str(teams_mode)}

    app[HEALTH].setdefault("teams", teams_health)

    if reminders:
        app.cleanup_ctx.append(_while_serving(_reminders, _purge))
    return app


def serve(
    core: Core,
    settings: Settings,
    *,
    operations: Operations | None = None,
    reuse_port: bool = False,
    worker: int | None = None,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Run the server on ``settings.host:settings.port`` until interrupted (or SIGTERM).

    The adapters read the address from the same settings (Teams without authentication is
    only allowed on loopback), so there is one place that says where the server listens.
    With ``reuse_port`` several worker processes listen on the same port and the kernel
    shares the connections out between them.
    ``worker``: this process's number among them, sent back in an ``X-Assistant-Worker``
    header on every response (for the proxy's log). ``on_listening`` is called once the
    port is open.
    """
    outbox = operations.outbox if operations is not None else None
    app = build_app(core, settings, operations=operations, outbox=outbox)
    if worker is not None:

        async def name_the_worker(_request: web.Request, response: web.StreamResponse) -> None:
            response.headers[WORKER_HEADER] = str(worker)

        app.on_response_prepare.append(name_the_worker)
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=on_listening,  # aiohttp calls it after the sockets are bound
        reuse_port=reuse_port or None,
    )
