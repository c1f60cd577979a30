"""The Appendix B "Social Media Site Creation Approval Form" as a guided conversation.

Pure and platform-free: :func:`start_form`, :func:`step` and :func:`current_question`
move a :class:`FormState` along the transition table in :mod:`assistant.form.flow`;
:func:`summary_rows` renders the answers; :func:`wants_form` and
:func:`is_policy_question` help the router decide what a text is; :func:`check_whole` and
:func:`review_whole` take the whole form at once (a dialog).
"""

from __future__ import annotations

from assistant.form.fields import FIELD_KEYS, FieldKind, Step
from assistant.form.flow import TRANSITIONS, Guard, Transition, next_step, path
from assistant.form.intents import is_policy_question, wants_form
from assistant.form.machine import (
    EventKind,
    FormEvent,
    FormState,
    StepResult,
    current_question,
    start_form,
    step,
)
from assistant.form.summary import final_answers, summary_rows, summary_text
from assistant.form.whole import (
    WholeField,
    WholeForm,
    check_whole,
    errors_message,
    review_whole,
    whole_fields,
)

__all__ = [
    "FIELD_KEYS",
    "TRANSITIONS",
    "EventKind",
    "FieldKind",
    "FormEvent",
    "FormState",
    "Guard",
    "Step",
    "StepResult",
    "Transition",
    "WholeField",
    "WholeForm",
    "check_whole",
    "current_question",
    "errors_message",
    "final_answers",
    "is_policy_question",
    "next_step",
    "path",
    "review_whole",
    "start_form",
    "step",
    "summary_rows",
    "summary_text",
    "wants_form",
    "whole_fields",
]
