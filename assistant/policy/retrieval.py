"""Hybrid clause retrieval: dense MiniLM vectors fused with BM25 keywords, plus direct lookup.

Each signal earned its place on ``tests/eval/dev.jsonl`` (see ``assistant eval``):
structure-aware embedded texts, BM25 over stemmed words, query expansion with the school's
vocabulary, a weighted sum of normalised scores, a lift for sub-clauses under a matching
lead-in, and clause ids named in the question answered first with score 1.0.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import bm25s
import numpy as np

from assistant.policy.embedder import Embedder
from assistant.policy.index import Index
from assistant.policy.model import Clause
from assistant.policy.vocabulary import expansions, generalise_platforms, overlap, stems, words


@dataclass(frozen=True)
class RetrievalConfig:
    """Which signals to use and how to weigh them (defaults measured on dev.jsonl)."""

    dense: bool = True
    keyword: bool = True
    expand: bool = True  # add the policy words a question implies
    dense_expand: bool = False  # ...to the dense query too
    fusion: str = "sum"  # "sum" (weighted normalised scores) or "rrf"
    dense_weight: float = 0.75
    rrf_k: float = 60.0
    child_lift: float = 0.25  # share of a lead-in parent's score its sub-clauses inherit
    direct_lookup: bool = True
    typos: bool = True
    platforms: bool = False  # "fb", "insta", "twitter" said as the policy says: "social media"
    expansion_weight: float = 1.0  # weight of implied words against the question's own
    keyword_text: str = "structured"  # BM25 over section + lead-in + clause, or "plain" clause


@dataclass(frozen=True)
class Hit:
    """One retrieved clause with the scores behind its rank."""

    clause: Clause
    score: float  # fused, 1.0 for a clause the question names
    dense: float  # cosine similarity
    keyword: float  # BM25, raw
    direct: bool = False


@dataclass(frozen=True)
class Retrieval:
    """Ranked clauses for one question and the evidence for refusing."""

    question: str
    hits: tuple[Hit, ...]
    query_stems: tuple[str, ...]
    overlap: int  # distinct question stems found in the policy's vocabulary

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None


_ID = re.compile(
    r"(?<![\w.])(?:(?P<kw>clause|section|para(?:graph)?|part|§)\s*)?"
    r"(?P<num>[A-Za-z]\.\d{1,2}(?:\.\d{1,2})?|\d{1,2}(?:\.\d{1,2})?)"
    r"(?P<subs>(?:\s?\(?[a-z]{1,4}\))*|[a-z](?![a-z]))?"
    r"(?![\w.]*\d)",
    re.IGNORECASE,
)


def named_clause_ids(question: str, known: Sequence[str] | frozenset[str]) -> list[str]:
    """Clause ids the question names ("6.3", "A.5.7", "10.2(f)", "clause 9"), known ones only."""
    found: list[str] = []
    known_set = frozenset(known)
    for m in _ID.finditer(question):
        num = m.group("num")
        if num[0].isalpha():
            num = num[0].upper() + num[1:]
        elif "." not in num and not m.group("kw"):
            continue  # a bare number ("13 years") is not a clause reference
        subs = m.group("subs") or ""
        letters = re.findall(r"[a-z]{1,4}", subs.lower())
        candidates = [
            num + "".join(f"({x})" for x in letters[:i]) for i in range(len(letters), -1, -1)
        ]
        for cid in candidates:
            if cid in known_set:
                if cid not in found:
                    found.append(cid)
                break
    return found


def unknown_clause_refs(question: str, known: frozenset[str]) -> list[str]:
    """Dotted clause numbers the question names that the policy does not have ("14.2")."""
    out = []
    for m in _ID.finditer(question):
        num = m.group("num")
        if "." in num and num[0].isdigit() and not named_clause_ids(m.group(0), known):
            out.append(num)
        elif num[0].isalpha() and not named_clause_ids(m.group(0), known):
            out.append(num[0].upper() + num[1:])
    return out


class Retriever:
    """Ranks an index's clauses for questions; thread-safe once built."""

    def __init__(self, *, index: Index, embedder: Embedder, config: RetrievalConfig | None = None):
        self.index = index
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        by_id = {c.id: c for c in index.clauses}
        structured = self.config.keyword_text == "structured"
        self._keyword_texts = [_keyword_text(c, structured) for c in index.clauses]
        corpus_stems = [stems(t) or ["∅"] for t in self._keyword_texts]
        self.vocabulary = frozenset(s for doc in corpus_stems for s in doc)
        self._words = sorted({w for t in self._keyword_texts for w in words(t) if len(w) > 3})
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus_stems, show_progress=False)
        self.known_ids = frozenset(by_id)
        self._children: dict[str, list[int]] = {}
        for pos, clause in enumerate(index.clauses):
            if clause.parent:
                self._children.setdefault(clause.parent, []).append(pos)

    # ---- queries -------------------------------------------------------------------

    def query_parts(self, question: str) -> tuple[str, str]:
        """The question in the policy's words (typos fixed), and the policy words it implies."""
        cfg = self.config
        own = generalise_platforms(question) if cfg.platforms else question
        if cfg.typos:
            own = " ".join([own, *self._typo_fixes(question)])
        implied = " ".join(expansions(f"{question} {own}")) if cfg.expand else ""
        return own, implied

    def _typo_fixes(self, question: str) -> list[str]:
        fixes = []
        for word in words(question):
            if len(word) < 5 or stems(word) == [] or stems(word)[0] in self.vocabulary:
                continue
            close = difflib.get_close_matches(word, self._words, n=1, cutoff=0.84)
            if close:
                fixes.append(close[0])
        return fixes

    def search(self, question: str) -> Retrieval:
        return self.search_many([question])[0]

    def search_many(self, questions: Sequence[str]) -> list[Retrieval]:
        """Rank every clause for each question, with one batched encode for all of them."""
        cfg = self.config
        parts = [self.query_parts(q) for q in questions]
        n = len(self.index.clauses)
        dense = np.zeros((len(questions), n), dtype=np.float32)
        if cfg.dense and questions:
            dense_queries = [
                f"{own} {implied}" if cfg.dense_expand else own for own, implied in parts
            ]
            dense = self.dense_scores(self.embedder.encode(dense_queries))
        out = []
        for i, question in enumerate(questions):
            own_stems = stems(parts[i][0])
            implied_stems = [s for s in stems(parts[i][1]) if s not in own_stems]
            keyword: np.ndarray = np.zeros(n, dtype=np.float32)
            if cfg.keyword:
                keyword = self._keyword_scores(own_stems)
                if implied_stems:
                    keyword = keyword + cfg.expansion_weight * self._keyword_scores(implied_stems)
            fused = self._lift_children(self._fuse(dense[i], keyword))
            query_stems = own_stems + implied_stems
            out.append(self._rank(question, fused, dense[i], keyword, query_stems, own_stems))
        return out

    def dense_scores(self, query_vectors: np.ndarray) -> np.ndarray:
        """Cosine of each query with each clause (the best of a clause's vectors)."""
        vectors = self.index.vectors
        scores, ids = vectors.search(
            np.ascontiguousarray(query_vectors, dtype=np.float32), vectors.ntotal
        )
        out = np.full((len(query_vectors), len(self.index.clauses)), -1.0, dtype=np.float32)
        rows = self.index.rows
        for q in range(len(query_vectors)):
            clause_pos = rows[ids[q]]
            np.maximum.at(out[q], clause_pos, scores[q])
        return out

    def _keyword_scores(self, query_stems: list[str]) -> np.ndarray:
        known = [s for s in query_stems if s in self.vocabulary]
        if not known:
            return np.zeros(len(self.index.clauses), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def _fuse(self, dense: np.ndarray, keyword: np.ndarray) -> np.ndarray:
        cfg = self.config
        if not cfg.keyword:
            return dense.astype(np.float32)
        if not cfg.dense:
            top = float(keyword.max())
            return keyword / top if top > 0 else keyword
        if cfg.fusion == "rrf":
            return _rrf(dense, cfg.rrf_k) + _rrf(keyword, cfg.rrf_k) * (keyword > 0)
        top = float(keyword.max())
        kw = keyword / top if top > 0 else keyword
        return cfg.dense_weight * dense + (1.0 - cfg.dense_weight) * kw

    def _lift_children(self, fused: np.ndarray) -> np.ndarray:
        lift = self.config.child_lift
        if not lift:
            return fused
        out = fused.copy()
        # Parents come before their children in document order, so lifts compound downwards.
        for pos, clause in enumerate(self.index.clauses):
            if clause.parent:
                parent = self.index.position(clause.parent)
                if parent is not None:
                    out[pos] += lift * max(0.0, float(out[parent]) - float(fused[pos]))
        return out

    def _rank(
        self,
        question: str,
        fused: np.ndarray,
        dense: np.ndarray,
        keyword: np.ndarray,
        query_stems: list[str],
        own_stems: list[str],
    ) -> Retrieval:
        order = np.argsort(-fused, kind="stable")
        hits = [
            Hit(self.index.clauses[p], float(fused[p]), float(dense[p]), float(keyword[p]))
            for p in order
        ]
        if self.config.direct_lookup:
            named = named_clause_ids(question, self.known_ids)
            if named:
                first = [h for cid in named for h in hits if h.clause.id == cid]
                rest = [h for h in hits if h.clause.id not in named]
                hits = [replace(h, score=1.0, direct=True) for h in first] + rest
        return Retrieval(
            question=question,
            hits=tuple(hits),
            query_stems=tuple(query_stems),
            overlap=overlap(own_stems, self.vocabulary),
        )


def _rrf(scores: np.ndarray, k: float) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (k + ranks)


def _keyword_text(clause: Clause, structured: bool) -> str:
    """What BM25 indexes for a clause: section title, lead-in and the clause's words."""
    if not structured:
        return clause.text
    return " ".join(p for p in (clause.section, clause.lead_in, clause.text) if p)
