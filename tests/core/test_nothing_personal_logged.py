"""At every level, the log carries no message text, form answer, name or identity."""

from __future__ import annotations

import io
import logging

from assistant.logs import configure_logging
from assistant.messages import Action, Kind, PostToChannel
from tests.core.conftest import BYSTANDER, LINE_MANAGER, SENIOR, TEACHER
from tests.core.test_conversation import fill_form, press, say
from tests.form.form_helpers import FULL_ANSWERS

QUESTION = "can I post the zebracorn club photos on my own instagram?"
REASON = "the quokka rota is not agreed yet"


def test_nothing_staff_wrote_is_logged_even_at_debug(make_core) -> None:
    out = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging("DEBUG", "json", stream=out)
    try:
        core = make_core()  # engines, migrations and the index load under DEBUG too
        say(core, TEACHER, QUESTION)
        effects = fill_form(core)
        (post,) = [e for e in effects if isinstance(e, PostToChannel)]
        approve = next(b for b in post.message.buttons if b.action is Action.APPROVE)
        press(core, BYSTANDER, Action.APPROVE, approve.value)  # refused: not theirs
        press(core, LINE_MANAGER, Action.APPROVE, approve.value)
        press(core, LINE_MANAGER, Action.APPROVE, approve.value)  # already decided
        press(core, LINE_MANAGER, Action.APPROVE, "no-such-request")  # an error path
        stage_two = core.store.find_requests()[0]
        replies = press(core, SENIOR, Action.REJECT, f"{stage_two.id}:senior_manager", REASON)
        assert replies and all(
            getattr(r, "message", None) is None or r.message.kind is not Kind.ANSWER
            for r in replies
        )
        core.store.save_draft(TEACHER, "{not json")
        say(core, TEACHER, "hello")  # an unreadable draft is logged, without whose it was
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)
    logged = out.getvalue()
    assert "ready:" in logged and "form draft could not be read" in logged  # it did log
    secrets = [QUESTION, "zebracorn", REASON, "quokka", *core.settings.people.values()]
    secrets += [v for v in FULL_ANSWERS.values() if len(v) > 8]
    for who in (TEACHER, LINE_MANAGER, SENIOR, BYSTANDER):
        secrets += [str(who), f'"{who.user_id}"', f" {who.user_id} "]
    leaked = [s for s in secrets if s.lower() in logged.lower()]
    assert not leaked, leaked
