"""Which messages lean on the question before them, and how they are searched."""

from __future__ import annotations

import pytest

from assistant.policy import followup
from assistant.policy.answer import PolicyAnswer

EARLIER = "can I friend a former pupil on facebook?"


@pytest.mark.parametrize(
    "question",
    [
        "what if they're 18 now?",
        "and moderators?",
        "who signs it off?",
        "what about videos?",
        "even if I say it's just my view?",
        "who do I tell?",
        "can pupils be named on it?",
    ],
)
def test_a_follow_up_is_searched_after_the_earlier_question(question):
    reading = followup.read(question, EARLIER)
    assert reading.with_earlier
    assert reading.query == f"{EARLIER} {question}"


@pytest.mark.parametrize(
    "question",
    [
        "can I friend colleagues on facebook?",
        "what does 5.2 say?",
        "and what does A.5.6 say?",
        "who has overall responsibility for this policy?",
        "am I allowed to criticise a supplier online?",
    ],
)
def test_a_question_that_stands_alone_is_searched_alone(question):
    reading = followup.read(question, EARLIER)
    assert not reading.with_earlier
    assert reading.query == question


def test_new_question_drops_the_earlier_one_and_keeps_the_rest():
    reading = followup.read("New question: and moderators?", EARLIER)
    assert reading.fresh and not reading.with_earlier
    assert reading.query == "and moderators?"
    assert followup.read("new question", EARLIER).asked == ""


def test_without_an_earlier_question_everything_stands_alone():
    assert followup.read("and moderators?", None).query == "and moderators?"


def test_a_follow_up_too_long_to_join_is_asked_alone():
    reading = followup.read("and " + "moderators " * 95, EARLIER)
    assert not reading.with_earlier


def test_the_topic_is_the_earlier_question_defused_and_cut():
    assert followup.topic("<!channel> can I *friend* a pupil?") == "can I friend a pupil?"
    long = "can I " + "really " * 30 + "friend a pupil?"
    cut = followup.topic(long)
    assert len(cut) <= followup.TOPIC_CHARS + 1 and cut.endswith("\u2026")


def _answer(question: str, *, answered: bool) -> PolicyAnswer:
    return PolicyAnswer(
        question=question, answered=answered, out_of_scope=0.1 if answered else 0.99
    )


def test_a_follow_up_naming_a_topic_the_policy_refuses_alone_is_refused():
    reading = followup.read("what about my pension?", EARLIER)
    assert followup.queries(reading) == [reading.query, "what about my pension?"]
    joined = _answer(reading.query, answered=True)
    alone = _answer(reading.asked, answered=False)
    assert followup.settle(reading, [joined, alone]) == (alone, False)


def test_a_follow_up_naming_nothing_of_its_own_is_read_with_the_earlier_question():
    for question in ("why not?", "and how many of them?", "what if they're 18 now?"):
        reading = followup.read(question, EARLIER)
        joined = _answer(reading.query, answered=True)
        alone = _answer(reading.asked, answered=False)
        assert followup.settle(reading, [joined, alone]) == (joined, True), question
