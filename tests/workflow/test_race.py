"""Two OS processes race to decide the same stages: exactly one decision each time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from assistant.storage import Store
from assistant.workflow.service import ApprovalService
from tests.workflow.conftest import ANNA, answers
from tests.workflow.race_worker import DECIDERS, settings

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 12


def test_two_processes_deciding_the_same_stage(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    service = ApprovalService(store=store, settings=settings())
    for _ in range(REQUESTS):
        service.submit(
            ANNA, "Anna", answers({"name": "Mr Nobody", "identity": None}), platform="slack"
        )
    ids = [str(r.id) for r in service.list_requests()]
    go = tmp_path / "go"
    workers = []
    for number, decider in enumerate(DECIDERS):
        ready = tmp_path / f"ready{number}"
        command = [
            sys.executable,
            "-m",
            "tests.workflow.race_worker",
            db_url,
            str(decider),
            str(ready),
            str(go),
            *ids,
        ]
        workers.append(
            (
                ready,
                subprocess.Popen(
                    command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                ),
            )
        )
    deadline = time.monotonic() + 60
    while not all(ready.exists() for ready, _ in workers):
        assert all(p.poll() is None for _, p in workers), [p.communicate() for _, p in workers]
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    go.touch()
    results = []
    for _, process in workers:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out))

    for request_id in ids:
        outcomes = [result[request_id] for result in results]
        assert outcomes.count("won") == 1, outcomes
        (lost,) = [o for o in outcomes if o != "won"]
        assert f"Request #{request_id} was already approved at the Line Manager stage by" in lost
        decisions = store.decisions(int(request_id))
        assert len(decisions) == 1 and decisions[0].decided_by in DECIDERS
        assert [e.event_type for e in store.audit(int(request_id))] == ["submitted", "approved"]
    store.close()
