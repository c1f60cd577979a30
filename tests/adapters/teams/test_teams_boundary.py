"""botbuilder stays inside assistant/adapters/teams, so replacing it touches only that package."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3] / "assistant"
IMPORT = re.compile(r"^\s*(from|import)\s+(botbuilder|botframework)\b", re.MULTILINE)


def test_botbuilder_is_imported_only_by_the_teams_adapter():
    outside = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if IMPORT.search(path.read_text(encoding="utf-8"))
        and ROOT / "adapters" / "teams" not in path.parents
    ]
    assert outside == []
    assert IMPORT.search((ROOT / "adapters" / "teams" / "bot.py").read_text(encoding="utf-8"))
