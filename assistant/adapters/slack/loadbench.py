"""Load benchmark: signed question events through /slack/events of a real server.

    python -m assistant.adapters.slack.loadbench --questions 2000 --rate 100
    python -m assistant.adapters.slack.loadbench --workers 1,2 --database URL

With ``--workers``, ``assistant serve --workers N`` on PostgreSQL for each N in turn, with
approval clicks among the questions (:mod:`loadbench_workers`).

The server (real core, batching answerer, real MiniLM) runs in a child process, as it would
in production; this process runs the fake Web API and the sender, and reports acks per
second, ack latency and answer latency (until the fake receives chat.postMessage).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from assistant.adapters.server import WORKER_HEADER
from assistant.adapters.slack import loadbench_workers, served
from assistant.adapters.slack.fake_api import FakeSlackApi

QUESTIONS = (
    "Can I accept a friend request from a parent on Facebook?",
    "Am I allowed to use social media during working hours?",
    "Can I post photos of pupils on my personal Instagram?",
    "What should I do if I see a colleague's inappropriate post?",
    "Can I mention the school in my LinkedIn profile?",
    "Who do I report misuse of social media to?",
    "Can I follow former pupils on Twitter?",
    "Is the school allowed to monitor my use of the internet at work?",
    "Can I use my work email address to sign up for social media?",
    "What happens if I breach the social media policy?",
)


BARE_QUESTIONS = 160
BARE_BATCH = 16
REQUEST_TIMEOUT_S = 30.0  # an unanswered request counts as failed, never hangs the run
STOP_TIMEOUT_S = 30.0
GOAL_RATE = 100.0
GOAL_ACK_P99_MS = 100.0


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _cpu_seconds(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_by_part() -> dict[str, float]:
    """CPU seconds of this process's threads by name, and of its child processes (Linux)."""
    import re
    import threading

    names = {t.native_id: re.sub(r"[-_]\d+.*$", "", t.name) for t in threading.enumerate()}
    totals: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        name = "thread " + names.get(int(task.name), "(native)")
        totals[name] = totals.get(name, 0.0) + _cpu_seconds(task / "stat")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == os.getpid():
                totals["child processes"] = totals.get("child processes", 0.0) + _cpu_seconds(
                    proc / "stat"
                )
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return totals


async def _serve_child(args: argparse.Namespace) -> None:
    """Child process: build the real core and serve until stdin closes."""
    from aiohttp import web

    from assistant.adapters.server import build_app
    from assistant.app import build_core
    from assistant.config import load_settings
    from assistant.policy.embedder import MiniLMEmbedder

    settings = load_settings()
    # --in-process: the model in the server's own threads, as before the answer process.
    embedder = MiniLMEmbedder() if args.in_process else None
    core = build_core(settings, embedder=embedder, warm=True, batching=True)
    started = time.perf_counter()
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(BARE_QUESTIONS)]
    for i in range(0, len(questions), BARE_BATCH):
        core.answerer.answer_many(questions[i : i + BARE_BATCH])  # type: ignore[attr-defined]
    bare_rate = len(questions) / (time.perf_counter() - started)
    cpu_before = _cpu_by_part()
    runner = web.AppRunner(build_app(core, settings, reminders=False), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    cpu = {k: round(v - cpu_before.get(k, 0.0), 2) for k, v in _cpu_by_part().items()}
    stats = {
        "bare_answer_many_per_s": round(bare_rate, 1),
        "batches": getattr(core.answerer, "batches", None),
        "server_cpu_s": {k: v for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]) if v > 0},
    }
    print("STATS " + json.dumps(stats), flush=True)
    await runner.cleanup()


async def _start_server(
    fake: FakeSlackApi, workdir: Path, index_dir: Path, extra: list[str]
) -> tuple[Any, int]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-loadbench",
        "SLACK_SIGNING_SECRET": served.SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "HF_HUB_OFFLINE": "1",
        "LOG_LEVEL": "WARNING",
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "assistant.adapters.slack.loadbench",
        "--serve",
        *extra,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None
    while True:
        line = (await child.stdout.readline()).decode()
        if not line:
            raise SystemExit("the server did not start (see its log above)")
        if line.startswith("READY "):
            return child, int(line.split()[1])


