"""Native inputs in the step-by-step form: a date picker and text boxes, answered as if typed."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from teams_fakes import card_of, card_text, wait_for
from teams_settings import make_settings

from assistant.adapters.teams.cards import card
from assistant.form import prompts
from assistant.form.fields import FIELD_STEPS, FieldKind, Step, kind_of
from assistant.messages import Identity

CORPUS = Path(__file__).resolve().parents[3] / "policy_corpus"


def inputs(of: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in of["body"] if str(e.get("type", "")).startswith("Input.")]


def next_button(of: dict[str, Any]) -> dict[str, Any]:
    [found] = [a for a in of["actions"] if a.get("data", {}).get("form_answer")]
    return found


@pytest.mark.parametrize("step", [Step.GO_LIVE, Step.CLOSURE])
def test_a_date_question_has_a_date_picker(step):
    shown = card(prompts.question(step, {}, can_go_back=True))
    [picker] = inputs(shown)
    assert picker["type"] == "Input.Date" and picker["id"] == "answer"
    assert picker["isRequired"] is True
    assert next_button(shown)["data"] == {"form_answer": step.value}
    # Back and Cancel are not held up by an empty date
    others = [a for a in shown["actions"] if a is not next_button(shown)]
    assert [a["data"]["action"] for a in others] == ["form.back", "form.cancel"]
    assert all(a["associatedInputs"] == "none" for a in others)


def test_each_typed_question_gets_its_box_and_only_those():
    expected = {
        FieldKind.DATE: ("Input.Date", None),
        FieldKind.TEXT: ("Input.Text", True),
        FieldKind.AGE_RANGE: ("Input.Text", False),
    }
    for step in FIELD_STEPS:
        shown = card(prompts.question(step, {}, can_go_back=False))
        boxes = [(e["type"], e.get("isMultiline")) for e in inputs(shown) if e["id"] == "answer"]
        kind = kind_of(step)
        assert boxes == ([expected[kind]] if kind in expected else []), step
        submits = [a["data"] for a in shown.get("actions", []) if "form_answer" in a["data"]]
        assert submits == ([{"form_answer": step.value}] if boxes else []), step


async def test_a_card_answer_reaches_the_core_as_typed_text(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    value = {"form_answer": "aims", "answer": "  Show pupils' art\nto families  "}
    submit = {**payload("card_submit"), "serviceUrl": url, "value": value}
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        assert await bot.post(submit) == 200
        await wait_for(lambda: len(fake.sent("reply")) == 1)
    [incoming] = scripted_core.handled
    assert incoming.action is None and incoming.value == ""
    assert incoming.text == "Show pupils' art\nto families"
    # The card answered in keeps the question and the answer, and no input to answer again.
    [update] = fake.sent("update")
    assert update.activity_id == submit["replyToId"]
    old = card_of(update.body)
    assert inputs(old) == [] and "actions" not in old
    text = card_text(old)
    assert "What are the aims" in text and "You entered: Show pupils' art" in text


async def test_a_picked_date_answers_the_real_form(serve, connector, payload, tmp_path):
    app = pytest.importorskip("assistant.app")
    from assistant.form.state import FormState
    from assistant.policy.embedder import HashingEmbedder
    from tests.workflow.conftest import answers

    settings = dataclasses.replace(
        make_settings(tmp_path), corpus_dir=CORPUS, index_dir=tmp_path / "index"
    )
    core = app.build_core(settings, embedder=HashingEmbedder())
    requester = Identity("teams", "trial:aad-requester-0001")  # the trial's identity
    before = {k: v for k, v in answers().items() if k not in ("go_live", "closure")}
    before = {k: v for k, v in before.items() if k not in ("advertising", "consent", "security")}
    core.store.save_draft(requester, FormState(step=Step.GO_LIVE, answers=before).to_json())
    picked = (date.today() + timedelta(days=40)).isoformat()  # what Input.Date sends
    fake, url = connector
    value = {"form_answer": "go_live", "answer": picked}
    submit = {**payload("card_submit"), "serviceUrl": url, "value": value}
    async with serve(core, settings) as bot:
        assert await bot.post(submit) == 200
        await wait_for(lambda: len(fake.sent("reply")) >= 1, timeout=60)
    closure = card_of(fake.sent("reply")[-1].body)
    assert [e["type"] for e in inputs(closure)] == ["Input.Date"]
    assert next_button(closure)["data"] == {"form_answer": "closure"}
    saved = FormState.from_json(core.store.load_draft(requester))
    assert (saved.step, saved.answers["go_live"]) == (Step.CLOSURE, picked)
    [update] = fake.sent("update")
    shown = date.fromisoformat(picked)
    assert f"You entered: {shown.day} {shown:%B %Y}" in card_text(card_of(update.body))
