"""Hybrid clause retrieval: dense MiniLM vectors fused with BM25 keywords, plus direct lookup.

Each signal earned its place on ``tests/eval/dev.jsonl`` (see ``assistant eval``):
structure-aware embedded texts, BM25 over stemmed words, query expansion with the school's
vocabulary, a weighted sum of normalised scores, a lift for sub-clauses under a matching
lead-in, a vote of the labelled questions nearest the question (their gold clauses), and
clause ids named in the question answered first with score 1.0.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import bm25s
import numpy as np

from assistant.policy.adapter import adapt
from assistant.policy.embedder import Embedder
from assistant.policy.fusion import FUSION_WEIGHTS, fused
from assistant.policy.index import PART, WHOLE, Index
from assistant.policy.model import Clause
from assistant.policy.vocabulary import (
    expansion_groups,
    expansions,
    generalise_platforms,
    overlap,
    stems,
    strip_filler,
    topic,
    words,
)


@dataclass(frozen=True)
class RetrievalConfig:
    """Which signals to use and how to weigh them (defaults chosen by cross-validation)."""

    dense: bool = True
    keyword: bool = True
    expand: bool = True  # add the policy words a question implies
    dense_expand: bool = True  # ...to the dense query too
    dense_expand_first: bool = True  # ...only each synonym group's first policy word
    fusion: str = "sum"  # "sum" (weighted normalised scores), "learned" (FUSION_WEIGHTS), "rrf"
    dense_weight: float = 0.8
    rrf_k: float = 60.0
    child_lift: float = 0.25  # share of a lead-in parent's score its sub-clauses inherit
    direct_lookup: bool = True
    typos: bool = True
    platforms: bool = False  # "fb", "insta", "twitter" said as the policy says: "social media"
    expansion_weight: float = 0.75  # weight of implied words against the question's own
    grouped: bool = False  # a synonym group counts once (its best word), however many words
    keyword_text: str = "structured"  # BM25 over section + lead-in + clause, or "plain" clause
    parts: bool = False  # sentence vectors beside whole-clause ones (max-pooled), if indexed
    cleanup: bool = True  # chat filler ("quick question", "am I allowed to") left out
    weights: tuple[float, ...] = tuple(float(w) for w in FUSION_WEIGHTS)
    bm25_k1: float = 1.5  # BM25 term-frequency saturation
    bm25_b: float = 0.75  # BM25 length normalisation
    feedback: float = 0.0  # pseudo-relevance feedback: weight of the top clauses' vectors
    feedback_k: int = 3
    # The gold clauses of the labelled questions nearest the question, added to the score.
    vote_weight: float = 0.3
    vote_k: int = 10
    vote_temperature: float = 0.05  # softmax over the neighbours' cosines


@dataclass(frozen=True)
class QueryFeatures:
    """What ranking one question starts from."""

    own_stems: list[str]
    implied_stems: list[str]
    features: np.ndarray  # clause-by-feature matrix, columns as fusion.FEATURES
    keyword: np.ndarray  # raw BM25: own words plus weighted implied ones
    vector: np.ndarray  # the encoded question (adapted)
    plain_dense: float = 0.0  # best cosine of the question, unadapted, with any clause
    neighbour: float = 0.0  # nearest out-of-scope minus nearest in-scope labelled question
    votes: np.ndarray | None = None  # each clause's share of the nearest labelled questions
    out_vote: float = 0.0  # the out-of-scope share of the nearest labelled questions' vote
    out_vector: float = 0.0  # log odds of out of scope, a linear model over the question vector
    nearest: float = 0.0  # cosine of the nearest labelled question (0 without any)
    nearest_out: bool = False  # ... and whether it is out of scope


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
    content: int = 0  # distinct content stems of the question
    topic: int = 0  # the policy's topic words the question uses (platforms, posting, ...)
    implied: int = 0  # policy words the question implies through the school's vocabulary
    plain_dense: float = 0.0  # best cosine of the unadapted question with any clause
    neighbour: float = 0.0  # cosine to the nearest out-of-scope minus in-scope labelled question
    out_vote: float = 0.0  # the out-of-scope share of the nearest labelled questions' vote
    out_word: float = 0.0  # the question's word likeliest in out-of-scope labelled questions
    out_vector: float = 0.0  # log odds of out of scope, a linear model over the question vector
    nearest: float = 0.0  # cosine of the nearest labelled question (0 without any)
    nearest_out: bool = False  # ... and whether it is out of scope

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None


_ID = re.compile(
    r"(?<![\w.])(?:(?P<kw>clause|section|sect?\.?|s\.|ss\.|para(?:graph)?|part|rule|point|§)\s*)?"
    r"(?P<num>[A-Za-z]\.\d{1,2}(?:\.\d{1,2})?|\d{1,2}(?:\.\d{1,2})?)"
    # Sub-clause letters: "(a)(ii)", "f" run on, or " f" apart (but not the article "a word"),
    # either of the last two with an item number apart ("10.2 a iii").
    r"(?P<subs>(?:\s?\(?[a-z]{1,4}\))+"
    r"|(?:[a-z](?![a-z])|\s(?:[b-z]|a(?=\s*(?:$|[?.,;:!])|\s+[ivx]{1,4}\b)))"
    r"(?:\s[ivx]{1,4})?(?=\s|$|[?.,;:!]))?"
    r"(?![\w.]*\d)",
    re.IGNORECASE,
)


_SPELLED_NUMBERS = (
    "one", "two", "three", "four", "five", "six",
    "seven", "eight", "nine", "ten", "eleven", "twelve",
)  # fmt: skip
_NUMBERS = {word: str(n) for n, word in enumerate(_SPELLED_NUMBERS, 1)}
# "section nine", "clause ten two": spelled-out numbers after a word that says it is a clause.
_SPELLED = re.compile(
    rf"\b(clause|section|para(?:graph)?|part|rule)\s+({'|'.join(_NUMBERS)})"
    rf"(?:\s+(?:point\s+)?({'|'.join(_NUMBERS)}))?\b",
    re.IGNORECASE,
)
# "seven point three": a dotted number said in words needs no word before it.
_SPELLED_DOTTED = re.compile(
    rf"\b({'|'.join(_NUMBERS)})\s+point\s+({'|'.join(_NUMBERS)})\b", re.IGNORECASE
)


# "appendix A 3.6", "annex a, 3.6", "appendix A3.6": the appendix's letter said apart.
_APPENDIX = re.compile(
    r"\b(?:appendix|annex|app\.)\s*([a-z])\b[\s,.:-]*(\d{1,2}\.\d{1,2})(?![\w.]*\d)"
    r"|\b(?:appendix|annex)\s*([a-z])(\d{1,2}\.\d{1,2})(?![\w.]*\d)",
    re.IGNORECASE,
)
# "A3.6": the letter run on, read so only for an appendix the policy has ("v1.2" is no clause).
_RUN_ON = re.compile(r"(?<![\w.])([a-z])(\d{1,2}\.\d{1,2})(?![\w.]*\d)", re.IGNORECASE)


def _canonical_refs(question: str, known: frozenset[str]) -> str:
    """The question with clause numbers said in words or apart written as the policy's ids."""
    question = _SPELLED_DOTTED.sub(_dotted, _SPELLED.sub(_digits, question))

    def appendix(m: re.Match[str]) -> str:
        letter, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return f"{letter.upper()}.{number}"

    question = _APPENDIX.sub(appendix, question)
    letters = _appendix_letters(known)

    def run_on(m: re.Match[str]) -> str:
        letter = m.group(1).upper()
        return f"{letter}.{m.group(2)}" if letter in letters else m.group(0)

    return _RUN_ON.sub(run_on, question)


