"""The clause index on disk: the clause table, its vectors in FAISS, and a manifest.

Layout of an index directory::

    clauses.json   documents, clauses and the text embedded for each vector row
    vectors.faiss  an inner-product FAISS index of normalised vectors
    manifest.json  model, corpus fingerprint, counts, build time, format version
    adapter.npy    the query adapter learned from shipped training questions (if any)

The manifest is written last, so a directory without one was never finished.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from assistant.errors import AssistantError, IndexError_
from assistant.policy.adapter import (
    ADAPTER_FILE,
    DEFAULT_CONFIG,
    NEIGHBOURS_FILE,
    AdapterConfig,
    Neighbours,
    TrainingQuestion,
    learn_adapter,
    learn_neighbours,
    load_training,
    read_adapter,
    read_neighbours,
    training_digest,
    write_adapter,
    write_neighbours,
)
from assistant.policy.embedder import Embedder, RememberingEmbedder
from assistant.policy.model import Clause, Document
from assistant.policy.revisions import read_record, revise, write_record

log = logging.getLogger(__name__)

# Bump when the files' shape or the embedded text recipe changes: old indexes rebuild.
FORMAT_VERSION = 9
CLAUSES_FILE = "clauses.json"
VECTORS_FILE = "vectors.faiss"
MANIFEST_FILE = "manifest.json"
# Below MiniLM's 256 word pieces with room to spare (English runs ~4 characters a piece).
MAX_EMBED_CHARS = 800
# Kinds of vector row: the whole clause in context, or one of its sentences.
WHOLE, PART = 0, 1
# Sentences shorter than this add nothing a whole-clause vector lacks.
MIN_PART_CHARS = 40
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\u2018\u201cA-Z])")


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
    training: str = ""  # digest of the labelled questions and adapter settings ("" none)
    training_questions: int = 0
    adapter_seconds: float = 0.0
    adapted: bool = False  # a query adapter is stored (adapter.npy)
    neighbour_questions: int = 0  # labelled question vectors stored, clauses' own words too


@dataclass
class Index:
    """A loaded clause index: clauses in document order, one or more vectors per clause."""

    documents: dict[str, Document]
    clauses: list[Clause]
    texts: list[str]  # the text embedded for each vector row
    rows: np.ndarray  # vector row -> position in ``clauses``
    vectors: Any  # faiss.Index
    manifest: Manifest
    kinds: np.ndarray | None = None  # vector row -> WHOLE or PART (None: all WHOLE)
    adapter: np.ndarray | None = None  # query adapter (dim x dim), None: identity
    neighbours: Neighbours | None = None  # the labelled questions, None: no such signal
    _by_key: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _by_id: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.kinds is None:
            self.kinds = np.full(len(self.texts), WHOLE, dtype=np.int8)
        self._by_key = {(c.document, c.id): i for i, c in enumerate(self.clauses)}
        self._by_id = {}
        for i, c in enumerate(self.clauses):
            self._by_id.setdefault(c.id, []).append(i)

    def position(self, clause_id: str, document: str | None = None) -> int | None:
        """Position of the clause with this id (in ``document``, else the first), or None."""
        if document is not None:
            return self._by_key.get((document, clause_id))
        found = self._by_id.get(clause_id)
        return found[0] if found else None

    def positions(self, clause_id: str) -> list[int]:
        """Positions of every document's clause with this id, in document order."""
        return list(self._by_id.get(clause_id, ()))

    def clause(self, clause_id: str, document: str | None = None) -> Clause | None:
        """The clause with this id (in ``document``, else the first document having it)."""
        pos = self.position(clause_id, document)
        return None if pos is None else self.clauses[pos]

    def document(self, clause: Clause) -> Document:
        doc = self.documents.get(clause.document)
        return doc or Document(doc_id=clause.document, title=clause.document, source="")


Key = tuple[str, str]  # (document, clause id)


def _key(clause: Clause) -> Key:
    return (clause.document, clause.id)


def _parent(clause: Clause, by_key: Mapping[Key, Clause]) -> Clause | None:
    return by_key.get((clause.document, clause.parent)) if clause.parent else None


def _ancestry(clause: Clause, by_key: Mapping[Key, Clause]) -> list[str]:
    """Texts of the clause's ancestors, outermost first (lead-ins a reader would see)."""
    chain: list[str] = []
    parent = _parent(clause, by_key)
    seen = {clause.id}
    while parent is not None and parent.id not in seen:
        seen.add(parent.id)
        chain.append(parent.text)
        parent = _parent(parent, by_key)
    chain.reverse()
    if clause.lead_in and (not chain or chain[-1] != clause.lead_in):
        chain.append(clause.lead_in)
    return chain


