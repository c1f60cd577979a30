"""Which way a typed message goes: a policy question, a form step, or a short reply.

Deciding reads nothing but the person's draft (and whether they have requests, for a typed
"submit"), so an adapter can ask first and run questions, which wait for the answerer, apart
from everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum

from assistant import form
from assistant.texts import chat as texts
from assistant.texts import form as form_texts

_HELP_WORDS = {"help", "hi", "hello", "hey", "start", "menu", "?", "what can you do"}
_HOME_WORDS = {"my requests", "requests", "status", "home", "my status", "what's waiting"}
# Said to close a chat, not to ask the policy anything ("quit" would otherwise find 6.3,
# "on leaving ... service").
_THANKS_WORDS = {
    "thanks", "thank you", "thankyou", "thx", "ty", "ta", "cheers", "many thanks",
    "thanks a lot", "thank you so much", "ok thanks", "great thanks", "perfect thanks",
    "brilliant thanks", "lovely thanks", "that's great thanks", "thats great thanks",
}  # fmt: skip
_BYE_WORDS = {"bye", "bye bye", "goodbye", "see you", "see ya", "cya", "quit", "exit", "done"}
_PUNCTUATION = re.compile(r"[^\w\s']+")


class Route(Enum):
    """Where a typed message goes."""

    QUESTION = "question"  # answered from the policy
    QUESTION_MID_FORM = "question mid form"  # answered, then back to the form's question
    FORM_IN_DM = "form in dm"  # in a channel, with a draft open: the form stays in the DM
    RESUME_FORM = "resume form"
    NO_WHOLE_FORM = "no whole form"  # the whole-form button's words typed
    FORM_STEP = "form step"
    GREETING = "greeting"
    HELP = "help"
    HOME = "home"
    THANKS = "thanks"
    BYE = "bye"
    ALREADY_SUBMITTED = "already submitted"
    START_FORM = "start form"


ASKS_THE_ANSWERER = frozenset({Route.QUESTION, Route.QUESTION_MID_FORM})
# What is said for each route that needs neither the answerer nor the form's next step.
REPLIES = {
    Route.GREETING: texts.GREETING + " " + texts.HELP,
    Route.HELP: texts.HELP,
    Route.THANKS: texts.YOU_ARE_WELCOME,
    Route.BYE: texts.GOODBYE,
    Route.ALREADY_SUBMITTED: texts.ALREADY_SUBMITTED,
    Route.QUESTION_MID_FORM: texts.BACK_TO_FORM,  # after the answer, with the form's question
    Route.FORM_IN_DM: texts.FORM_IN_DIRECT_MESSAGES,
    Route.RESUME_FORM: texts.RESUMING_FORM,
}


def route(
    text: str,
    state: form.FormState | None,
    *,
    direct: bool,
    has_requests: Callable[[], bool],
) -> Route:
    """The route of ``text`` (stripped) from someone whose draft is ``state``."""
    if state is not None and not direct:
        # In a channel only the question is answered; the draft stays in the DM.
        return Route.QUESTION if text and form.is_policy_question(text, state) else Route.FORM_IN_DM
    if state is not None:
        if not text:
            return Route.RESUME_FORM
        if text.lower() == form_texts.BUTTON_WHOLE_FORM.lower():
            return Route.NO_WHOLE_FORM  # the button typed in a console
        if form.is_policy_question(text, state):
            return Route.QUESTION_MID_FORM
        return Route.FORM_STEP
    lowered = text.lower().rstrip("!.?") or "?"
    if not text:
        return Route.GREETING
    if lowered in _HELP_WORDS:
        return Route.HELP
    if lowered in _HOME_WORDS:
        return Route.HOME
    bare = " ".join(_PUNCTUATION.sub(" ", lowered).split())
    if bare in _THANKS_WORDS:
        return Route.THANKS
    if bare in _BYE_WORDS:
        return Route.BYE
    if lowered == "submit" and has_requests():
        return Route.ALREADY_SUBMITTED  # typed while the button was pressed
    if form.wants_form(text):
        return Route.START_FORM
    return Route.QUESTION