@functools.lru_cache(maxsize=8)
def _appendix_letters(known: frozenset[str]) -> frozenset[str]:
    """The appendix letters among the clause ids (read a few times for every question)."""
    return frozenset(cid[0] for cid in known if cid[0].isalpha())


def _dotted(m: re.Match[str]) -> str:
    return f"{_NUMBERS[m.group(1).lower()]}.{_NUMBERS[m.group(2).lower()]}"


def _digits(m: re.Match[str]) -> str:
    number = _NUMBERS[m.group(2).lower()]
    if m.group(3):
        number += "." + _NUMBERS[m.group(3).lower()]
    return f"{m.group(1)} {number}"


def named_clause_ids(question: str, known: Sequence[str] | frozenset[str]) -> list[str]:
    """Clause ids the question names ("6.3", "A.5.7", "10.2(f)", "rule 10.2 f"), known ones only."""
    found: list[str] = []
    known_set = frozenset(known)
    for m in _ID.finditer(_canonical_refs(question, known_set)):
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
        if not letters and num.count(".") == (1 if num[0].isalpha() else 0):
            candidates.append(num + ".1")  # "section 10" opens with 10.1, "A.3" with A.3.1
        for cid in candidates:
            if cid in known_set:
                if cid not in found:
                    found.append(cid)
                break
    return found