def embed_text(clause: Clause, by_key: Mapping[Key, Clause], digest: Sequence[str] = ()) -> str:
    """Structure-aware text to embed: section title, ancestors' lead-ins, the clause.

    A parent whose own words are a bare lead-in ("Protecting our reputation:") also
    carries ``digest``, the texts of its sub-clauses, so it means what it heads.
    """
    parts = [clause.section.rstrip(".:") + "."] if clause.section else []
    context = [t for t in _ancestry(clause, by_key) if t and t != clause.text]
    parts.extend(context)
    own = clause.text
    if digest:
        own = " ".join([own, *digest])
    parts.append(own)
    text = " ".join(parts)
    if len(text) > MAX_EMBED_CHARS:
        # Keep the clause's own words; trim the context first, then the clause's tail.
        head = " ".join(parts[:-1])[: max(0, MAX_EMBED_CHARS - len(own) - 1)]
        text = (head + " " + own).strip()[:MAX_EMBED_CHARS]
    return text


def part_texts(clause: Clause) -> list[str]:
    """The clause's sentences, each with its section title, when it has more than one."""
    sentences = [s for s in _SENTENCE_END.split(clause.text) if len(s) >= MIN_PART_CHARS]
    if len(sentences) < 2:
        return []
    head = clause.section.rstrip(".:") + ". " if clause.section else ""
    return [(head + s)[:MAX_EMBED_CHARS] for s in sentences]


def _digest(clause: Clause, children: Sequence[Clause]) -> list[str]:
    """Sub-clause texts for a parent that is only a short lead-in."""
    if not children or len(clause.text) >= 120:
        return []
    return [c.text for c in children]


