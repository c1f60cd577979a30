"""Policy commands: ``index build``, ``ask``, ``eval`` and ``bench``."""

from __future__ import annotations

import argparse
import json
import sys
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
    ev.add_argument("file", type=Path, help="JSON lines of {q, gold}")
    ev.add_argument("--index", type=Path, default=None, help="index directory")
    ev.add_argument("--misses", action="store_true", help="list questions missed at rank 1")
    ev.set_defaults(func=cmd_eval)

    bench = subparsers.add_parser("bench", help="answer latency and throughput beside the model's")
    bench.add_argument("--index", type=Path, default=None, help="index directory")
    bench.add_argument("--questions", type=Path, default=_ROOT / "tests/eval/dev.jsonl")
    bench.add_argument("--no-cold", action="store_true", help="skip the cold-start subprocesses")
    bench.set_defaults(func=cmd_bench)


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """The corpus and index directories: the arguments, else the settings."""
    from assistant.config import load_settings

    settings = load_settings()
    corpus = getattr(args, "corpus", None) or settings.corpus_dir
    index = getattr(args, "out", None) or getattr(args, "index", None) or settings.index_dir
    return corpus, index


def cmd_index_build(args: argparse.Namespace) -> int:
    from assistant.policy.embedder import MiniLMEmbedder
    from assistant.policy.index import ensure_index

    corpus, out = _paths(args)
    index = ensure_index(corpus, out, MiniLMEmbedder, progress=True, force=not args.if_stale)
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
        for line in sys.stdin:
            question = line.rstrip("\n")
            if not question.strip():
                continue
            answer = answerer.answer(question)
            out = (
                json.dumps(as_json(answer), ensure_ascii=False)
                if args.json
                else render_terminal(answer)
            )
            print(out, flush=True)
        return 0
    answer = answerer.answer(args.question)
    print(json.dumps(as_json(answer), ensure_ascii=False) if args.json else render_terminal(answer))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.policy.evaluate import ablation, format_table, load_questions

    answerer = _open(args)
    questions = load_questions(args.file)
    results = ablation(answerer.index, answerer.retriever.embedder, questions)
    print(format_table(results, title=f"{args.file}"))
    if args.misses:
        for q, gold, top in results[-1].misses:
            print(f"- {q!r}: gold {', '.join(gold)}; got {', '.join(top)}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from assistant.policy.bench import format_bench, run_bench
    from assistant.policy.evaluate import load_questions

    answerer = _open(args)
    questions = [q.q for q in load_questions(args.questions)][:60]
    _, index_dir = _paths(args)
    result = run_bench(answerer, questions, index_dir=index_dir, cold=not args.no_cold)
    print(format_bench(result))
    return 0
