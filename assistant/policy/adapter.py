"""A linear query adapter learned from labelled staff questions shipped beside the policy.

Each policy may ship ``<doc>.questions.jsonl`` (lines of ``{"q": ..., "gold": [clause ids]}``)
beside its file. When the index is built, a matrix ``W`` (initialised to the identity) is
fitted so that the adapted question vector ``W q`` (normalised) lies closest to its gold
clauses' vectors among all the corpus's clauses: a softmax loss over the clauses with an L2
pull of ``W`` towards the identity. Retrieval applies it before the dense search, one small
matrix product per question. A corpus without training questions gets no adapter.

The same questions, in and out of scope (gold []), are also kept as :class:`Neighbours`: their
encoded vectors, labels and gold clauses, with every clause's own words as one more in-scope
question. They give refusal signals (how much of the vote of the questions nearest a new one
is out of scope; does it lie nearer the out-of-scope ones than the in-scope ones? does it use a
word that mostly comes in out-of-scope questions, such as "mortgage" or "payslip"? which way
does a logistic model over the question vectors lean?) and a ranking signal: the gold clauses
of the in-scope questions nearest a new one, weighted by how near each is (a vote).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import AssistantError, CorpusError
from assistant.policy.fusion import fit_logistic
from assistant.policy.vocabulary import stems

if TYPE_CHECKING:
    from assistant.policy.embedder import Embedder
    from assistant.policy.index import Index

QUESTIONS_SUFFIX = ".questions.jsonl"
ADAPTER_FILE = "adapter.npy"
NEIGHBOURS_FILE = "neighbours.npz"


@dataclass(frozen=True)
class TrainingQuestion:
    """A labelled staff question: the document it is about and the clause ids answering it."""

    q: str
    document: str
    gold: tuple[str, ...]


@dataclass(frozen=True)
class AdapterConfig:
    """How the adapter is fitted (chosen by cross-validation between dev and train)."""

    temperature: float = 20.0  # cosines times this are the softmax logits
    l2: float = 0.003  # pull of W towards the identity
    steps: int = 200
    rate: float = 0.002  # Adam step size (0.01 oscillated)


DEFAULT_CONFIG = AdapterConfig()


def question_files(corpus_dir: Path, doc_ids: Sequence[str]) -> list[Path]:
    """The training question files shipped for these documents, by document id."""
    return [
        corpus_dir / f"{doc}{QUESTIONS_SUFFIX}"
        for doc in sorted(doc_ids)
        if (corpus_dir / f"{doc}{QUESTIONS_SUFFIX}").is_file()
    ]


def read_labelled(
    path: Path, *, error: type[AssistantError] = CorpusError
) -> list[tuple[str, tuple[str, ...]]]:
    """``(question, gold ids)`` from a JSON-lines file of ``{"q": ..., "gold": [...]}``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise error(f"cannot read {path}: {exc}") from exc
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append((str(row["q"]), tuple(str(g) for g in row["gold"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise error(f"{path}:{number}: not a question line ({exc})") from exc
    return out


def read_questions(path: Path, document: str) -> list[TrainingQuestion]:
    """Labelled questions of one file (out of scope: gold ``()``; the adapter skips them)."""
    return [TrainingQuestion(q=q, document=document, gold=gold) for q, gold in read_labelled(path)]


def load_training(corpus_dir: Path, doc_ids: Sequence[str]) -> list[TrainingQuestion]:
    """Every shipped training question for these documents."""
    out: list[TrainingQuestion] = []
    for path in question_files(corpus_dir, doc_ids):
        out.extend(read_questions(path, path.name[: -len(QUESTIONS_SUFFIX)]))
    return out


def training_digest(questions: Sequence[TrainingQuestion], config: AdapterConfig) -> str:
    """sha256 of the training questions and the fitting settings ("" when there are none)."""
    if not questions:
        return ""
    digest = hashlib.sha256(repr(config).encode())
    for tq in questions:
        digest.update(json.dumps([tq.document, tq.q, tq.gold]).encode())
    return digest.hexdigest()


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-9)).astype(np.float32)


def adapt(matrix: np.ndarray | None, vectors: np.ndarray) -> np.ndarray:
    """Question vectors through the adapter, normalised again (identity when None)."""
    if matrix is None or not len(vectors):
        return vectors
    return np.ascontiguousarray(normalise_rows(vectors @ matrix.T), dtype=np.float32)


def adapter_loss(
    matrix: np.ndarray,
    queries: np.ndarray,
    targets: np.ndarray,
    gold: np.ndarray,
    *,
    temperature: float,
    l2: float,
) -> tuple[float, np.ndarray]:
    """Mean -log P(a gold clause) of the adapted queries, plus l2 ||W - I||², and its gradient.

    ``gold`` is a 0/1 matrix, one row per query, one column per target (clause) vector.
    """
    u = queries @ matrix.T
    norm = np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-9)
    v = u / norm
    logits = temperature * (v @ targets.T)
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    pg = np.maximum((p * gold).sum(axis=1, keepdims=True), 1e-12)
    n = len(queries)
    loss = float(-np.log(pg).mean())
    d_logits = (p - p * gold / pg) / n
    d_v = temperature * d_logits @ targets
    d_u = (d_v - v * (d_v * v).sum(axis=1, keepdims=True)) / norm
    eye = np.eye(matrix.shape[0], dtype=matrix.dtype)
    loss += l2 * float(((matrix - eye) ** 2).sum())
    grad = d_u.T @ queries + 2 * l2 * (matrix - eye)
    return loss, grad


def fit_adapter(
    queries: np.ndarray,
    targets: np.ndarray,
    gold: np.ndarray,
    config: AdapterConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """The adapter matrix, from the identity by full-batch Adam (deterministic)."""
    q = np.asarray(queries, dtype=np.float32)
    t = np.asarray(targets, dtype=np.float32)
    g = np.asarray(gold, dtype=np.float32)
    matrix: np.ndarray = np.eye(q.shape[1], dtype=np.float32)
    m = np.zeros_like(matrix)
    s = np.zeros_like(matrix)
    b1, b2 = 0.9, 0.999
    for step in range(1, config.steps + 1):
        _, grad = adapter_loss(matrix, q, t, g, temperature=config.temperature, l2=config.l2)
        m = b1 * m + (1 - b1) * grad
        s = b2 * s + (1 - b2) * grad * grad
        matrix -= config.rate * (m / (1 - b1**step)) / (np.sqrt(s / (1 - b2**step)) + 1e-8)
    return matrix.astype(np.float32)


def gold_matrix(
    questions: Sequence[TrainingQuestion], position: Callable[[str, str], int | None], n: int
) -> tuple[list[int], np.ndarray]:
    """Which questions have a known gold clause, and their 0/1 rows over ``n`` clauses."""
    kept: list[int] = []
    rows: list[np.ndarray] = []
    for i, tq in enumerate(questions):
        row = np.zeros(n, dtype=np.float32)
        for cid in tq.gold:
            pos = position(cid, tq.document)
            if pos is not None:
                row[pos] = 1.0
        if row.any():
            kept.append(i)
            rows.append(row)
    return kept, np.asarray(rows, dtype=np.float32).reshape(len(rows), n)


def learn_adapter(
    index: Index,
    embedder: Embedder,
    training: Sequence[TrainingQuestion],
    config: AdapterConfig = DEFAULT_CONFIG,
) -> np.ndarray | None:
    """The query adapter for ``index`` learned from ``training`` (None without questions).

    Questions are encoded as retrieval encodes them (chat filler out, implied policy words
    in); each clause's target is its whole-clause vector.
    """
    if not training:
        return None
    from assistant.policy.index import WHOLE
    from assistant.policy.retrieval import Retriever

    kept, gold = gold_matrix(training, index.position, len(index.clauses))
    if not kept:
        return None
    texts = Retriever(index=index, embedder=embedder).dense_queries([training[i].q for i in kept])
    every = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    kinds = index.kinds if index.kinds is not None else np.zeros(len(index.rows), np.int8)
    whole = np.flatnonzero(kinds == WHOLE)
    targets = np.zeros((len(index.clauses), every.shape[1]), dtype=np.float32)
    targets[index.rows[whole]] = every[whole]
    return fit_adapter(embedder.encode(texts), targets, gold, config)


def write_adapter(path: Path, matrix: np.ndarray | None) -> None:
    """Store the adapter at ``path`` atomically (removing a stale one when there is none)."""
    if matrix is None:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        np.save(handle, np.asarray(matrix, dtype=np.float32))
    os.replace(tmp, path)


def read_adapter(path: Path, dim: int, problems: list[str]) -> np.ndarray | None:
    """The stored adapter, or None with what is wrong appended to ``problems``."""
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        problems.append(f"the query adapter is unreadable ({exc.__class__.__name__})")
        return None
    if matrix.shape != (dim, dim) or not np.isfinite(matrix).all():
        problems.append(f"a query adapter of shape {matrix.shape} for dimension {dim}")
        return None
    return np.ascontiguousarray(matrix, dtype=np.float32)


@dataclass(frozen=True)
class Neighbours:
    """Encoded labelled questions: how near a new question is to out- and in-scope ones."""

    vectors: np.ndarray  # one normalised row a question, encoded as retrieval encodes it
    out: np.ndarray  # True: out of scope (gold [])
    gold: np.ndarray | None = None  # question-by-clause 0/1: each question's gold clauses
    word_odds: WordOdds | None = None  # which words out-of-scope questions use
    vector_odds: VectorOdds | None = None  # which way out-of-scope questions' vectors lean

    def near(self, queries: np.ndarray) -> Nearness:
        """The cosine of each query with each labelled question, for every signal below."""
        return Nearness(self, np.asarray(queries, dtype=np.float32) @ self.vectors.T)

    def signal(self, queries: np.ndarray) -> np.ndarray:
        return self.near(queries).signal()

    def votes(self, queries: np.ndarray, *, k: int, temperature: float) -> np.ndarray | None:
        return self.near(queries).votes(k=k, temperature=temperature)

    @cached_property
    def answered_gold(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The questions with gold clauses, and their gold rows each summing to 1."""
        if self.gold is None:
            return None
        labelled = np.flatnonzero(self.gold.any(axis=1))
        gold = self.gold[labelled].astype(np.float32)
        return labelled, gold / gold.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Nearness:
    """How near some queries are to the labelled questions: one matrix product, read three ways."""

    neighbours: Neighbours
    sims: np.ndarray  # query-by-question cosines

    def signal(self) -> np.ndarray:
        """Best cosine with an out-of-scope question minus best with an in-scope one.

        Zero for every query when either kind is missing: no evidence either way.
        """
        out, sims = self.neighbours.out, self.sims
        if not len(sims) or out.all() or not out.any():
            return np.zeros(len(sims), dtype=np.float32)
        return (sims[:, out].max(axis=1) - sims[:, ~out].max(axis=1)).astype(np.float32)

    def nearest(self) -> tuple[np.ndarray, np.ndarray]:
        """Each query's best cosine with a labelled question, and whether that one is out of
        scope (cosine 0 and in scope for every query when there are none)."""
        if not self.sims.size:
            return np.zeros(len(self.sims), np.float32), np.zeros(len(self.sims), bool)
        best = self.sims.argmax(axis=1)
        cosine = self.sims[np.arange(len(self.sims)), best]
        return cosine.astype(np.float32), self.neighbours.out[best]

    def out_vote(self, *, k: int, temperature: float) -> np.ndarray:
        """The out-of-scope share of the vote of the ``k`` labelled questions nearest each query.

        Weighted as :meth:`votes` is, over every labelled question, in scope or out; zero for
        every query when either kind is missing.
        """
        out, sims = self.neighbours.out, self.sims
        if not len(sims) or out.all() or not out.any():
            return np.zeros(len(sims), dtype=np.float32)
        weight, nearest = _softmax_nearest(sims, k, temperature)
        return (weight * out[nearest]).sum(axis=1).astype(np.float32)

    def votes(self, *, k: int, temperature: float) -> np.ndarray | None:
        """Each clause's share of the vote of the ``k`` in-scope questions nearest each query.

        A neighbour's weight is a softmax of its cosine over ``temperature``; it splits its
        weight evenly between its gold clauses. Rows sum to 1; None without gold clauses.
        """
        answered = self.neighbours.answered_gold
        if answered is None or not len(answered[0]) or not len(self.sims):
            return None
        labelled, gold = answered
        weight, nearest = _softmax_nearest(self.sims[:, labelled], k, temperature)
        return np.einsum("qk,qkc->qc", weight, gold[nearest]).astype(np.float32)


def _softmax_nearest(sims: np.ndarray, k: int, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` columns of ``sims`` (cosines) highest in each row, and their softmax weights."""
    k = min(k, sims.shape[1])
    nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    near = np.take_along_axis(sims, nearest, axis=1)
    weight = np.exp((near - near.max(axis=1, keepdims=True)) / temperature)
    return weight / weight.sum(axis=1, keepdims=True), nearest


@dataclass(frozen=True)
class WordOdds:
    """How much likelier each word (stemmed) is in an out-of-scope labelled question.

    The log odds of a question using the word when out of scope against when in scope, each
    add-one smoothed over the questions of its kind. A new question's signal is its strongest
    word; a word the labelled questions never used says nothing (0).
    """

    words: np.ndarray  # stemmed words, str
    log_odds: np.ndarray  # float32, one a word

    @classmethod
    def count(cls, questions: Sequence[str], out: Sequence[bool]) -> WordOdds | None:
        """The odds in these labelled questions (None without both kinds)."""
        seen: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
        for question, is_out in zip(questions, out, strict=True):
            seen[bool(is_out)].update(set(stems(question)))
        n_out, n_in = sum(map(bool, out)), sum(not o for o in out)
        if not n_out or not n_in:
            return None
        words = sorted(seen[True].keys() | seen[False].keys())
        counts_out = np.array([seen[True][w] for w in words], dtype=np.float64)
        counts_in = np.array([seen[False][w] for w in words], dtype=np.float64)
        odds = np.log((counts_out + 1) / (n_out + 2)) - np.log((counts_in + 1) / (n_in + 2))
        return cls(words=np.array(words, dtype=str), log_odds=odds.astype(np.float32))

    @cached_property
    def _lookup(self) -> dict[str, float]:
        return dict(zip(self.words.tolist(), self.log_odds.tolist(), strict=True))

    def strongest(self, question: str) -> float:
        """The highest log odds of the question's words (0 for words never seen, or none)."""
        return max((self._lookup.get(w, 0.0) for w in set(stems(question))), default=0.0)


@dataclass(frozen=True)
class VectorOdds:
    """A logistic model of "out of scope" over the question's vector, as retrieval encodes it.

    Fitted on the labelled questions (not the clauses' own words) with their vectors'
    components standardised; the standardisation is folded into the weights, so a new
    question's log odds is one dot product with the vector it was searched with. Unlike the
    nearest-question signals, it weighs every labelled question at once: what the out-of-scope
    ones share, however far each one is.
    """

    weights: np.ndarray  # float32, one a vector component
    bias: float

    L2 = 0.003  # chosen out of fold on the training files (tests/eval/README.md)
    STEPS = 500

    @classmethod
    def fit(cls, vectors: np.ndarray, out: np.ndarray) -> VectorOdds | None:
        """The model of these labelled vectors (None without both kinds)."""
        out = np.asarray(out, dtype=bool)
        if not out.any() or out.all():
            return None
        x = np.asarray(vectors, dtype=np.float64)
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        w, b = fit_logistic((x - mean) / scale, out.astype(np.float64), l2=cls.L2, steps=cls.STEPS)
        weights = w.astype(np.float64) / scale
        return cls(weights=weights.astype(np.float32), bias=float(b - mean @ weights))

    def log_odds(self, queries: np.ndarray) -> np.ndarray:
        """Each query's log odds of being out of scope."""
        return (np.asarray(queries, dtype=np.float32) @ self.weights + self.bias).astype(np.float32)


def learn_neighbours(
    index: Index, embedder: Embedder, questions: Sequence[TrainingQuestion]
) -> Neighbours | None:
    """The labelled questions encoded as retrieval encodes new ones (None without any).

    Each clause's own words join them as one more in-scope question answered by that clause,
    so a question pasting a clause finds itself among the in-scope ones, however near the
    labelled out-of-scope questions are to its subject.
    """
    if not questions:
        return None
    from assistant.policy.retrieval import Retriever

    word_odds = WordOdds.count([tq.q for tq in questions], [not tq.gold for tq in questions])
    labelled = len(questions)
    questions = [*questions, *clause_questions(index)]
    texts = Retriever(index=index, embedder=embedder).dense_queries([tq.q for tq in questions])
    vectors = np.ascontiguousarray(embedder.encode(texts), dtype=np.float32)
    gold = np.zeros((len(questions), len(index.clauses)), dtype=np.uint8)
    for i, tq in enumerate(questions):
        for cid in tq.gold:
            pos = index.position(cid, tq.document)
            if pos is not None:
                gold[i, pos] = 1
    out = np.array([not tq.gold for tq in questions], bool)
    return Neighbours(
        vectors=vectors,
        out=out,
        gold=gold,
        word_odds=word_odds,
        vector_odds=VectorOdds.fit(vectors[:labelled], out[:labelled]),
    )


def clause_questions(index: Index) -> list[TrainingQuestion]:
    """Every clause's words as a question it answers (a short item after its lead-in)."""
    return [
        TrainingQuestion(
            q=c.text if len(c.text) >= 40 or not c.lead_in else f"{c.lead_in} {c.text}",
            document=c.document,
            gold=(c.id,),
        )
        for c in index.clauses
    ]


def write_neighbours(path: Path, neighbours: Neighbours | None) -> None:
    """Store ``neighbours`` at ``path`` atomically (removing a stale file when there are none)."""
    if neighbours is None:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(path.name + ".tmp")
    arrays: dict[str, Any] = {"vectors": neighbours.vectors, "out": neighbours.out}
    if neighbours.gold is not None:
        arrays["gold"] = neighbours.gold
    if neighbours.word_odds is not None:
        arrays["words"] = neighbours.word_odds.words
        arrays["word_odds"] = neighbours.word_odds.log_odds
    if neighbours.vector_odds is not None:
        arrays["vector_odds"] = neighbours.vector_odds.weights
        arrays["vector_odds_bias"] = np.array([neighbours.vector_odds.bias], dtype=np.float64)
    with open(tmp, "wb") as handle:
        np.savez(handle, **arrays)
    os.replace(tmp, path)


def read_neighbours(
    path: Path, dim: int, problems: list[str], clauses: int | None = None
) -> Neighbours | None:
    """The stored neighbours, or None with what is wrong appended to ``problems``.

    ``clauses``: how many clauses the index has, which each gold row must match.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            vectors, out = data["vectors"], data["out"]
            gold = data.get("gold")
            words, odds = data.get("words"), data.get("word_odds")
            lean, lean_bias = data.get("vector_odds"), data.get("vector_odds_bias")
    except (OSError, ValueError, KeyError) as exc:
        problems.append(f"the labelled question vectors are unreadable ({exc.__class__.__name__})")
        return None
    if vectors.ndim != 2 or vectors.shape[1] != dim or out.shape != (len(vectors),):
        problems.append(f"labelled question vectors of shape {vectors.shape} for dimension {dim}")
        return None
    if not np.isfinite(vectors).all():
        problems.append("labelled question vectors that are not finite")
        return None
    if gold is not None and (
        gold.ndim != 2
        or len(gold) != len(vectors)
        or (clauses is not None and gold.shape[1] != clauses)
    ):
        problems.append(f"labelled questions' gold clauses of shape {gold.shape}")
        return None
    word_odds = None
    if words is not None or odds is not None:
        if (
            words is None
            or odds is None
            or words.dtype.kind != "U"
            or words.shape != odds.shape
            or words.ndim != 1
            or not np.isfinite(odds).all()
        ):
            problems.append("the labelled questions' word odds are malformed")
            return None
        word_odds = WordOdds(words=words, log_odds=odds.astype(np.float32))
    vector_odds = None
    if lean is not None or lean_bias is not None:
        if (
            lean is None
            or lean_bias is None
            or lean.shape != (dim,)
            or lean_bias.shape != (1,)
            or not (np.isfinite(lean).all() and np.isfinite(lean_bias).all())
        ):
            problems.append("the labelled questions' vector odds are malformed")
            return None
        vector_odds = VectorOdds(weights=lean.astype(np.float32), bias=float(lean_bias[0]))
    return Neighbours(
        vectors=np.ascontiguousarray(vectors, dtype=np.float32),
        out=out.astype(bool),
        gold=None if gold is None else gold.astype(np.uint8),
        word_odds=word_odds,
        vector_odds=vector_odds,
    )
