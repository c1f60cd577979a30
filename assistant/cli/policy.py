"""Policy commands: ``index build``, ``ask``, ``eval`` and ``bench``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from assistant.policy.answer import PolicyAnswer

_ROOT = Path(__file__).resolve().parents[2]


def register(subparsers: Any) -> None:
    """Add ``index``, ``ask``, ``eval`` and ``bench`` to an argparse subparsers object."""
    index = subparsers.add_parser("index", help="build the clause index")
    index_sub = index.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    build = index_sub.add_parser("build", help="embed the policy's clauses into the index")
    build.add_argument("--corpus", type=Path, default=None, help="policy directory")
    build.add_argument("--out", type=Path, default=None, help="index directory")
    build.add_argument("--if-stale", action="store_true", help="only when missing or stale")
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    build.set_defaults(func=cmd_index_build)
    show = index_sub.add_parser("show", help="list each document's clauses as parsed")
    show.add_argument("doc", nargs="?", default=None, help="a document id, file name or path")
    show.add_argument("--corpus", type=Path, default=None, help="policy directory")
    show.set_defaults(func=cmd_index_show)

    ask = subparsers.add_parser("ask", help="answer a question from the policy")
    ask.add_argument("question", help='the question, or "-" to read one per line from stdin')
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--index", type=Path, default=None, help="index directory")
    ask.set_defaults(func=cmd_ask)

    ev = subparsers.add_parser("eval", help="hit@1/hit@3/MRR and refusals on a question file")
    ev.add_argument(
        "file", type=Path, help="JSON lines of {q, gold}, or follow-up pairs {first, q, gold}"
    )
    ev.add_argument("--index", type=Path, default=None, help="index directory")
    ev.add_argument("--misses", action="store_true", help="list questions missed at rank 1")
    ev.set_defaults(func=cmd_eval)

    bench = subparsers.add_parser("bench", help="answer latency and throughput beside the model's")
    bench.add_argument("--index", type=Path, default=None, help="index directory")
    bench.add_argument("--questions", type=Path, default=_ROOT / "tests/eval/dev.jsonl")
    bench.add_argument("--no-cold", action="store_true", help="skip the cold-start subprocesses")
    bench.add_argument(
        "--pairs", type=Path, default=_ROOT / "tests/eval/followup_dev.jsonl", help="follow-ups"
    )
    bench.set_defaults(func=cmd_bench)


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """The corpus and index directories: the arguments, else the settings."""
    from assistant.config import load_settings

    settings = load_settings()
    corpus = getattr(args, "corpus", None) or settings.corpus_dir
    index = getattr(args, "out", None) or getattr(args, "index", None) or settings.index_dir
    return corpus, index


def cmd_index_build(args: argparse.Namespace) -> int:
    from assistant.errors import AssistantError
    from assistant.policy.embedder import MiniLMEmbedder
    from assistant.policy.index import ensure_index
    from assistant.policy.live import record_build

    corpus, out = _paths(args)
    started = time.perf_counter()
    try:
        index = ensure_index(
            corpus, out, MiniLMEmbedder, progress=not args.quiet, force=not args.if_stale
        )
    except AssistantError as exc:
        # The index in use is untouched; a running server and `assistant doctor` report this.
        record_build(out, f"{exc}")
        raise
    record_build(out, None, seconds=time.perf_counter() - started)
    m = index.manifest
    print(f"index in {out}: {m.clause_count} clauses, model {m.model}, built {m.built_at}")
    return 0


def cmd_index_show(args: argparse.Namespace) -> int:
    from assistant.policy.show import show

    corpus, _ = _paths(args)
    print(show(corpus, args.doc))
    return 0


def _open(args: argparse.Namespace) -> Any:
    """The answerer; the settings' index is rebuilt first when stale, a named one is used as is."""
    from assistant.policy.service import open_answerer

    corpus, index = _paths(args)
    return open_answerer(index_dir=index, corpus_dir=None if args.index else corpus)


