"""Several documents in one index: each question goes to the document that answers it.

Every document gets an answerer of its own over its own clauses, with what was learned from
its labelled questions (query adapter, vote, refusal model) kept to it: Wootton's adapter,
fitted on social-media questions, no longer bends questions about another policy. A question
that names documents ("the e-safety policy", "e-safety 2(e)") is answered by theirs: among
those that answer it, the one whose best clause stands highest above that document's own
reference, the bank of generic staff questions searched in it (standard deviations above
their mean). Other questions are answered over every clause at once: routing them the same
way was measured and not kept (tests/eval/README.md, "Several documents in one index").
A refusal names the contact of the two documents nearest the question when they differ; a
reply quoting two documents says which clauses are from which.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import faiss
import numpy as np

from assistant.messages import Citation
from assistant.policy.adapter import Neighbours
from assistant.policy.embedder import Embedder
from assistant.policy.index import Index
from assistant.policy.scope import bank, labelled_documents
from assistant.texts import policy as texts

if TYPE_CHECKING:
    from assistant.policy.answer import PolicyAnswer, PolicyAnswerer

# Title words that name no particular policy.
_GENERIC_TEXT = """policy policies procedure procedures and the of for on in to a an staff school schools
    academy trust college infant junior primary secondary community including with
    january february march april may june july august september october november december"""
_GENERIC = frozenset(_GENERIC_TEXT.split())
_WORD = re.compile(r"[a-z]+")
_NAMED_AFTER = (
    r"(?:\s+(?:policy|policies|procedures?|pol)\b|\s+(?:part|appendix|section|clause|para)\b|\s+\d)"
)


def _norm(text: str) -> str:
    """Lower case, "e-safety" and "e safety" as "esafety"."""
    text = text.lower().replace("\u2010", "-")
    return re.sub(r"\be[\s\-]+(?=safety|mail)", "e", text)


def title_phrases(index: Index) -> dict[str, list[str]]:
    """Each document's naming phrases: runs of title words no other title uses."""
    words = {d: _WORD.findall(_norm(doc.title)) for d, doc in index.documents.items()}
    out: dict[str, list[str]] = {}
    for doc, own in words.items():
        others = {w for d, ws in words.items() if d != doc for w in ws}
        runs: list[list[str]] = [[]]
        for word in own:
            if word in others or word in _GENERIC or len(word) < 3:
                runs.append([])
            else:
                runs[-1].append(word)
        out[doc] = [" ".join(run) for run in runs if run]
    return out


def named_documents(question: str, phrases: dict[str, list[str]]) -> list[str]:
    """The documents the question names: a title phrase then "policy" or a clause number."""
    text = _norm(question)
    return [
        doc
        for doc, runs in phrases.items()
        if any(re.search(rf"\b{re.escape(run)}{_NAMED_AFTER}", text) for run in runs)
    ]


def sub_index(index: Index, doc: str, labelled: bool) -> Index:
    """The index's clauses of one document, with its vectors; what was learned from labelled
    questions stays only with a document that has them."""
    keep = [i for i, c in enumerate(index.clauses) if c.document == doc]
    new_pos = np.full(len(index.clauses), -1, dtype=np.int64)
    new_pos[keep] = np.arange(len(keep))
    rows = np.flatnonzero(np.isin(index.rows, keep))
    every = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    flat = faiss.IndexFlatIP(int(every.shape[1]))
    flat.add(np.ascontiguousarray(every[rows]))
    neighbours = index.neighbours
    if neighbours is not None and labelled and neighbours.gold is not None:
        gold = neighbours.gold[:, keep]
        mine = neighbours.out | gold.any(axis=1)
        neighbours = Neighbours(
            vectors=neighbours.vectors[mine],
            out=neighbours.out[mine],
            gold=gold[mine],
            word_odds=neighbours.word_odds,
            vector_odds=neighbours.vector_odds,
        )
    else:
        neighbours = None
    kinds = index.kinds[rows] if index.kinds is not None else None
    return replace(
        index,
        documents={doc: index.documents[doc]},
        clauses=[index.clauses[i] for i in keep],
        texts=[index.texts[i] for i in rows],
        rows=new_pos[index.rows[rows]],
        vectors=flat,
        kinds=kinds,
        adapter=index.adapter if labelled else None,
        neighbours=neighbours,
    )


