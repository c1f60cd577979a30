"""``assistant index show``: each document's clauses as parsed, one line each."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import CorpusError
from assistant.policy.corpus import load_corpus
from assistant.policy.loaders import POLICY_SUFFIXES, read_document
from assistant.policy.model import Clause, Document
from assistant.policy.parser import parse_policy

_SECTION_WIDTH = 32
_WORDS_WIDTH = 60


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def format_clauses(document: Document, clauses: list[Clause]) -> str:
    """One document's clauses: id, section and first words, under a line naming the file."""
    head = f"{document.source}: {document.title} ({len(clauses)} clauses)"
    width = max((len(c.id) for c in clauses), default=0)
    lines = [head]
    for clause in clauses:
        section = _cut(clause.section, _SECTION_WIDTH)
        words = _cut(f"{clause.lead_in} … {clause.text}" if clause.lead_in else clause.text,
                     _WORDS_WIDTH)  # fmt: skip
        lines.append(f"  {clause.id:<{width}}  {section:<{_SECTION_WIDTH}}  {words}")
    return "\n".join(lines)


def show(corpus_dir: Path, doc: str | None = None) -> str:
    """The clauses of every document in ``corpus_dir``, or of one (its id, file name or path)."""
    if doc is not None and Path(doc).suffix.lower() in POLICY_SUFFIXES and Path(doc).is_file():
        document, text = read_document(Path(doc))
        return format_clauses(document, parse_policy(text, doc_id=document.doc_id))
    corpus = load_corpus(corpus_dir)
    wanted = list(corpus.documents)
    if doc is not None:
        wanted = [d for d, m in corpus.documents.items() if doc in (d, m.source)]
        if not wanted:
            known = ", ".join(sorted(corpus.documents))
            raise CorpusError(f"No policy {doc!r} in {corpus_dir} (it has: {known}).")
    return "\n\n".join(
        format_clauses(corpus.documents[d], [c for c in corpus.clauses if c.document == d])
        for d in wanted
    )
