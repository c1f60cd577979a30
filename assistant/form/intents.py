"""What a typed text means to the form: "start the form", a command, or a policy question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from assistant.form.fields import Step, find_step
from assistant.form.parsing import clean

if TYPE_CHECKING:
    from assistant.form.state import FormState

# ---- starting the form -------------------------------------------------------------------

_FORM_NAMES = re.compile(
    r"\b(approval form|site creation form|site approval form|appendix b|site request|"
    r"new (social media )?(site|page|account|channel|blog)( request)?|"
    r"request (a |for a )?(new )?(social media )?(site|page|account|blog|channel))\b"
)
_CREATE = re.compile(
    r"\b(set ?up|setup|create|creating|make|making|start|starting|open|launch|build|register|"
    r"get|have|run)\b(?:\W+\w+){0,8}?\W+(page|pages|account|accounts|site|sites|blog|blogs|"
    r"channel|channels|group|profile|feed|vlog|podcast|handle|presence|forum|website)\b"
)
_PERSONAL = re.compile(
    r"\b(my|our own|my own|personal|private)\s+(own\s+)?(\w+\s+)?(page|account|profile|feed|"
    r"blog|site)\b|\bgroup chat\b|\bwhatsapp\b"
)


def wants_form(text: str) -> bool:
    """True when the person asks to set up a school social media site (so offer the form)."""
    t = " ".join(clean(text).lower().replace("’", "'").split())
    if not t or len(t) > 500:
        return False
    if _FORM_NAMES.search(t):
        return True
    return bool(_CREATE.search(t)) and not _PERSONAL.search(t)


# ---- commands ----------------------------------------------------------------------------


class Command(StrEnum):
    """A typed command (or its button) at any question."""

    BACK = "back"
    SKIP = "skip"
    EDIT = "edit"
    CANCEL = "cancel"
    HELP = "help"
    SUBMIT = "submit"


@dataclass(frozen=True)
class ParsedCommand:
    """A command and, for edit, the field named (None when none or unknown)."""

    command: Command
    target: Step | None = None
    name: str = ""


_WORDS: dict[str, Command] = {
    **dict.fromkeys(("back", "go back", "previous", "previous question", "undo"), Command.BACK),
    **dict.fromkeys(
        ("skip", "skip it", "skip this", "skip question", "skip this one"), Command.SKIP
    ),
    **dict.fromkeys(
        (
            "cancel",
            "cancel form",
            "cancel the form",
            "cancel it",
            "stop",
            "quit",
            "abort",
            "exit",
            "discard",
            "discard the form",
            "abandon",
        ),
        Command.CANCEL,
    ),
    **dict.fromkeys(("help", "?", "hint", "what", "huh", "pardon"), Command.HELP),
    **dict.fromkeys(
        ("submit", "submit it", "submit form", "submit the form", "send", "send it", "confirm"),
        Command.SUBMIT,
    ),
}
_EDIT = re.compile(r"^(edit|change|update|amend|correct|fix|redo)\b\s*(?:my |the )?(.*)$")


def _normal(text: str) -> str:
    return " ".join(clean(text).lower().strip(" .!").split())


def parse_command(text: str) -> ParsedCommand | None:
    """The command ``text`` is, or None when it is an answer."""
    t = _normal(text)
    if t in _WORDS:
        return ParsedCommand(_WORDS[t])
    if m := _EDIT.match(t):
        verb, name = m.group(1), m.group(2).strip()
        target = find_step(name) if name else None
        if target is not None or verb == "edit":
            return ParsedCommand(Command.EDIT, target, name)
    return None


# ---- a policy question in the middle of the form -----------------------------------------

_INTERJECTION = re.compile(
    r"^(wait|hang on|hold on|quick question|one question|sorry|actually|before i answer|"
    r"just checking|by the way|btw|oh|hmm|um|question)\b[\s,:;.!-]*"
)
_QUESTION_START = re.compile(
    r"^(can|could|may|might|should|must|is|are|am|do|does|did|will|would|what|why|how|who|"
    r"whom|when|where|which|isn't|aren't|can't|shouldn't|don't|doesn't|is it|are we|am i)\b"
)


def is_policy_question(text: str, state: FormState) -> bool:
    """True when, mid-form, ``text`` reads as a question to answer from the policy, not as
    an answer ("wait, can pupils comment on the page?")."""
    if not state.step.is_field and state.step is not Step.REVIEW:
        return False
    if parse_command(text) is not None:
        return False
    t = _normal(text)
    if not t or len(t) > 300:
        return False
    rest = _INTERJECTION.sub("", t)
    interjected = rest != t
    asks = bool(_QUESTION_START.match(rest))
    if t.endswith("?"):
        return asks or interjected
    return interjected and asks
