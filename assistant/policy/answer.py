"""Quoted answers to staff questions, or a plain refusal naming who to ask."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from assistant.errors import ConfigError, InputError
from assistant.messages import Citation, Kind, Message
from assistant.policy.embedder import Embedder
from assistant.policy.index import Index
from assistant.policy.model import Clause, Document
from assistant.policy.questions import clean_question, neutralise
from assistant.policy.quoting import quote
from assistant.policy.refusal_weights import read_weights
from assistant.policy.retrieval import (
    Hit,
    Retrieval,
    RetrievalConfig,
    Retriever,
    asks_for_unknown_clause,
    unknown_clause_refs,
)
from assistant.policy.routing import Router, which_is_which
from assistant.policy.scope import SHIPPED as ZERO_SHOT
from assistant.policy.scope import Recording, Reference, ScopeModel, zero_shot
from assistant.policy.vocabulary import stems, words
from assistant.texts import policy as texts

MAX_CITATIONS = 3
_COPYRIGHT_STEMS = frozenset(stems("copyright copyrighted trademark trademarks plagiarism licence"))
# After each NumPy product, OpenBLAS's threads spin waiting for more work and take the cores
# MiniLM's threads need for the next encode: on 2 cores a warm answer's p50 was more than twice
# its 7 ms, with a tail near 100 ms (tests/eval/README.md, "Warm latency"). A question's
# products are small, so a process that answers questions runs BLAS on one thread. It is set
# once, for the whole process: changing thread counts while other threads run BLAS is unsafe.
_BLAS_LOCK = threading.Lock()
_blas_limited = False


def _one_blas_thread() -> None:
    global _blas_limited
    with _BLAS_LOCK:
        if not _blas_limited:
            threadpool_limits(limits=1, user_api="blas")
            _blas_limited = True


def _second_score(retrieval: Retrieval) -> float:
    return retrieval.hits[1].score if len(retrieval.hits) > 1 else 0.0


# Every signal a refusal model may use, by name; the shipped file picks some, in order.
REFUSAL_SIGNALS: dict[str, Callable[[Retrieval], float]] = {
    "score": lambda r: r.hits[0].score,  # best fused score
    "dense": lambda r: max(r.hits[0].dense, r.plain_dense),  # its cosine, or the unadapted best
    "coverage": lambda r: r.overlap / max(r.content, 1),  # share of words the policy uses
    "topic": lambda r: min(r.topic, 3),  # the policy's topic words the question uses
    "adapted": lambda r: max(h.dense for h in r.hits),  # best adapted cosine, any clause
    "plain": lambda r: r.plain_dense,  # best unadapted cosine, any clause
    "margin": lambda r: r.hits[0].score - _second_score(r),  # first clause over the second
    "implied": lambda r: min(r.implied, 3),  # policy words implied by the school's vocabulary
    # Nearest out-of-scope minus nearest in-scope labelled question (0 without any shipped).
    "neighbour": lambda r: r.neighbour,
    # The out-of-scope share of the vote of the nearest labelled questions (in and out).
    "out_vote": lambda r: r.out_vote,
    # The log odds of the question's most out-of-scope word among the labelled questions.
    "out_word": lambda r: r.out_word,
    # The log odds of out of scope from a logistic model over the labelled questions' vectors.
    "out_vector": lambda r: r.out_vector,
}
# The signals of the first fitted model, kept as the default order.
REFUSAL_FEATURES = ("score", "dense", "coverage", "topic")


def refusal_features(retrieval: Retrieval, names: Sequence[str] = REFUSAL_FEATURES) -> np.ndarray:
    """The named refusal signals of a retrieval (zeros when nothing was retrieved)."""
    if retrieval.top is None:
        return np.zeros(len(names), dtype=np.float32)
    return np.array([REFUSAL_SIGNALS[n](retrieval) for n in names], dtype=np.float32)


# Fitted by ``python -m assistant.policy.fit`` and shipped as refusal_weights.json.
SHIPPED = read_weights()
if not set(SHIPPED.features) <= set(REFUSAL_SIGNALS):
    raise ConfigError(f"refusal_weights.json names unknown signals: {SHIPPED.features}")


@dataclass(frozen=True)
class RefusalPolicy:
    """When to say the policy does not cover a question.

    A logistic model of "out of scope" over named :data:`REFUSAL_SIGNALS`, fitted with
    :func:`assistant.policy.fusion.fit_logistic` on the labelled question sets as an adapted
    index sees unseen questions (each set's features come from a query adapter trained on the
    other sets), and an operating point chosen there; see :mod:`assistant.policy.fit`.
    """

    features: tuple[str, ...] = SHIPPED.features  # names in REFUSAL_SIGNALS
    weights: tuple[float, ...] = SHIPPED.weights
    bias: float = SHIPPED.bias
    threshold: float = SHIPPED.threshold  # refuse when P(out of scope) is above this
    relative_cut: float = SHIPPED.relative_cut  # cite further clauses at this share of the best
    # A question this near a labelled one (cosine of the vectors it is searched with) takes
    # that question's label: what the school has labelled stays answered or refused when it
    # is asked again. Out of fold, every one of the 31 training questions this near a question
    # of another file had the same label (tests/eval/README.md, "Questions asked again").
    repeated: float = 0.95

    def exempt(self, retrieval: Retrieval) -> bool:
        """True when the question names a clause: never refused, whatever the model says."""
        return retrieval.top is not None and retrieval.top.direct

    def out_of_scope(self, retrieval: Retrieval) -> float:
        """The model's probability that the policy does not answer the question."""
        features = refusal_features(retrieval, self.features)
        logit = float(features @ np.asarray(self.weights)) + self.bias
        return 1.0 / (1.0 + math.exp(-logit))


