"""The clause index on disk: the clause table, its vectors in FAISS, and a manifest.

Layout of an index directory::

    clauses.json   documents, clauses and the text embedded for each vector row
    vectors.faiss  an inner-product FAISS index of normalised vectors
    manifest.json  model, corpus fingerprint, counts, build time, format version

The manifest is written last, so a directory without one was never finished.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from assistant.errors import AssistantError, IndexError_
from assistant.policy.embedder import Embedder
from assistant.policy.model import Clause, Document

log = logging.getLogger(__name__)

# Bump when the files' shape or the embedded text recipe changes: old indexes rebuild.
FORMAT_VERSION = 3
CLAUSES_FILE = "clauses.json"
VECTORS_FILE = "vectors.faiss"
MANIFEST_FILE = "manifest.json"
# Below MiniLM's 256 word pieces with room to spare (English runs ~4 characters a piece).
MAX_EMBED_CHARS = 800


class CorpusLike(Protocol):
    """What the index needs from a parsed corpus."""

    @property
    def documents(self) -> Mapping[str, Document]: ...

    @property
    def clauses(self) -> Sequence[Clause]: ...

    @property
    def fingerprint(self) -> str: ...


@dataclass(frozen=True)
class Manifest:
    """What an index was built from, to tell when it is stale."""

    model: str
    dim: int
    fingerprint: str
    clause_count: int
    vector_count: int
    built_at: str
    format_version: int = FORMAT_VERSION


@dataclass
class Index:
    """A loaded clause index: clauses in document order, one or more vectors per clause."""

    documents: dict[str, Document]
    clauses: list[Clause]
    texts: list[str]  # the text embedded for each vector row
    rows: np.ndarray  # vector row -> position in ``clauses``
    vectors: Any  # faiss.Index
    manifest: Manifest
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {c.id: i for i, c in enumerate(self.clauses)}

    def position(self, clause_id: str) -> int | None:
        """Position of the clause with this id, or None."""
        return self._by_id.get(clause_id)

    def clause(self, clause_id: str) -> Clause | None:
        pos = self._by_id.get(clause_id)
        return None if pos is None else self.clauses[pos]

    def document(self, clause: Clause) -> Document:
        doc = self.documents.get(clause.document)
        return doc or Document(doc_id=clause.document, title=clause.document, source="")


def _ancestry(clause: Clause, by_id: Mapping[str, Clause]) -> list[str]:
    """Texts of the clause's ancestors, outermost first (lead-ins a reader would see)."""
    chain: list[str] = []
    parent = by_id.get(clause.parent) if clause.parent else None
    seen = {clause.id}
    while parent is not None and parent.id not in seen:
        seen.add(parent.id)
        chain.append(parent.text)
        parent = by_id.get(parent.parent) if parent.parent else None
    chain.reverse()
    if clause.lead_in and (not chain or chain[-1] != clause.lead_in):
        chain.append(clause.lead_in)
    return chain


def embed_text(clause: Clause, by_id: Mapping[str, Clause]) -> str:
    """Structure-aware text to embed: section title, ancestors' lead-ins, the clause."""
    parts = [clause.section.rstrip(".:") + "."] if clause.section else []
    context = [t for t in _ancestry(clause, by_id) if t and t != clause.text]
    parts.extend(context)
    parts.append(clause.text)
    text = " ".join(parts)
    if len(text) > MAX_EMBED_CHARS:
        # Keep the clause's own words; trim the context first, then the clause's tail.
        head = " ".join(parts[:-1])[: max(0, MAX_EMBED_CHARS - len(clause.text) - 1)]
        text = (head + " " + clause.text).strip()[:MAX_EMBED_CHARS]
    return text