def asks_for_unknown_clause(question: str, known: frozenset[str]) -> bool:
    """True when the question asks for a clause the policy lacks and for none it has: a
    number it calls a clause ("section 14"), or a dotted one ("14.2") in a short question."""
    if named_clause_ids(question, known):
        return False
    short = len(words(question)) <= 6
    # "37.5 hours" is no clause: a dotted number counts near the policy's own section numbers.
    sections = [int(cid.split(".")[0]) for cid in known if cid.split(".")[0].isdigit()]
    reach = max(sections, default=0) + 5
    return any(
        kw or (short and (not ref[0].isdigit() or int(ref.split(".")[0]) <= reach))
        for ref, kw in _unknown_refs(question, known)
    )


def unknown_clause_refs(question: str, known: frozenset[str]) -> list[str]:
    """Clause numbers the question names that the policy does not have ("14.2", "A.9.1")."""
    return [ref for ref, _ in _unknown_refs(question, known)]


def _unknown_refs(question: str, known: frozenset[str]) -> list[tuple[str, bool]]:
    """Each unknown clause number named, and whether a word called it a clause."""
    out = []
    for m in _ID.finditer(_canonical_refs(question, known)):
        num, kw = m.group("num"), bool(m.group("kw"))
        if num[0].isalpha():
            num = num[0].upper() + num[1:]
        elif "." not in num and not kw:
            continue  # a bare number ("13 years") is not a clause reference
        if not named_clause_ids(m.group(0), known):
            out.append((num, kw))
    return out


class _Spelling:
    """The policy's own word nearest one typed nearly so (difflib ratio at least ``cutoff``).

    Words recur from question to question, so answers are cached. Only policy words that
    could reach the cutoff are compared: the ratio is at most twice the characters two words
    share (as a multiset) over both lengths, which one array operation bounds for every word
    at once, so the same word is found as comparing them all, many times faster.
    """

    def __init__(self, vocabulary: frozenset[str], cutoff: float = 0.84, cache: int = 50_000):
        self.cutoff = cutoff
        self._words = sorted(vocabulary)
        alphabet = sorted({ch for word in self._words for ch in word})
        self._slot = {ch: i for i, ch in enumerate(alphabet)}
        self._counts = np.zeros((len(self._words), len(alphabet) + 1), dtype=np.int16)
        for row, word in enumerate(self._words):
            for ch in word:
                self._counts[row, self._slot[ch]] += 1
        self._lengths = np.array([len(w) for w in self._words], dtype=np.int16)
        self.closest = functools.lru_cache(maxsize=cache)(self._closest)

    def _closest(self, word: str) -> str | None:
        counts = np.zeros(self._counts.shape[1], dtype=np.int16)
        for ch in word:
            counts[self._slot.get(ch, -1)] += 1  # a letter no policy word has: the last slot
        shared = np.minimum(self._counts, counts).sum(axis=1)
        bound = 2.0 * shared / (self._lengths + len(word))
        candidates = [self._words[i] for i in np.flatnonzero(bound >= self.cutoff)]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=self.cutoff)
        return close[0] if close else None


@functools.lru_cache(maxsize=8)
def _spelling(vocabulary: frozenset[str]) -> _Spelling:
    """One speller, and one cache of its answers, for every retriever over the same words
    (the refit builds a retriever per fold and per step over the same clauses)."""
    return _Spelling(vocabulary)