@dataclass(frozen=True)
class PolicyAnswer:
    """An answer (quoted clauses, best first) or a refusal, ready to become a Message."""

    question: str
    answered: bool
    citations: tuple[Citation, ...] = ()
    text: str = ""
    context: str = ""
    problem: bool = False  # the question itself could not be used (text says why)
    # The refusal model's probability that the policy does not answer the question (1.0 or
    # 0.0 when a rule decided); 1.0 for a question that could not be used.
    out_of_scope: float = 1.0
    retrieval: Retrieval | None = field(default=None, repr=False, compare=False)

    def message(self) -> Message:
        """The reply as the core's message type (adapters render it)."""
        kind = Kind.ANSWER if self.answered else Kind.REFUSAL
        kind = Kind.ERROR if self.problem else kind
        return Message(
            text=neutralise(self.text), kind=kind, citations=self.citations, context=self.context
        )


class PolicyAnswerer:
    """Answers questions from a clause index; safe to share between threads."""

    def __init__(
        self,
        *,
        index: Index,
        embedder: Embedder,
        config: RetrievalConfig | None = None,
        refusal: RefusalPolicy | None = None,
        scope: ScopeModel | None = None,
    ) -> None:
        self.index = index
        self.recording = Recording(embedder)
        self.retriever = Retriever(index=index, embedder=self.recording, config=config)
        self.refusal = refusal or RefusalPolicy()
        # Fitted on MiniLM's cosines: another embedder (the tests' hashing one) goes without.
        self.scope = scope or (ZERO_SHOT if ZERO_SHOT and ZERO_SHOT.fits(embedder) else None)
        self.reference = Reference.of(index, self.retriever, self.recording)
        # Several documents: one answerer each, for questions naming a document (routing.py).
        settings = {"config": config, "refusal": refusal, "scope": scope}
        self.router = Router.of(index, embedder, PolicyAnswerer, **settings)
        self._has_children = {(c.document, c.parent) for c in index.clauses if c.parent}

    def answer(self, question: str) -> PolicyAnswer:
        return self.answer_many([question])[0]

    def answer_many(self, questions: Sequence[str]) -> list[PolicyAnswer]:
        """Answer several questions with one batched encode; bad input gets a clear reply."""
        if self.router is not None:
            return self.router.answer_many(questions, self._answer_all)
        return self._answer_all(questions)

    def _answer_all(self, questions: Sequence[str]) -> list[PolicyAnswer]:
        cleaned: list[str | None] = []
        answers: list[PolicyAnswer | None] = []
        for raw in questions:
            try:
                cleaned.append(clean_question(raw))
                answers.append(None)
            except InputError as exc:
                cleaned.append(None)
                answers.append(
                    PolicyAnswer(
                        question=str(raw or "")[:200],
                        answered=False,
                        text=exc.user_message,
                        problem=True,
                    )
                )
        usable = [q for q in cleaned if q is not None]
        _one_blas_thread()
        self.recording.forget()
        found = iter(self.retriever.search_many(usable))
        last = self.recording.last(len(usable))
        vectors = iter([None] * len(usable) if last is None else last)
        return [
            ans if ans is not None else self._decide(q or "", next(found), next(vectors))
            for q, ans in zip(cleaned, answers, strict=True)
        ]

    # ---- deciding ----------------------------------------------------------------------

    def refuses(self, retrieval: Retrieval) -> bool:
        """True when the best clause is too weak a match to quote."""
        ruled = self.ruled(retrieval)
        if ruled is not None:
            return ruled
        return self.refusal.out_of_scope(retrieval) > self.refusal.threshold

    def ruled(self, retrieval: Retrieval) -> bool | None:
        """Refused (True) or answered (False) by rule whatever the model says; None: the model
        decides. The refit (:mod:`assistant.policy.fit`) counts questions the same way."""
        if retrieval.top is None:
            return True
        if self.refusal.exempt(retrieval):
            return False
        if asks_for_unknown_clause(retrieval.question, self.retriever.known_ids):
            return True  # "what does 14.2 say?": said plainly, whatever else it resembles
        if _too_little(retrieval):
            return True  # "lol", "what?": nothing the policy could answer
        if retrieval.nearest >= self.refusal.repeated:
            return retrieval.nearest_out
        return None

    def _decide(self, question: str, retrieval: Retrieval, vector: Any = None) -> PolicyAnswer:
        document = self._document(retrieval)
        context = _context(document)
        ruled = self.ruled(retrieval)
        zero = zero_shot(self.scope, self.reference, retrieval, vector) if ruled is None else None
        out, threshold = (
            (float(ruled), 1.0)
            if ruled is not None
            else zero or (self.refusal.out_of_scope(retrieval), self.refusal.threshold)
        )
        # The same decision as refuses(), with the probability kept for the reply's callers.
        refused = ruled if ruled is not None else out > threshold
        if refused:
            return PolicyAnswer(
                question=question,
                answered=False,
                text=self._refusal_text(question, retrieval, document),
                context=context,
                out_of_scope=out,
                retrieval=retrieval,
            )
        hits = self.cited(retrieval)
        citations = tuple(
            Citation(
                clause_id=h.clause.label,  # as printed: a passage cites its section
                section=h.clause.section,
                quote=quote(h.clause, retrieval.query_stems),
                score=round(h.score, 4),
                document=self.index.document(h.clause).title,
                reviewed=self.index.document(h.clause).reviewed,
                source=self.index.document(h.clause).source,
            )
            for h in hits
        )
        direct = list(dict.fromkeys(h.clause.label for h in hits if h.direct))
        if len(direct) == 1:
            lead = texts.ANSWER_LEAD_NAMED.format(clause_id=direct[0])
        elif direct:
            lead = texts.ANSWER_LEAD_NAMED_MANY.format(clause_ids=", ".join(direct))
        else:
            lead = texts.ANSWER_LEAD
        return PolicyAnswer(
            question=question,
            answered=True,
            citations=citations,
            text=which_is_which(lead, citations),
            context=context,
            out_of_scope=out,
            retrieval=retrieval,
        )

    def ranked(self, retrieval: Retrieval) -> list[Hit]:
        """The retrieval's hits a reader could be shown (bare lead-in headings left out)."""
        return [h for h in retrieval.hits if h.direct or not self._is_heading(h.clause)]

    def cited(self, retrieval: Retrieval, relative_cut: float | None = None) -> list[Hit]:
        """The hits a reply quotes, best first, at most three: the clauses the question names,
        or the best clause and each next one scoring at least ``relative_cut`` of it (the
        refusal policy's share by default; chosen by :mod:`assistant.policy.fit`)."""
        direct = [h for h in retrieval.hits if h.direct]
        if direct:
            return direct[:MAX_CITATIONS]
        cut = self.refusal.relative_cut if relative_cut is None else relative_cut
        chosen: list[Hit] = []
        for hit in retrieval.hits:
            if self._is_heading(hit.clause):
                continue  # a bare lead-in ("Protecting our reputation:") answers nothing
            if chosen and hit.score < chosen[0].score * cut:
                break
            chosen.append(hit)
            if len(chosen) == MAX_CITATIONS:
                break
        return chosen

    def _is_heading(self, clause: Clause) -> bool:
        return (
            (clause.document, clause.id) in self._has_children
            and clause.text.rstrip().endswith(":")
            and len(clause.text) < 80
        )

    def _document(self, retrieval: Retrieval) -> Document:
        if retrieval.top is not None:
            return self.index.document(retrieval.top.clause)
        if self.index.documents:
            return next(iter(self.index.documents.values()))
        return Document(doc_id="", title="policy", source="")

    def _refusal_text(self, question: str, retrieval: Retrieval, document: Document) -> str:
        if _too_little(retrieval):
            return texts.TOO_LITTLE.format(title=document.title)
        unknown = unknown_clause_refs(question, self.retriever.known_ids)
        if unknown:
            return texts.REFUSAL_UNKNOWN_CLAUSE.format(title=document.title, clause_id=unknown[0])
        if _COPYRIGHT_STEMS & set(stems(question)):
            return texts.REFUSAL_COPYRIGHT.format(
                title=document.title, clause_id=texts.COPYRIGHT_CLAUSE
            )
        note = (
            texts.REFUSAL_CLAUSE_NOTE.format(clause_id=document.contact_clause)
            if document.contact_clause
            else ""
        )
        return texts.REFUSAL.format(
            title=document.title, contact=document.contact, clause_note=note
        )


def _too_little(retrieval: Retrieval) -> bool:
    """One or two words, none the policy uses or implies and no platform or posting word,
    naming no clause ("lol", "hmm?"; not "snapchat", "fb?").

    No labelled in-scope question is like this; some labelled out-of-scope ones are
    ("payslip", "parking?", "hello"), all of them refused by the model too.
    """
    top = retrieval.top
    return (
        retrieval.overlap == 0
        and retrieval.implied == 0
        and retrieval.topic == 0
        and not (top is not None and top.direct)
        and len(words(retrieval.question)) <= 2
    )


def _context(document: Document) -> str:
    if document.reviewed:
        return texts.CONTEXT.format(title=document.title, reviewed=document.reviewed)
    return texts.CONTEXT_UNDATED.format(title=document.title)
