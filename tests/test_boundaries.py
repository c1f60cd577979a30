"""The core knows no chat platform: only adapters import Slack, Bot Framework or aiohttp."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
PLATFORM_MODULES = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp")
CORE_FILES = sorted(
    p for p in PACKAGE.rglob("*.py") if "adapters" not in p.relative_to(PACKAGE).parts
)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_module_imports_no_chat_platform(path: Path) -> None:
    leaks = {m for m in imported_modules(path) if m.split(".")[0] in PLATFORM_MODULES}
    assert not leaks, f"{path.relative_to(PACKAGE)} imports {sorted(leaks)}"


def test_only_the_config_module_reads_the_environment() -> None:
    # Passing the whole environment on to a child process is not reading settings.
    reads = re.compile(r"os\.environ(\.get\(|\[|\.setdefault)|getenv\(")
    readers = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if reads.search(p.read_text(encoding="utf-8"))
    ]
    assert set(readers) <= {"config.py"}, readers