def vector_texts(
    clauses: Sequence[Clause], *, parts: bool = False
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every text to embed, the clause position of each, and its kind (WHOLE or PART).

    Sentence vectors (``parts``) measured no better than whole clauses, so are off by default.
    """
    by_key = {_key(c): c for c in clauses}
    children: dict[Key, list[Clause]] = {}
    for c in clauses:
        if c.parent:
            children.setdefault((c.document, c.parent), []).append(c)
    texts: list[str] = []
    rows: list[int] = []
    kinds: list[int] = []
    for pos, clause in enumerate(clauses):
        digest = _digest(clause, children.get(_key(clause), []))
        texts.append(embed_text(clause, by_key, digest))
        rows.append(pos)
        kinds.append(WHOLE)
        for part in part_texts(clause) if parts else []:
            texts.append(part)
            rows.append(pos)
            kinds.append(PART)
    return texts, np.asarray(rows, dtype=np.int64), np.asarray(kinds, dtype=np.int8)


def build_index(
    corpus: CorpusLike,
    embedder: Embedder,
    out_dir: Path,
    *,
    progress: bool = True,
    parts: bool = False,
    training: Sequence[TrainingQuestion] = (),
    adapter_config: AdapterConfig = DEFAULT_CONFIG,
) -> Index:
    """Embed every clause of ``corpus`` and write the index files to ``out_dir``.

    With ``training`` questions, a query adapter is fitted on the in-scope ones and every one
    is stored encoded, with its label and gold clauses (with every clause's own words as one
    more in-scope question), for the refusal signals and retrieval's vote of the nearest
    labelled questions.
    """
    clauses = sorted(corpus.clauses, key=lambda c: c.order)
    if not clauses:
        raise IndexError_(f"no clauses to index (corpus fingerprint {corpus.fingerprint})")
    texts, rows, kinds = vector_texts(clauses, parts=parts)
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
    index = Index(
        documents=dict(corpus.documents),
        clauses=clauses,
        texts=texts,
        rows=rows,
        vectors=flat,
        manifest=manifest,
        kinds=kinds,
    )
    # The digest of the questions as shipped: staleness compares it with the files.
    digest = training_digest(training, adapter_config)
    # Questions whose gold clause a revision removed or reworded neither train nor vote.
    revision = revise(training, clauses, read_record(out_dir))
    training = revision.kept
    # The adapter and the neighbours both encode the in-scope questions: once is enough.
    remembering = RememberingEmbedder(embedder)
    started = time.perf_counter()
    index.adapter = learn_adapter(index, remembering, training, adapter_config)
    adapter_seconds = round(time.perf_counter() - started, 2)
    index.neighbours = learn_neighbours(index, remembering, training)
    if digest:
        manifest = replace(
            manifest,
            training=digest,
            training_questions=len(training),
            adapter_seconds=adapter_seconds,
            adapted=index.adapter is not None,
            neighbour_questions=0 if index.neighbours is None else len(index.neighbours.out),
        )
        index.manifest = manifest
    out_dir.mkdir(parents=True, exist_ok=True)
    table = {
        "format_version": FORMAT_VERSION,
        "documents": [asdict(d) for d in corpus.documents.values()],
        "clauses": [asdict(c) for c in clauses],
        "texts": texts,
        "rows": rows.tolist(),
        "kinds": kinds.tolist(),
    }
    _write_atomic(out_dir / CLAUSES_FILE, json.dumps(table, ensure_ascii=False, indent=1))
    tmp = out_dir / (VECTORS_FILE + ".tmp")
    faiss.write_index(flat, str(tmp))
    os.replace(tmp, out_dir / VECTORS_FILE)
    write_adapter(out_dir / ADAPTER_FILE, index.adapter)
    write_record(out_dir, revision.record)
    write_neighbours(out_dir / NEIGHBOURS_FILE, index.neighbours)
    _write_atomic(out_dir / MANIFEST_FILE, json.dumps(asdict(manifest), indent=1))
    return index


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
        kinds = np.asarray(table["kinds"], dtype=np.int8)
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
    if len(kinds) != len(rows):
        problems.append(f"{len(kinds)} row kinds for {len(rows)} rows")
    if len(rows) and (rows.min() < 0 or rows.max() >= len(clauses)):
        problems.append("vector rows point outside the clause table")
    adapter = neighbours = None
    if manifest.adapted:
        adapter = read_adapter(index_dir / ADAPTER_FILE, manifest.dim, problems)
    if manifest.neighbour_questions:
        neighbours = read_neighbours(
            index_dir / NEIGHBOURS_FILE, manifest.dim, problems, len(clauses)
        )
        if neighbours is not None and len(neighbours.out) != manifest.neighbour_questions:
            problems.append(
                f"{len(neighbours.out)} labelled question vectors, "
                f"the manifest says {manifest.neighbour_questions}"
            )
    if problems:
        raise IndexError_(f"the clause index in {index_dir} is inconsistent: {'; '.join(problems)}")
    return Index(
        documents=documents,
        clauses=clauses,
        texts=texts,
        rows=rows,
        vectors=vectors,
        manifest=manifest,
        kinds=kinds,
        adapter=adapter,
        neighbours=neighbours,
    )


def staleness(
    manifest: Manifest, *, fingerprint: str, model: str, training: str = ""
) -> str | None:
    """Why an index with ``manifest`` is out of date, or None when it is current."""
    if manifest.format_version != FORMAT_VERSION:
        return f"format changed ({manifest.format_version} -> {FORMAT_VERSION})"
    if manifest.model != model:
        return f"model changed ({manifest.model} -> {model})"
    if manifest.fingerprint != fingerprint:
        return f"corpus changed ({manifest.fingerprint[:12]} -> {fingerprint[:12]})"
    if manifest.training != training:
        return "training questions changed"
    return None


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder_factory: Callable[[], Embedder],
    *,
    progress: bool = False,
    force: bool = False,
) -> Index:
    """Load the index in ``index_dir``, rebuilding it first when missing, corrupt or stale
    (or always, with ``force``)."""
    from assistant.policy.corpus import load_corpus

    corpus = load_corpus(corpus_dir)
    training = load_training(corpus_dir, list(corpus.documents))
    digest = training_digest(training, DEFAULT_CONFIG)
    embedder = embedder_factory()
    if force:
        log.info("building the clause index in %s", index_dir)
        return build_index(corpus, embedder, index_dir, progress=progress, training=training)
    try:
        manifest = read_manifest(index_dir)
        reason = staleness(
            manifest, fingerprint=corpus.fingerprint, model=embedder.name, training=digest
        )
    except IndexError_ as exc:
        reason = str(exc).split(";")[0]
    if reason is None:
        try:
            return load_index(index_dir)
        except AssistantError as exc:
            reason = str(exc).split(";")[0]
    log.info("rebuilding the clause index in %s: %s", index_dir, reason)
    return build_index(corpus, embedder, index_dir, progress=progress, training=training)