class Retriever:
    """Ranks an index's clauses for questions; thread-safe once built."""

    def __init__(self, *, index: Index, embedder: Embedder, config: RetrievalConfig | None = None):
        self.index = index
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        self._weights = np.asarray(self.config.weights, dtype=np.float32)
        structured = self.config.keyword_text == "structured"
        self._keyword_texts = [_keyword_text(c, structured) for c in index.clauses]
        corpus_stems = [stems(t) or ["∅"] for t in self._keyword_texts]
        self._clause_stems = [frozenset(doc) for doc in corpus_stems]
        self.vocabulary = frozenset(s for doc in corpus_stems for s in doc)
        self._spelling = _spelling(
            frozenset(w for t in self._keyword_texts for w in words(t) if len(w) > 3)
        )
        self._bm25 = bm25s.BM25(k1=self.config.bm25_k1, b=self.config.bm25_b)
        self._bm25.index(corpus_stems, show_progress=False)
        self.known_ids = frozenset(c.id for c in index.clauses)
        self._parent_pos = np.array(
            [
                -1 if not c.parent else (index.position(c.parent, c.document) or -1)
                for c in index.clauses
            ],
            dtype=np.int64,
        )
        sections: dict[tuple[str, str], int] = {}
        self._section = np.array(
            [
                sections.setdefault((c.document, c.section_number), len(sections))
                for c in index.clauses
            ],
            dtype=np.int64,
        )
        self._n_sections = len(sections)
        self._sub = np.array([1.0 if c.parent else 0.0 for c in index.clauses], dtype=np.float32)
        kinds = index.kinds if index.kinds is not None else np.zeros(len(index.rows), np.int8)
        self._use_parts = self.config.parts and bool((kinds == PART).any())
        self._clause_vectors: np.ndarray | None = None
        if self.config.feedback and self.config.dense and index.vectors.ntotal:
            every = index.vectors.reconstruct_n(0, index.vectors.ntotal)
            whole_rows = np.flatnonzero(kinds == WHOLE)
            self._clause_vectors = np.zeros((len(index.clauses), every.shape[1]), np.float32)
            self._clause_vectors[index.rows[whole_rows]] = every[whole_rows]

    # ---- queries -------------------------------------------------------------------

    def query_parts(self, question: str) -> tuple[str, str]:
        """The question in the policy's words (typos fixed), and the policy words it implies."""
        cfg = self.config
        own = strip_filler(question) if cfg.cleanup else question
        own = generalise_platforms(own) if cfg.platforms else own
        if cfg.typos:
            own = " ".join([own, *self._typo_fixes(question)])
        implied = " ".join(expansions(f"{question} {own}")) if cfg.expand else ""
        return own, implied

    def dense_queries(self, questions: Sequence[str]) -> list[str]:
        """The text encoded for each question's dense search (before any adapter)."""
        return [self._dense_query(q, *self.query_parts(q)) for q in questions]

    def _typo_fixes(self, question: str) -> list[str]:
        fixes = []
        for word in words(question):
            if len(word) < 5 or stems(word) == [] or stems(word)[0] in self.vocabulary:
                continue
            close = self._spelling.closest(word)
            if close:
                fixes.append(close)
        return fixes

    def search(self, question: str) -> Retrieval:
        return self.search_many([question])[0]

    def search_many(self, questions: Sequence[str]) -> list[Retrieval]:
        """Rank every clause for each question, with one batched encode for all of them."""
        out = []
        for question, qf in zip(questions, self.features_many(questions), strict=True):
            own_stems, implied_stems = qf.own_stems, qf.implied_stems
            feats, keyword = qf.features, qf.keyword
            score = self._fuse(feats, keyword)
            if self._clause_vectors is not None:
                feats = self._feedback(feats, score, qf.vector)
                score = self._fuse(feats, keyword)
            dense = np.maximum(feats[:, 0], feats[:, 1])
            score = self._lift_children(score)
            if qf.votes is not None:
                score = score + self.config.vote_weight * qf.votes
            query_stems = own_stems + implied_stems
            found = self._rank(question, score, dense, keyword, query_stems, own_stems)
            out.append(
                replace(
                    found,
                    content=len(set(own_stems)),
                    topic=topic(question),
                    implied=len(implied_stems),
                    plain_dense=qf.plain_dense,
                    neighbour=qf.neighbour,
                    out_vote=qf.out_vote,
                    out_word=self._out_word(question),
                    out_vector=qf.out_vector,
                    nearest=qf.nearest,
                    nearest_out=qf.nearest_out,
                )
            )
        return out

    def _out_word(self, question: str) -> float:
        neighbours = self.index.neighbours
        if neighbours is None or neighbours.word_odds is None:
            return 0.0
        return neighbours.word_odds.strongest(question)

    def features_many(self, questions: Sequence[str]) -> list[QueryFeatures]:
        """What ranking each question starts from (one batched encode for all of them)."""
        cfg = self.config
        parts = [self.query_parts(q) for q in questions]
        n = len(self.index.clauses)
        whole = np.zeros((len(questions), n), dtype=np.float32)
        part = whole.copy()
        vectors = np.zeros((len(questions), 1), dtype=np.float32)
        plain = np.zeros(len(questions), dtype=np.float32)
        neighbour = np.zeros(len(questions), dtype=np.float32)
        votes = None
        out_vote = np.zeros(len(questions), dtype=np.float32)
        out_vector = out_vote.copy()
        nearest, nearest_out = out_vote.copy(), np.zeros(len(questions), dtype=bool)
        if cfg.dense and questions:
            dense_queries = [
                self._dense_query(q, own, implied)
                for q, (own, implied) in zip(questions, parts, strict=True)
            ]
            raw = self.embedder.encode(dense_queries)
            vectors = adapt(self.index.adapter, raw)
            whole, part = self.dense_scores(vectors)
            # Refusal evidence stays the model's own: an adapter trained on staff questions
            # can rank well yet shrink cosines for wording unlike any it was trained on.
            plain = (self.dense_scores(raw)[0] if vectors is not raw else whole).max(axis=1)
            if self.index.neighbours is not None:
                near = self.index.neighbours.near(raw)
                neighbour = near.signal()
                out_vote = near.out_vote(k=cfg.vote_k, temperature=cfg.vote_temperature)
                nearest, nearest_out = near.nearest()
                if self.index.neighbours.vector_odds is not None:
                    out_vector = self.index.neighbours.vector_odds.log_odds(raw)
                if cfg.vote_weight:
                    votes = near.votes(k=cfg.vote_k, temperature=cfg.vote_temperature)
        out = []
        for i in range(len(questions)):
            own_stems = stems(parts[i][0])
            implied_stems = [s for s in stems(parts[i][1]) if s not in own_stems]
            groups = self._groups(questions[i], parts[i][0], own_stems)
            feats = np.zeros((n, 7), dtype=np.float32)
            feats[:, 0] = whole[i]
            feats[:, 1] = part[i] if self._use_parts else whole[i]
            keyword = np.zeros(n, dtype=np.float32)
            if cfg.keyword:
                own_kw = self._keyword_scores(own_stems)
                implied_kw = self._implied_scores(implied_stems, groups)
                keyword = (own_kw + cfg.expansion_weight * implied_kw).astype(np.float32)
                feats[:, 2] = _share(own_kw)
                feats[:, 3] = _share(implied_kw)
                feats[:, 4] = self._coverage(own_stems)
            feats[:, 5] = self._sub
            best = np.full(self._n_sections, -1.0, dtype=np.float32)
            np.maximum.at(best, self._section, whole[i])
            feats[:, 6] = best[self._section]
            out.append(
                QueryFeatures(
                    own_stems,
                    implied_stems,
                    feats,
                    keyword,
                    vectors[i],
                    float(plain[i]),
                    float(neighbour[i]),
                    None if votes is None else votes[i],
                    float(out_vote[i]),
                    float(out_vector[i]),
                    float(nearest[i]),
                    bool(nearest_out[i]),
                )
            )
        return out

    def _feedback(self, feats: np.ndarray, score: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Dense scores again, for the question moved towards its best-scoring clauses."""
        assert self._clause_vectors is not None
        cfg = self.config
        top = np.argsort(-score, kind="stable")[: cfg.feedback_k]
        query = vector + cfg.feedback * self._clause_vectors[top].mean(axis=0)
        query /= max(float(np.linalg.norm(query)), 1e-9)
        out = feats.copy()
        out[:, 0] = self._clause_vectors @ query
        out[:, 1] = np.maximum(out[:, 0], feats[:, 1]) if self._use_parts else out[:, 0]
        return out

    def dense_scores(self, query_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of each query with each clause in context, and with its best sentence."""
        vectors = self.index.vectors
        scores, ids = vectors.search(
            np.ascontiguousarray(query_vectors, dtype=np.float32), vectors.ntotal
        )
        n = len(self.index.clauses)
        whole = np.full((len(query_vectors), n), -1.0, dtype=np.float32)
        part = whole.copy()
        rows = self.index.rows
        kinds = self.index.kinds if self.index.kinds is not None else np.zeros(len(rows), np.int8)
        for q in range(len(query_vectors)):
            clause_pos = rows[ids[q]]
            is_whole = kinds[ids[q]] == WHOLE
            np.maximum.at(whole[q], clause_pos[is_whole], scores[q][is_whole])
            np.maximum.at(part[q], clause_pos, scores[q])
        return whole, part

    def _keyword_scores(self, query_stems: list[str]) -> np.ndarray:
        known = [s for s in query_stems if s in self.vocabulary]
        if not known:
            return np.zeros(len(self.index.clauses), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def _dense_query(self, question: str, own: str, implied: str) -> str:
        cfg = self.config
        if not cfg.dense_expand:
            return own
        if cfg.dense_expand_first:
            firsts = [g[0] for g in expansion_groups(f"{question} {own}")]
            return " ".join([own, *dict.fromkeys(firsts)])
        return f"{own} {implied}"

    def _groups(self, question: str, own: str, own_stems: list[str]) -> list[list[str]]:
        if not (self.config.expand and self.config.grouped):
            return []
        out = []
        for group in expansion_groups(f"{question} {own}"):
            group_stems = [s for s in stems(" ".join(group)) if s not in own_stems]
            if group_stems:
                out.append(group_stems)
        return out

    def _implied_scores(self, implied_stems: list[str], groups: list[list[str]]) -> np.ndarray:
        if not groups:
            return self._keyword_scores(implied_stems)
        total = np.zeros(len(self.index.clauses), dtype=np.float32)
        for group in groups:
            per_word = [self._keyword_scores([s]) for s in dict.fromkeys(group)]
            total += np.max(per_word, axis=0)
        return total

    def _coverage(self, own_stems: list[str]) -> np.ndarray:
        wanted = {s for s in own_stems if s in self.vocabulary}
        if not wanted:
            return np.zeros(len(self.index.clauses), dtype=np.float32)
        return np.array(
            [len(wanted & c) / len(wanted) for c in self._clause_stems], dtype=np.float32
        )

    def _fuse(self, feats: np.ndarray, raw_keyword: np.ndarray) -> np.ndarray:
        cfg = self.config
        dense = np.maximum(feats[:, 0], feats[:, 1]) if self._use_parts else feats[:, 0]
        keyword = _share(raw_keyword)
        if not cfg.keyword:
            return dense.astype(np.float32)
        if not cfg.dense:
            return keyword
        if cfg.fusion == "learned":
            return _squash(fused(feats, self._weights))
        if cfg.fusion == "rrf":
            return _rrf(dense, cfg.rrf_k) + _rrf(keyword, cfg.rrf_k) * (keyword > 0)
        return cfg.dense_weight * dense + (1.0 - cfg.dense_weight) * keyword

    def _lift_children(self, score: np.ndarray) -> np.ndarray:
        lift = self.config.child_lift
        if not lift:
            return score
        out = score.copy()
        # Parents come before their children in document order, so lifts compound downwards.
        for pos, parent in enumerate(self._parent_pos):
            if parent >= 0:
                out[pos] += lift * max(0.0, float(out[parent]) - float(score[pos]))
        return out

    def _rank(
        self,
        question: str,
        score: np.ndarray,
        dense: np.ndarray,
        keyword: np.ndarray,
        query_stems: list[str],
        own_stems: list[str],
    ) -> Retrieval:
        order = np.argsort(-score, kind="stable")
        hits = [
            Hit(self.index.clauses[p], float(score[p]), float(dense[p]), float(keyword[p]))
            for p in order
        ]
        if self.config.direct_lookup:
            named = named_clause_ids(question, self.known_ids)
            if named:
                # Every document's clause with a named number, in the order named.
                first = [h for cid in named for h in hits if h.clause.id == cid]
                rest = [h for h in hits if h.clause.id not in named]
                hits = [replace(h, score=1.0, direct=True) for h in first] + rest
        return Retrieval(
            question=question,
            hits=tuple(hits),
            query_stems=tuple(query_stems),
            overlap=overlap(own_stems, self.vocabulary),
        )


def _share(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if len(scores) else 0.0
    return (scores / top).astype(np.float32) if top > 0 else scores.astype(np.float32)


def _squash(scores: np.ndarray) -> np.ndarray:
    """Learned scores mapped into (0, 1) so thresholds and shares keep their meaning."""
    return (1.0 / (1.0 + np.exp(-scores))).astype(np.float32)


def _rrf(scores: np.ndarray, k: float) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (k + ranks)


def _keyword_text(clause: Clause, structured: bool) -> str:
    """What BM25 indexes for a clause: section title, lead-in and the clause's words."""
    if not structured:
        return clause.text
    return " ".join(p for p in (clause.section, clause.lead_in, clause.text) if p)