def build_index(
    corpus: CorpusLike, embedder: Embedder, out_dir: Path, *, progress: bool = True
) -> Index:
    """Embed every clause of ``corpus`` and write the index files to ``out_dir``."""
    clauses = sorted(corpus.clauses, key=lambda c: c.order)
    if not clauses:
        raise IndexError_(f"no clauses to index (corpus fingerprint {corpus.fingerprint})")
    by_id = {c.id: c for c in clauses}
    texts = [embed_text(c, by_id) for c in clauses]
    rows = np.arange(len(clauses), dtype=np.int64)
    vectors = _encode_with_progress(embedder, texts, progress=progress)
    flat = faiss.IndexFlatIP(int(vectors.shape[1]))
    flat.add(vectors)
    manifest = Manifest(
        model=embedder.name,
        dim=int(vectors.shape[1]),
        fingerprint=corpus.fingerprint,
        clause_count=len(clauses),
        vector_count=len(texts),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    table = {
        "format_version": FORMAT_VERSION,
        "documents": [asdict(d) for d in corpus.documents.values()],
        "clauses": [asdict(c) for c in clauses],
        "texts": texts,
        "rows": rows.tolist(),
    }
    _write_atomic(out_dir / CLAUSES_FILE, json.dumps(table, ensure_ascii=False, indent=1))
    tmp = out_dir / (VECTORS_FILE + ".tmp")
    faiss.write_index(flat, str(tmp))
    os.replace(tmp, out_dir / VECTORS_FILE)
    _write_atomic(out_dir / MANIFEST_FILE, json.dumps(asdict(manifest), indent=1))
    return Index(
        documents=dict(corpus.documents),
        clauses=clauses,
        texts=texts,
        rows=rows,
        vectors=flat,
        manifest=manifest,
    )


def _encode_with_progress(embedder: Embedder, texts: list[str], *, progress: bool) -> np.ndarray:
    from tqdm import tqdm

    step = 16
    chunks: list[np.ndarray] = []
    with tqdm(
        total=len(texts), desc="Embedding clauses", unit="clause", disable=not progress
    ) as bar:
        for start in range(0, len(texts), step):
            chunks.append(embedder.encode(texts[start : start + step]))
            bar.update(len(texts[start : start + step]))
    return np.ascontiguousarray(np.vstack(chunks), dtype=np.float32)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(index_dir: Path) -> Manifest:
    """The manifest of the index in ``index_dir``; IndexError_ when missing or unreadable."""
    path = index_dir / MANIFEST_FILE
    if not path.exists():
        raise IndexError_(
            f"no clause index in {index_dir} (missing {MANIFEST_FILE}); "
            "build it with `assistant index build`"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(**data)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise IndexError_(
            f"the clause index in {index_dir} is corrupt ({MANIFEST_FILE}: {exc}); "
            "rebuild it with `assistant index build`"
        ) from exc


def load_index(index_dir: Path) -> Index:
    """Load an index built by :func:`build_index`; IndexError_ names what is wrong."""
    manifest = read_manifest(index_dir)
    if manifest.format_version != FORMAT_VERSION:
        raise IndexError_(
            f"the clause index in {index_dir} has format {manifest.format_version}, "
            f"this version reads {FORMAT_VERSION}; rebuild it with `assistant index build`"
        )
    try:
        table = json.loads((index_dir / CLAUSES_FILE).read_text(encoding="utf-8"))
        documents = {d["doc_id"]: Document(**d) for d in table["documents"]}
        clauses = [Clause(**c) for c in table["clauses"]]
        texts = [str(t) for t in table["texts"]]
        rows = np.asarray(table["rows"], dtype=np.int64)
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise IndexError_(
            f"the clause index in {index_dir} is corrupt ({CLAUSES_FILE}: {exc}); "
            "rebuild it with `assistant index build`"
        ) from exc
    vectors_path = index_dir / VECTORS_FILE
    if not vectors_path.exists():
        raise IndexError_(f"the clause index in {index_dir} is missing {VECTORS_FILE}; rebuild it")
    try:
        vectors = faiss.read_index(str(vectors_path))
    except RuntimeError as exc:
        raise IndexError_(
            f"the clause index in {index_dir} is corrupt ({VECTORS_FILE} unreadable); rebuild it"
        ) from exc
    problems = []
    if len(clauses) != manifest.clause_count:
        problems.append(f"{len(clauses)} clauses but the manifest says {manifest.clause_count}")
    if vectors.ntotal != len(texts) or len(rows) != len(texts):
        problems.append(f"{vectors.ntotal} vectors for {len(texts)} texts")
    if vectors.d != manifest.dim:
        problems.append(f"vectors of dimension {vectors.d}, the manifest says {manifest.dim}")
    if len(rows) and (rows.min() < 0 or rows.max() >= len(clauses)):
        problems.append("vector rows point outside the clause table")
    if problems:
        raise IndexError_(f"the clause index in {index_dir} is inconsistent: {'; '.join(problems)}")
    return Index(
        documents=documents,
        clauses=clauses,
        texts=texts,
        rows=rows,
        vectors=vectors,
        manifest=manifest,
    )


def staleness(manifest: Manifest, *, fingerprint: str, model: str) -> str | None:
    """Why an index with ``manifest`` is out of date, or None when it is current."""
    if manifest.format_version != FORMAT_VERSION:
        return f"format changed ({manifest.format_version} -> {FORMAT_VERSION})"
    if manifest.model != model:
        return f"model changed ({manifest.model} -> {model})"
    if manifest.fingerprint != fingerprint:
        return f"corpus changed ({manifest.fingerprint[:12]} -> {fingerprint[:12]})"
    return None


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder_factory: Callable[[], Embedder],
    *,
    progress: bool = False,
) -> Index:
    """Load the index in ``index_dir``, rebuilding it first when missing, corrupt or stale."""
    from assistant.policy.corpus import load_corpus

    corpus = load_corpus(corpus_dir)
    embedder = embedder_factory()
    try:
        manifest = read_manifest(index_dir)
        reason = staleness(manifest, fingerprint=corpus.fingerprint, model=embedder.name)
    except IndexError_ as exc:
        reason = str(exc).split(";")[0]
    if reason is None:
        try:
            return load_index(index_dir)
        except AssistantError as exc:
            reason = str(exc).split(";")[0]
    log.info("rebuilding the clause index in %s: %s", index_dir, reason)
    return build_index(corpus, embedder, index_dir, progress=progress)