async def _stop_server(child: Any) -> dict[str, Any]:
    """Wait for the server's own figures as it stops (killed if it does not stop in time)."""
    stats: dict[str, Any] = {}

    async def read() -> None:
        async for raw in child.stdout:
            if raw.startswith(b"STATS "):
                stats.update(json.loads(raw[6:]))
        await child.wait()

    try:
        await asyncio.wait_for(read(), timeout=STOP_TIMEOUT_S)
    except TimeoutError:
        child.kill()
        await child.wait()
    return stats


def _event(i: int, users: int) -> dict[str, Any]:
    return served.question_event(i, f"UBENCH{i % users:04d}", QUESTIONS[i % len(QUESTIONS)])


async def _run(args: argparse.Namespace, workers: int | None = None) -> dict[str, Any]:
    """One run: the bench's own server child, or ``assistant serve --workers N`` on
    PostgreSQL with approval clicks among the questions."""
    fake = FakeSlackApi()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp, _database(args, workers) as database_url:
        index_dir = Path(args.index_dir) if args.index_dir else Path(tmp) / "index"
        clicking: loadbench_workers.Workers | None = None
        if workers is None:
            extra = ["--in-process"] if args.in_process else []
            child, port = await _start_server(fake, Path(tmp), index_dir, extra)
            base = f"http://127.0.0.1:{port}/"
        else:
            clicking = await loadbench_workers.start(
                count=workers,
                requests=args.requests,
                database_url=database_url,
                fake=fake,
                workdir=Path(tmp),
                index=index_dir,
            )
            base = clicking.server.url
        url = base + "slack/events"
        sent: dict[str, float] = {}
        acks: list[float] = []
        failures = 0
        connector = aiohttp.TCPConnector(limit=args.connections)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

            async def post(body: str, content_type: str) -> tuple[bool, float, str]:
                headers = served.signed(body, content_type)
                start = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        ok = response.status == 200
                        worker = response.headers.get(WORKER_HEADER, "")
                except (TimeoutError, aiohttp.ClientError):
                    ok, worker = False, ""
                return ok, time.perf_counter() - start, worker

            async def send(i: int) -> None:
                nonlocal failures
                data = _event(i, args.users)
                sent[data["event"]["ts"]] = time.perf_counter()
                ok, took, _ = await post(json.dumps(data), "application/json")
                if ok:
                    acks.append(took)
                else:
                    failures += 1

            async def click(body: str, content_type: str) -> None:
                assert clicking is not None
                ok, took, worker = await post(body, content_type)
                if ok:
                    clicking.click_acks.append(took)
                    clicking.clicked_by[worker] = clicking.clicked_by.get(worker, 0) + 1
                else:
                    clicking.click_failures += 1

            load_before = os.getloadavg()[0]
            clicks = clicking.clicks() if clicking is not None else []
            every = max(1, args.questions // len(clicks)) if clicks else 0
            began = time.perf_counter()
            tasks = []
            for i in range(args.questions):
                if args.rate:
                    delay = began + i / args.rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(send(i)))
                if clicks and i % every == 0:
                    tasks.append(asyncio.create_task(click(*clicks.pop())))
            tasks += [asyncio.create_task(click(*rest)) for rest in clicks]  # any left over
            await asyncio.gather(*tasks)
            acked_in = time.perf_counter() - began

            def answered() -> list[Any]:
                return [
                    c for c in fake.called("chat.postMessage") if c.args.get("thread_ts") in sent
                ]

            deadline = time.monotonic() + args.answer_timeout
            while len(answered()) < len(acks) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        answers = [c.at - sent[c.args["thread_ts"]] for c in answered()]
        answered_in = max((c.at for c in answered()), default=began) - began
        stats: dict[str, Any] = {}
        if clicking is None:
            assert child.stdin is not None
            child.stdin.close()
            stats = await _stop_server(child)
        else:
            await loadbench_workers.settle(clicking, fake, args.answer_timeout)
            ms_of = [round(_percentile(clicking.click_acks, q) * 1000, 1) for q in (50, 99)]
            stats = {
                "workers": workers,
                "clicks": {
                    **loadbench_workers.decided_once(clicking, fake),
                    "ack_ms": dict(zip(("p50", "p99"), ms_of, strict=True)),
                },
                "memory_mb": clicking.memory_mb,
            }
            await served.stop(clicking.server)
    await fake.stop()
    ms = 1000.0
    return {
        "questions": args.questions,
        "offered_rate": args.rate or "max",
        "acked": len(acks),
        "failed": failures,
        "acks_per_s": round(len(acks) / acked_in, 1),
        "ack_ms": {
            p: round(_percentile(acks, q) * ms, 1)
            for p, q in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "answered": len(answers),
        "posted": len(fake.called("chat.postMessage")),
        "other_calls": sorted({c.method for c in fake.calls} - {"chat.postMessage"}),
        "answers_per_s": round(len(answers) / answered_in, 1) if answered_in > 0 else None,
        "answer_ms": {
            p: round(_percentile(answers, q) * ms, 1)
            for p, q in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "answer_mean_ms": round(statistics.fmean(answers) * ms, 1) if answers else None,
        "load_average": [
            round(load_before, 1),
            round(os.getloadavg()[0], 1),
        ],  # the machine's, before and after
        **stats,
    }


@contextlib.contextmanager
def _database(args: argparse.Namespace, workers: int | None) -> Iterator[str]:
    """A fresh PostgreSQL schema for a run with workers ("" for the bench's own server)."""
    if workers is None:
        yield ""
        return
    with loadbench_workers.fresh_schema(args.database or "") as url:
        yield url


def _verdict(figures: dict[str, Any]) -> list[str]:
    """The figures beside the goal: 100 questions/s, ack p99 < 100 ms, answers keeping up."""
    offered = figures["offered_rate"]
    want_rate = GOAL_RATE if offered == "max" else min(GOAL_RATE, float(offered))
    p99 = figures["ack_ms"]["p99"]
    answers = figures["answers_per_s"] or 0.0
    checks = [
        (
            figures["acks_per_s"] >= 0.97 * want_rate and not figures["failed"],
            f"acks/s {figures['acks_per_s']} (goal {want_rate:g}, {figures['failed']} failed)",
        ),
        (p99 < GOAL_ACK_P99_MS, f"ack p99 {p99} ms (goal < {GOAL_ACK_P99_MS:g} ms)"),
        (
            figures["answered"] == figures["acked"] and answers >= 0.95 * want_rate,
            f"answers/s {answers}, {figures['answered']}/{figures['acked']} answered "
            f"(goal: keeping up with {want_rate:g}/s), p50 {figures['answer_ms']['p50']} ms",
        ),
    ]
    if "bare_answer_many_per_s" in figures:
        bare = figures["bare_answer_many_per_s"]
        checks.append((True, f"bare answer_many ({BARE_BATCH} a batch): {bare}/s"))
    if "clicks" in figures:
        checks.append(loadbench_workers.click_check(figures["clicks"]))
    return [("ok   " if good else "MISS ") + text for good, text in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.adapters.slack.loadbench",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--questions", type=int, default=1000, help="events to send (default 1000)")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="events per second; 0: all at once"
    )
    parser.add_argument("--users", type=int, default=50, help="distinct askers (default 50)")
    parser.add_argument("--connections", type=int, default=200, help="concurrent HTTP connections")
    parser.add_argument(
        "--answer-timeout", type=float, default=120.0, help="seconds to wait for answers"
    )
    parser.add_argument(
        "--index-dir", help="reuse a built index (default: build one in a temp dir)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="answer in the server's threads, not in an answer process",
    )
    loadbench_workers.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve_child(args))
        return 0
    if args.workers:
        runs = {n: asyncio.run(_run(args, workers=n)) for n in args.workers}
        verdicts = {n: _verdict(figures) for n, figures in runs.items()}
        print(json.dumps({f"{n} worker(s)": figures for n, figures in runs.items()}, indent=2))
        print(loadbench_workers.side_by_side(runs))
        for n, verdict in verdicts.items():
            print(f"{n} worker(s):")
            for line in verdict:
                print("  " + line)
        return 0 if all(v.startswith("ok") for vs in verdicts.values() for v in vs) else 1
    figures = asyncio.run(_run(args))
    print(json.dumps(figures, indent=2))
    verdict = _verdict(figures)
    for line in verdict:
        print(line)
    return 0 if all(line.startswith("ok") for line in verdict) else 1


if __name__ == "__main__":
    raise SystemExit(main())