def as_json(answer: PolicyAnswer) -> dict[str, Any]:
    """The JSON shape of ``ask --json``."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "citations": [
            {
                "clause_id": c.clause_id,
                "section": c.section,
                "quote": c.quote,
                "score": c.score,
                "document": c.document,
                "source": c.source,
            }
            for c in answer.citations
        ],
        "text": answer.message().text,
    }


def render_terminal(answer: PolicyAnswer) -> str:
    """The reply as staff would see it in a terminal."""
    from assistant.adapters.console import render

    return render(answer.message())


def cmd_ask(args: argparse.Namespace) -> int:
    answerer = _open(args)
    if args.question == "-":
        earlier: dict[str, str] = {}  # conversation id -> its topic question
        for number, line in enumerate(sys.stdin, 1):
            question, conversation = _ask_line(line)
            if question is None:
                if line.strip():
                    print(f"line {number}: {conversation}", file=sys.stderr)
                continue
            answer, used = _answer_in(answerer, question, conversation, earlier)
            if not args.json:
                print(render_terminal(answer), flush=True)
                continue
            row = as_json(answer)
            if conversation:
                # The question as typed, and the earlier one it was read with (or null).
                row.update(question=question, read_with=used)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        return 0
    answer = answerer.answer(args.question)
    print(json.dumps(as_json(answer), ensure_ascii=False) if args.json else render_terminal(answer))
    return 0


def _ask_line(line: str) -> tuple[str | None, str]:
    """(question, conversation id) of a stdin line: plain text, or JSON
    ``{"q": ..., "conversation": "ID"}``; (None, what is wrong) for a bad JSON line."""
    text = line.rstrip("\n")
    if not text.strip():
        return None, ""
    if not text.lstrip().startswith("{"):
        return text, ""
    try:
        row = json.loads(text)
        question, conversation = row["q"], row.get("conversation") or ""
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
        return None, 'expected a question or {"q": "...", "conversation": "ID"}'
    if not isinstance(question, str) or not isinstance(conversation, str | int):
        return None, '"q" must be text and "conversation" an id'
    return question, str(conversation)


def _answer_in(
    answerer: Any, question: str, conversation: str, earlier: dict[str, str]
) -> tuple[PolicyAnswer, str | None]:
    """Answer as the assistant does in a conversation (lines with one id, in order); returns
    the answer and the earlier question it was read with, if any."""
    from assistant.policy import followup

    reading = followup.read(question, earlier.get(conversation) if conversation else None)
    if reading.fresh:
        earlier.pop(conversation, None)
    if not reading.asked:
        return answerer.answer(question), None
    answer, used = followup.settle(reading, answerer.answer_many(followup.queries(reading)))
    if conversation and not answer.problem:
        earlier[conversation] = reading.earlier if used else reading.asked
    return answer, reading.earlier if used else None


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.policy.evaluate import ablation, format_table, load_questions
    from assistant.policy.pairs import looks_like_pairs

    answerer = _open(args)
    if looks_like_pairs(args.file):
        return _eval_pairs(args, answerer)
    questions = load_questions(args.file)
    results = ablation(answerer.index, answerer.retriever.embedder, questions)
    print(format_table(results, title=f"{args.file}"))
    if args.misses:
        for q, gold, top in results[-1].misses:
            print(f"- {q!r}: gold {', '.join(gold)}; got {', '.join(top)}")
    return 0


def _eval_pairs(args: argparse.Namespace, answerer: Any) -> int:
    """Follow-up pairs: as replied in conversation and asked alone. Pairs about another
    document than the index holds are left out (and counted)."""
    from assistant.policy.pairs import evaluate_pairs, format_pairs, load_pairs

    sources = {Path(d.source).name for d in answerer.index.documents.values()}
    pairs = load_pairs(args.file)
    mine = [p for p in pairs if not p.corpus or p.corpus in sources]
    if not mine:
        print(f"{args.file}: no pairs about {', '.join(sorted(sources))}", file=sys.stderr)
        return 1
    results = evaluate_pairs(answerer.answer_many, mine)
    title = f"{args.file}" + (
        f" ({len(pairs) - len(mine)} pairs on other documents left out)"
        if len(mine) < len(pairs)
        else ""
    )
    print(format_pairs(results, title=title))
    if args.misses:
        for first, q, gold, cited in results[-1].misses:
            print(
                f"- {first!r} -> {q!r}: gold {', '.join(gold) or '-'}; "
                f"quoted {', '.join(cited) or 'nothing (refused)'}"
            )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from assistant.policy.bench import format_bench, run_bench
    from assistant.policy.evaluate import load_questions
    from assistant.policy.pairs import load_pairs

    answerer = _open(args)
    questions = [q.q for q in load_questions(args.questions)][:60]
    _, index_dir = _paths(args)
    pairs = [(p.first, p.q) for p in load_pairs(args.pairs)] if args.pairs.exists() else []
    result = run_bench(answerer, questions, index_dir=index_dir, cold=not args.no_cold, pairs=pairs)
    print(format_bench(result))
    return 0
