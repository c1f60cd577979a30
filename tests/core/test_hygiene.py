"""Text hygiene through the real core: bidi controls out of answers, names and reasons;
reject reasons capped; database errors never shown or logged with SQL or form answers."""

from __future__ import annotations

import json
import logging

from sqlalchemy import text

from assistant.conversation import MAX_REASON
from assistant.messages import Action, Incoming, PrivateReply
from tests.core.conftest import LINE_MANAGER, TEACHER
from tests.core.test_conversation import fill_form, of_type, posted, press
from tests.core.test_robustness import fill_to_review

RLO = "\u202e"  # right-to-left override
ISOLATE = "\u2067"  # right-to-left isolate


def test_bidi_controls_are_stripped_from_answers_names_and_reasons(make_core):
    core = make_core()
    core.handle(Incoming(user=TEACHER, text="start the approval form"))
    core.handle(
        Incoming(user=TEACHER, text=f"PE {RLO}tnemtraped", display_name=f"Lena{ISOLATE} Lowe")
    )
    draft = json.loads(core.store.load_draft(TEACHER) or "{}")
    assert draft["answers"]["department"] == "PE tnemtraped"
    core.store.delete_draft(TEACHER)

    first = posted(fill_form(core), "#line-managers")
    value = next(b.value for b in first.message.buttons if b.action is Action.REJECT)
    press(core, LINE_MANAGER, Action.REJECT, value, text=f"Needs {RLO}two moderators")
    (decision,) = core.store.decisions(int(value.split(":")[0]))
    assert decision.reason == "Needs two moderators"


def test_a_reject_reason_longer_than_the_cap_is_refused_and_changes_nothing(make_core):
    core = make_core()
    first = posted(fill_form(core), "#line-managers")
    value = next(b.value for b in first.message.buttons if b.action is Action.REJECT)
    (refused,) = press(core, LINE_MANAGER, Action.REJECT, value, text="x" * (MAX_REASON + 1))
    assert isinstance(refused, PrivateReply)
    assert str(MAX_REASON) in refused.message.text
    request_id = int(value.split(":")[0])
    assert core.store.decisions(request_id) == []
    press(core, LINE_MANAGER, Action.REJECT, value, text="x" * MAX_REASON)
    assert len(core.store.decisions(request_id)[0].reason) == MAX_REASON


def _break_requests_table(core) -> None:
    """Make every INSERT into requests fail inside the database, as a full disk would."""
    with core.store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON requests "
                    "BEGIN SELECT RAISE(ABORT, 'no space left'); END"
                )
            )
            return
        connection.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'no space left'; END $$"
            )
        )
        connection.execute(
            text("CREATE TRIGGER refuse BEFORE INSERT ON requests EXECUTE FUNCTION refuse()")
        )


def test_a_database_error_shows_a_fixed_sentence_and_logs_no_sql_or_answers(make_core, caplog):
    core = make_core()
    fill_to_review(core)
    _break_requests_table(core)
    caplog.set_level(logging.DEBUG)
    effects = press(core, TEACHER, Action.FORM_SUBMIT, "")
    shown = " ".join(e.message.text for e in effects)
    logged = caplog.text + " ".join(
        logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info
    )
    for secret in ("Share fixtures and results with families", "Hillside Academy"):
        assert secret not in shown and secret not in logged
    assert "SQL" not in shown and "INSERT" not in shown and "parameters" not in shown
    assert "[parameters:" not in logged
    assert "database" in shown.lower()
    # Nothing was lost: the draft is still there to submit again.
    assert core.store.load_draft(TEACHER) is not None
    assert of_type(effects, PrivateReply) or effects
