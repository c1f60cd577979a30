"""A hung answer process, in a real child over the real core (SQLite and PostgreSQL): staff
are told to try again, a new child answers the next question, and the restart is counted."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.app import Service, build_service
from assistant.messages import Action, Incoming, Kind, Reply
from assistant.texts.policy import TOO_SLOW
from tests.core.conftest import TEACHER, core_settings
from tests.core.stalling import STALLING_QUESTION, StallingEmbedder
from tests.core.test_conversation import of_type, say
from tests.form.form_helpers import FULL_ANSWERS

TIMEOUT_S = 2.0


@pytest.fixture
def stalling_service(db_url: str, tmp_path: Path, hashing_index_dir: Path) -> Iterator[Service]:
    """The server's service, answering in a child whose embedder hangs on one question."""
    settings = dataclasses.replace(
        core_settings(tmp_path, db_url, hashing_index_dir), answer_timeout_s=TIMEOUT_S
    )
    service = build_service(settings, child_embedder=StallingEmbedder, batching=True)
    yield service
    service.close()


def test_staff_are_told_to_try_again_and_the_next_question_is_answered(
    stalling_service: Service,
) -> None:
    core = stalling_service.core
    [hung] = of_type(say(core, TEACHER, STALLING_QUESTION), Reply)
    assert hung.message.text == TOO_SLOW and hung.message.kind is Kind.ERROR
    [answered] = of_type(say(core, TEACHER, "what does 6.3 say?"), Reply)
    assert "6.3" in answered.message.text and answered.message.buttons
    text, _ = stalling_service.metrics.render()
    assert b'assistant_answerer_restarts_total{reason="timeout"} 1.0' in text
    assert b'assistant_questions_total{outcome="timed_out"} 1.0' in text


def test_only_what_waits_for_the_answerer_is_sent_to_the_answering_threads(make_core) -> None:
    core = make_core()

    def asks(text: str = "", action: Action | None = None, direct: bool = True) -> bool:
        incoming = Incoming(user=TEACHER, text=text, action=action, value="1", direct=direct)
        return core.needs_answerer(incoming)

    assert asks("can I friend a former pupil?")
    assert not asks("thanks") and not asks("my requests") and not asks("")
    assert not asks("I want to set up a Facebook page for the PE department")
    say(core, TEACHER, "I want to set up a Facebook page for the PE department")
    assert not asks(FULL_ANSWERS["department"])  # a form step
    assert asks("what does 6.3 say?")  # a policy question in the middle of the form
    assert asks("what does 6.3 say?", direct=False)
    assert not asks("PE", direct=False)  # in a channel: told the form is in the DM
    for action in (Action.APPROVE, Action.REJECT, Action.WITHDRAW, Action.FORM_SUBMIT):
        assert not asks("can I friend a former pupil?", action=action)
