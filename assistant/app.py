"""Builds the core from settings: database, clause index, answerer and workflow."""

from __future__ import annotations

import logging

from assistant.config import Settings
from assistant.conversation import Assistant
from assistant.policy.answer import PolicyAnswerer
from assistant.policy.batching import WARM_QUESTION, AnswerProcess, BatchingAnswerer
from assistant.policy.embedder import Embedder, MiniLMEmbedder
from assistant.policy.index import ensure_index
from assistant.storage.store import Store
from assistant.workflow.service import ApprovalService

log = logging.getLogger(__name__)


def build_core(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    warm: bool = False,
    batching: bool = False,
    progress: bool = False,
) -> Assistant:
    """The assistant, ready to handle messages.

    The database is migrated and the index loaded (rebuilt first if stale). ``warm`` loads
    the model and answers one question now, so the first person does not wait for it.
    ``batching`` shares one encode between questions that arrive together (servers); with
    the real model it also answers in a child process (:class:`AnswerProcess`), so that the
    server's event loop does not wait for the interpreter lock behind the model.
    """
    store = Store.open(settings.database_url)
    in_child = batching and embedder is None
    embedder = embedder or MiniLMEmbedder()
    index = ensure_index(
        settings.corpus_dir, settings.index_dir, lambda: embedder, progress=progress
    )
    answerer: PolicyAnswerer | AnswerProcess
    if in_child:
        answerer = AnswerProcess(index_dir=settings.index_dir)
    else:
        answerer = PolicyAnswerer(index=index, embedder=embedder)
    if warm or in_child:
        answerer.answer(WARM_QUESTION)  # in a child: waits until it has started
    log.info("ready: %d clauses from %d document(s)", len(index.clauses), len(index.documents))
    return Assistant(
        settings=settings,
        store=store,
        answerer=BatchingAnswerer(answerer) if batching else answerer,
        approvals=ApprovalService(store=store, settings=settings),
    )
