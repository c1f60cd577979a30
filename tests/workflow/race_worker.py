"""One server process deciding line-manager stages, for the two-process race test.

Usage: python -m tests.workflow.race_worker URL DECIDER READY_FILE GO_FILE ID...
Prints one JSON line: {request id: "won" | the private reply it got}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from assistant.config import Settings
from assistant.messages import Identity, PrivateReply, UpdatePost
from assistant.storage import Store
from assistant.workflow.service import ApprovalService

DECIDERS = (Identity("slack", "ULINDA"), Identity("slack", "ULOU"))


def settings() -> Settings:
    """Both workers' deciders are line managers by role."""
    here = Path(".")
    return Settings(
        root=here,
        database_url="",
        corpus_dir=here,
        index_dir=here,
        config_path=None,
        roles={"line_manager": DECIDERS},
        channels={stage: {"slack": f"C-{stage}"} for stage in ("line_manager", "senior_manager")},
    )


def main(argv: list[str]) -> int:
    url, decider, ready, go, *ids = argv
    service = ApprovalService(store=Store.open(url, migrate=False), settings=settings())
    who = Identity.parse(decider)
    Path(ready).touch()
    while not Path(go).exists():
        time.sleep(0.005)
    outcomes: dict[int, str] = {}
    for request_id in map(int, ids):
        effects = service.decide(request_id, "line_manager", who, decider, True)
        first = effects[0]
        if isinstance(first, UpdatePost):
            outcomes[request_id] = "won"
        else:
            assert isinstance(first, PrivateReply)
            outcomes[request_id] = first.message.text
    print(json.dumps(outcomes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
