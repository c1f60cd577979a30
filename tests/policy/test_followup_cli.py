"""`assistant ask --json -` with conversation ids, and `assistant eval` on pair files."""

from __future__ import annotations

import argparse
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from assistant.cli import policy as cli
from assistant.policy.answer import PolicyAnswerer
from assistant.policy.embedder import HashingEmbedder
from assistant.policy.index import build_index

FIRST = "how many administrators does a school site need?"
EVAL = Path(__file__).resolve().parents[1] / "eval"


@pytest.fixture(scope="module")
def answerer(wootton_corpus, tmp_path_factory):
    embedder = HashingEmbedder()
    index = build_index(wootton_corpus, embedder, tmp_path_factory.mktemp("i"), progress=False)
    return PolicyAnswerer(index=index, embedder=embedder)


def _ask(monkeypatch, answerer, lines: list[str]) -> tuple[list[dict], str]:
    monkeypatch.setattr(cli, "_open", lambda args: answerer)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        cli.cmd_ask(argparse.Namespace(question="-", json=True, index=None))
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_lines_of_one_conversation_are_read_in_order(monkeypatch, answerer):
    rows, err = _ask(
        monkeypatch,
        answerer,
        [
            json.dumps({"q": FIRST, "conversation": "a"}),
            json.dumps({"q": "and moderators?", "conversation": "b"}),
            json.dumps({"q": "and moderators?", "conversation": "a"}),
            "and moderators?",
            '{"q": 3}',
            json.dumps({"q": "new question: and moderators?", "conversation": "a"}),
        ],
    )
    assert [r["question"] for r in rows] == [FIRST] + ["and moderators?"] * 3 + [
        "new question: and moderators?"
    ]
    assert [r.get("read_with", "-") for r in rows] == [None, None, FIRST, "-", None]
    assert "line 5" in err  # a bad line is named and the rest still answered
    joined = answerer.answer(f"{FIRST} and moderators?")
    assert [c["clause_id"] for c in rows[2]["citations"]] == [c.clause_id for c in joined.citations]


def test_eval_reads_a_pair_file_in_conversation_and_alone(monkeypatch, answerer, tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"first": FIRST, "q": "and moderators?", "gold": ["A.5.4"]})
        + "\n"
        + json.dumps({"first": FIRST, "q": "x", "gold": ["1.1"], "corpus": "park-esafety.txt"})
        + "\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(cli, "_open", lambda args: answerer)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.cmd_eval(argparse.Namespace(file=pairs, index=None, misses=True)) == 0
    text = out.getvalue()
    assert "1 pairs on other documents left out" in text
    assert "asked alone" in text and "in conversation" in text
    assert "(1 in-scope follow-ups, 0 new questions" in text


def test_a_bad_pair_file_is_named_by_line(tmp_path):
    from assistant.errors import InputError
    from assistant.policy.pairs import load_pairs

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"first": "a", "q": "b", "gold": ["6.3"]}\n{"first": "a"}\n')
    with pytest.raises(InputError) as caught:
        load_pairs(bad)
    assert "line 2" in caught.value.user_message


def test_the_shipped_pair_files_load():
    from assistant.policy.pairs import load_pairs

    for name in ("dev", "holdout", "holdout2", "holdout3", "policies"):
        pairs = load_pairs(EVAL / f"followup_{name}.jsonl")
        assert pairs and {p.kind for p in pairs} <= {"follow", "new", "out"}
