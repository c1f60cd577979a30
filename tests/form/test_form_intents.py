"""Recognising "start the form", commands, and a policy question asked mid-form."""

from __future__ import annotations

import pytest
from form_helpers import Conversation

from assistant.form import FormState, Step, is_policy_question, wants_form
from assistant.form.intents import Command, parse_command


@pytest.mark.parametrize(
    "text",
    [
        "I want to set up a Facebook page for the PE department",
        "start the approval form",
        "new site request",
        "can I make an instagram account for the school choir",
        "I'd like to create a class blog",
        "Can we launch a YouTube channel for the music department?",
        "I need to fill in the Appendix B form",
        "request a new social media account for Year 6",
    ],
)
def test_strong_phrases_start_the_form(text):
    assert wants_form(text)


@pytest.mark.parametrize(
    "text",
    [
        "can I use the school logo on my own page?",
        "Can pupils comment on the page?",
        "Should I accept friend requests from parents?",
        "How do I set up my personal Facebook account privacy?",
        "What does the policy say about monitoring?",
        "Can I make friends with pupils on Facebook?",
        "",
    ],
)
def test_related_policy_questions_do_not_start_the_form(text):
    assert not wants_form(text)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("back", Command.BACK),
        ("Go back", Command.BACK),
        ("skip", Command.SKIP),
        ("Cancel.", Command.CANCEL),
        ("?", Command.HELP),
        ("help", Command.HELP),
        ("submit", Command.SUBMIT),
        ("edit moderators", Command.EDIT),
        ("edit", Command.EDIT),
    ],
)
def test_commands(text, command):
    parsed = parse_command(text)
    assert parsed is not None and parsed.command is command


@pytest.mark.parametrize(
    "text", ["Editorial team", "Change the way families hear about fixtures", "back office"]
)
def test_answers_that_start_like_commands_stay_answers(text):
    assert parse_command(text) is None


def _at(step_name: str) -> FormState:
    chat = Conversation()
    chat.answer_until(step_name)
    return chat.state


@pytest.mark.parametrize(
    "text",
    [
        "wait, can pupils comment on the page?",
        "Can pupils comment on the page?",
        "hang on, do I need the Principal's approval for the logo?",
        "Are staff allowed to use their personal phones for this?",
    ],
)
def test_policy_questions_mid_form(text):
    assert is_policy_question(text, _at("aims"))


@pytest.mark.parametrize(
    "text",
    [
        "Share fixtures and results with families.",
        "Who will vet? The head of PE",
        "back",
        "To answer parents' questions?",
        "x" * 400 + "?",
    ],
)
def test_plain_answers_are_not_policy_questions(text):
    assert not is_policy_question(text, _at("aims"))


def test_no_policy_question_once_the_form_has_ended():
    assert not is_policy_question("can pupils comment?", FormState(step=Step.SUBMITTED))
    assert is_policy_question("can pupils comment?", _at("review"))