class _Memo:
    """Another embedder remembering its last few hundred texts: every document's answerer
    encodes the same questions."""

    def __init__(self, inner: Embedder, size: int = 512) -> None:
        self.inner, self.name, self.dim, self.size = inner, inner.name, inner.dim, size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            new = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        fresh = dict(zip(new, self.inner.encode(new), strict=True)) if new else {}
        with self._lock:
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for row, text in enumerate(texts):
                out[row] = fresh[text] if text in fresh else self._vectors[text]
            self._vectors.update(fresh)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return out


class Router:
    """Answers over several documents: one answerer a document, the question routed."""

    def __init__(self, index: Index, embedder: Embedder, make: Any, settings: dict[str, Any]):
        self.index = index
        labelled = labelled_documents(index)
        memo = _Memo(embedder)
        self.parts: dict[str, PolicyAnswerer] = {
            doc: make(index=sub_index(index, doc, doc in labelled), embedder=memo, **settings)
            for doc in index.documents
        }
        self.phrases = title_phrases(index)
        some = next(iter(self.parts.values())).retriever
        vectors = memo.encode(some.dense_queries(bank()))
        self.reference: dict[str, tuple[float, float]] = {}
        for doc, part in self.parts.items():
            best = part.retriever.dense_scores(vectors)[0].max(axis=1)
            self.reference[doc] = (float(best.mean()), max(float(best.std()), 1e-3))

    @classmethod
    def of(cls, index: Index, embedder: Embedder, make: Any, **settings: Any) -> Router | None:
        """A router for an index of several documents (None for one); ``make(index=,
        embedder=, **settings)`` makes each document's answerer."""
        return cls(index, embedder, make, settings) if len(index.documents) > 1 else None

    def standing(self, doc: str, answer: PolicyAnswer) -> float:
        """How far the document's best clause stands above its generic-question reference."""
        if answer.retrieval is None or answer.retrieval.top is None:
            return -np.inf
        mean, sd = self.reference[doc]
        direct = 100.0 if answer.retrieval.top.direct else 0.0
        return direct + (answer.retrieval.plain_dense - mean) / sd

    def answer_many(
        self, questions: Sequence[str], joint: Callable[[Sequence[str]], list[PolicyAnswer]]
    ) -> list[PolicyAnswer]:
        """Questions naming documents answered there, the others over every clause at once
        (``joint``); refusals name the contacts of the nearest documents."""
        named = [named_documents(str(q or ""), self.phrases) for q in questions]
        rest = iter(joint([q for q, docs in zip(questions, named, strict=True) if not docs]))
        by_doc = {
            doc: dict(zip(asked, part.answer_many(asked), strict=True))
            for doc, part in self.parts.items()
            if (asked := [q for q, docs in zip(questions, named, strict=True) if doc in docs])
        }
        out = []
        for question, docs in zip(questions, named, strict=True):
            if not docs:
                out.append(self._refusal(next(rest)))
                continue
            pool = {d: by_doc[d][question] for d in docs}
            ranked = sorted(pool, key=lambda d: (not pool[d].answered, -self.standing(d, pool[d])))
            out.append(self._refusal(pool[ranked[0]]))
        return out

    def _refusal(self, answer: PolicyAnswer) -> PolicyAnswer:
        """A refusal naming the contact of the next nearest document too, when it differs."""
        if answer.answered or answer.problem or answer.retrieval is None:
            return answer
        nearest = list(dict.fromkeys(h.clause.document for h in answer.retrieval.hits))
        first = self.index.documents.get(nearest[0]) if nearest else None
        for doc in nearest[1:2]:
            other = self.index.documents[doc]
            if first is not None and other.contact != first.contact:
                extra = texts.REFUSAL_ALSO.format(title=other.title, contact=other.contact)
                return replace(answer, text=f"{answer.text} {extra}")
        return answer


def which_is_which(lead: str, citations: Sequence[Citation]) -> str:
    """The lead of a reply; quoting two documents or more, it says which clauses are whose."""
    titles = list(dict.fromkeys(c.document for c in citations))
    if len(titles) < 2:
        return lead
    parts = [
        texts.FROM_DOCUMENT.format(
            clause_ids=", ".join(c.clause_id for c in citations if c.document == title),
            title=title,
        )
        for title in titles
    ]
    return f"{lead.rstrip(':')} ({'; '.join(parts)}):"
