"""The parser on the development policies in /work/shared/policies (skipped without them).

Each policy's labelled questions name their gold clauses as the document numbers them; every
one must be a clause the parsed document cites, with no id twice and no page furniture left.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from assistant.policy.loaders import read_document
from assistant.policy.model import Clause
from assistant.policy.parser import parse_policy

SHARED = Path("/work/shared/policies")
POLICIES = ("park-esafety", "park-safeguarding", "poundhill-child-protection")

pytestmark = pytest.mark.skipif(
    not (SHARED / "questions.jsonl").is_file(),
    reason=f"the development policies are not in {SHARED} on this machine",
)


def _gold() -> dict[str, set[str]]:
    gold: dict[str, set[str]] = defaultdict(set)
    for line in (SHARED / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold[Path(row["corpus"]).stem].update(row["gold"])
    return gold


@pytest.fixture(scope="module", params=[(p, s) for p in POLICIES for s in (".pdf", ".txt")])
def parsed(request: pytest.FixtureRequest) -> tuple[str, str, list[Clause]]:
    stem, suffix = request.param
    document, text = read_document(SHARED / f"{stem}{suffix}")
    return stem, document.title, parse_policy(text, doc_id=stem)


def test_every_gold_id_is_a_clause_the_document_cites(parsed) -> None:
    stem, _, clauses = parsed
    labels = {c.label for c in clauses}
    assert sorted(_gold()[stem] - labels) == []


def test_no_id_twice_and_no_page_furniture(parsed) -> None:
    _, _, clauses = parsed
    ids = [c.id for c in clauses]
    assert len(ids) == len(set(ids))
    for clause in clauses:
        words = f"{clause.lead_in} {clause.text}".lower()
        assert "page " not in words or " of " not in words.split("page ", 1)[1][:8], clause.id
        assert "\uf0b7" not in words and "p olicy" not in words, clause.id
    assert max(len(c.text) for c in clauses) <= 1000


def _digest(text: str) -> str:
    """A short fingerprint: the tests check the schools' exact words without quoting them."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def test_titles_come_from_the_document(parsed) -> None:
    stem, title, _ = parsed
    expected = {
        "park-esafety": "606f716d20ddc9fc",
        "park-safeguarding": "6464d1f13bdbda39",
        "poundhill-child-protection": "cc505fb492c0c430",
    }
    assert _digest(title) == expected[stem], title


def test_the_traps_each_document_sets(parsed) -> None:
    stem, _, clauses = parsed
    by_id = {c.id: c for c in clauses}
    by_label: dict[str, list[Clause]] = defaultdict(list)
    for clause in clauses:
        by_label[clause.label].append(clause)
    if stem == "park-esafety":
        assert any("USB" in c.text for c in by_label["Appendix 2"])  # the unnumbered agreement
        assert _digest(by_label["2(e)"][0].section) == "02cce7a1cd13b0ab"
        assert not any(c.label.startswith("Contents") for c in clauses)
    elif stem == "park-safeguarding":
        infatuations = " ".join(c.text for c in by_label["Part 4 G(iii)"])
        assert "personal contact details" in infatuations  # the unheaded passage after it
        assert by_label["Part 1 U"][0].section == "E-Safety"  # printed "U e-Safety"
        assert {"Appendix 2 4", "Appendix 2 7"} <= set(by_label)
        assert not any(c.label in {"5", "6"} for c in clauses)  # "5 & 6;" in the history
    else:
        assert _digest(by_id["9.6"].text[:42]) == "98ef7e4ba5a5f206"  # two different 9.6
        assert _digest(by_id["9.6 [2]"].text[:30]) == "19a3ed834fe56e89"
        source = (SHARED / f"{stem}.txt").read_text(encoding="utf-8")
        footnote = re.search(r"^1 (\S.{20})", source, re.M)
        assert footnote is not None  # the footnote that starts a line like a section number
        assert "staff1" not in by_id["1.1"].text and footnote[1] not in " ".join(
            c.text for c in clauses
        )
        assert by_id["4"].section.endswith("for child protection")  # the wrapped heading
