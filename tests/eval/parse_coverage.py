"""How well the parser reads the development policies: clauses, titles, gold ids found.

    python tests/eval/parse_coverage.py [--dir /work/shared/policies] [--txt]

For each policy beside ``questions.jsonl``: the title, how many clauses it parses into, and
the share of the questions' gold ids that are ids the parsed document cites. Reads the
PDFs as a school would drop them in (``--txt``: the pypdf text beside each instead).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from assistant.policy.loaders import read_document
from assistant.policy.parser import parse_policy

SHARED = Path("/work/shared/policies")


def gold_ids(directory: Path) -> dict[str, list[str]]:
    """Every gold id of ``questions.jsonl``, per policy file stem."""
    gold: dict[str, list[str]] = defaultdict(list)
    for line in (directory / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold[Path(row["corpus"]).stem].extend(row["gold"])
    return gold


def main() -> None:
    """Print one line per development policy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=SHARED)
    parser.add_argument("--txt", action="store_true", help="read the .txt, not the .pdf")
    parser.add_argument("--missing", action="store_true", help="list the gold ids not found")
    args = parser.parse_args()
    for stem, gold in sorted(gold_ids(args.dir).items()):
        path = args.dir / f"{stem}.{'txt' if args.txt else 'pdf'}"
        document, text = read_document(path)
        clauses = parse_policy(text, doc_id=stem)
        cited = {getattr(c, "label", c.id) for c in clauses}
        repeated = sum(n - 1 for n in Counter(c.id for c in clauses).values() if n > 1)
        found = [g for g in gold if g in cited]
        print(
            f"{stem}: {len(clauses)} clauses, {repeated} repeated ids, "
            f"gold ids found {len(found)}/{len(gold)} ({len(found) / len(gold):.0%}); "
            f"title {document.title!r}"
        )
        if args.missing:
            print("  missing:", sorted(set(gold) - cited))


if __name__ == "__main__":
    main()
