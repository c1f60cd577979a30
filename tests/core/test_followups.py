"""Follow-ups through the core: read with the person's earlier question in one conversation,
never across people or conversations, and not after the context has expired."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import func, select, update

from assistant.conversation import Assistant
from assistant.messages import Incoming, Reply
from assistant.storage.models import AnswerRow, EarlierQuestionRow
from assistant.storage.request_repository import utcnow
from assistant.texts import policy as texts
from tests.core.conftest import BYSTANDER, TEACHER

FIRST = "how many administrators does a school site need?"
LEAD = "Reading this with your earlier question"


def ask(core: Assistant, text: str, *, who=TEACHER, conversation: str = "console:s1") -> str:
    [effect] = core.handle(Incoming(user=who, text=text, conversation=conversation))
    assert isinstance(effect, Reply)
    return effect.message.text


def test_a_follow_up_names_the_earlier_question_and_is_logged_as_typed(make_core):
    core = make_core()
    assert LEAD not in ask(core, FIRST)
    text = ask(core, "and moderators?")
    assert text.startswith(texts.READ_WITH_EARLIER.format(earlier=FIRST))
    # The topic stays the first question while follow-ups lean on it.
    assert FIRST in ask(core, "and how many of them?")
    with core.store._sessions() as session:
        logged = session.scalars(select(AnswerRow.question).order_by(AnswerRow.id)).all()
    assert logged == [FIRST, "and moderators?", "and how many of them?"]


def test_a_question_that_stands_alone_does_not_inherit_the_topic(make_core):
    core = make_core()
    ask(core, FIRST)
    assert LEAD not in ask(core, "can I friend colleagues on facebook?")
    assert LEAD not in ask(core, "what does 5.2 say?")
    # The new topic is now the one a follow-up is read with.
    assert "what does 5.2 say?" in ask(core, "and on linkedin?")


def test_context_is_never_shared_across_people_or_conversations(make_core):
    core = make_core()
    ask(core, FIRST)
    assert LEAD not in ask(core, "and moderators?", who=BYSTANDER)
    assert LEAD not in ask(core, "and moderators?", conversation="console:s2")
    assert LEAD not in ask(core, "and moderators?", conversation="")


def test_context_expires_and_expired_questions_are_deleted(make_core):
    core = make_core()
    ask(core, FIRST)
    ask(core, "can I friend colleagues on facebook?", who=BYSTANDER, conversation="console:b")
    old = utcnow() - timedelta(minutes=16)
    with core.store._sessions.begin() as session:
        session.execute(update(EarlierQuestionRow).values(asked_at=old))
    assert LEAD not in ask(core, "and moderators?")
    with core.store._sessions() as session:
        kept = session.scalars(select(EarlierQuestionRow.identity)).all()
    assert kept == [str(TEACHER)]  # the bystander's expired question went with the save
    with core.store._sessions.begin() as session:
        session.execute(update(EarlierQuestionRow).values(asked_at=old))
    assert core.store.purge_earlier(timedelta(minutes=15)) == 1
    with core.store._sessions() as session:
        assert session.scalar(select(func.count()).select_from(EarlierQuestionRow)) == 0


def test_new_question_starts_afresh(make_core):
    core = make_core()
    ask(core, FIRST)
    assert ask(core, "new question") == texts.NEW_QUESTION_READY
    assert LEAD not in ask(core, "and moderators?")
    ask(core, FIRST)
    assert LEAD not in ask(core, "new question: and moderators?")


def test_no_context_is_kept_when_follow_ups_are_turned_off(make_core):
    core = make_core()
    core.settings = dataclasses.replace(core.settings, followup_minutes=0)
    ask(core, FIRST)
    assert LEAD not in ask(core, "and moderators?")
    with core.store._sessions() as session:
        assert session.scalar(select(func.count()).select_from(EarlierQuestionRow)) == 0
