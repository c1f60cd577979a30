"""Property tests: any inputs from any reachable state keep the form legal and lossless."""

from __future__ import annotations

from datetime import date, timedelta

from form_helpers import FULL_ANSWERS, ME, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.form import FormState, Step, current_question, start_form, step, summary_rows
from assistant.form.fields import FIELD_KEYS, HOSTS, PARTIES
from assistant.form.flow import applies, path
from assistant.form.intents import Command, parse_command
from assistant.form.parsing import person_key
from assistant.form.state import first_open
from assistant.messages import Action, Identity, Incoming

_WORDS = [
    "back",
    "skip",
    "cancel",
    "help",
    "?",
    "submit",
    "edit",
    "edit moderators",
    "edit audience",
    "edit host",
    "edit go live",
    "edit contributors",
    "change closure",
    "staff and parents",
    "pupils",
    "everyone",
    "1,3",
    "9",
    "third party",
    "facebook",
    "the school",
    "me",
    "Alice, Bob",
    "Alice and alice",
    "1/9/2026",
    "31/02/2027",
    "2026-12-25",
    "25th December 2026",
    "1/1/2020",
    "11-16",
    "Year 7-11",
    "16-11",
    "",
    "   ",
    "x" * 2100,
    "\x00\x1b",
    "others",
    "wait, can pupils comment?",
]
_texts = st.one_of(
    st.sampled_from(_WORDS), st.sampled_from(list(FULL_ANSWERS.values())), st.text(max_size=40)
)
_actions = st.one_of(
    st.builds(lambda t: Incoming(user=ME, text=t, display_name="Lena"), _texts),
    st.builds(
        lambda v: Incoming(user=ME, action=Action.FORM_CHOOSE, value=v),
        st.sampled_from([*HOSTS, *PARTIES, "bogus", ""]),
    ),
    st.builds(
        lambda f, vs: Incoming(user=ME, action=Action.FORM_CHOICES, value=f, values=tuple(vs)),
        st.sampled_from(["audience", "contributors", "host", ""]),
        st.lists(st.sampled_from([*PARTIES, "bogus"]), max_size=3),
    ),
    st.builds(
        lambda v: Incoming(user=ME, action=Action.FORM_EDIT, value=v),
        st.sampled_from([*FIELD_KEYS, "", "nope"]),
    ),
    st.sampled_from(
        [
            Action.FORM_BACK,
            Action.FORM_SKIP,
            Action.FORM_SUBMIT,
            Action.FORM_CANCEL,
            Action.FORM_START,
            Action.APPROVE,
        ]
    ).map(lambda a: Incoming(user=ME, action=a)),
    st.builds(lambda t: Incoming(user=ME, text=t, mentions=(Identity("slack", "UX"),)), _texts),
)


def _valid_answer(key: str, value, answers) -> bool:
    if key in ("administrators", "moderators"):
        return len({person_key(p) for p in value}) >= 2
    if key in ("author", "line_manager"):
        return len(value) == 1
    if key in ("audience", "contributors"):
        return bool(value) and set(value) <= set(PARTIES)
    if key == "closure":
        return value > answers["go_live"]
    if key.endswith("age_range"):
        return 3 <= value["low"] <= value["high"] <= 19
    return isinstance(value, str) and len(value) <= 2000


def _check_legal(state: FormState) -> None:
    assert isinstance(state.step, Step)
    for key, value in state.answers.items():
        assert key in FIELD_KEYS and applies(Step(key), state.answers), key
        assert _valid_answer(key, value, state.answers), (key, value)
    if state.step.is_field:
        assert applies(state.step, state.answers)
    if state.step is Step.REVIEW:
        assert first_open(state.answers) is Step.REVIEW
    if state.step is Step.CANCELLED:
        assert state.answers == {}
    assert FormState.from_json(state.to_json()) == state
    assert current_question(state).text


def _reached_by_rewrite(before: FormState, incoming: Incoming) -> bool:
    """True when this input may legitimately drop or change earlier answers."""
    if incoming.action is Action.FORM_CANCEL:
        return True
    command = parse_command(incoming.text) if incoming.action is None else None
    if command is not None and command.command is Command.CANCEL:
        return True
    # Re-answering a question (reached by back or edit) may drop follow-ups it controls.
    return before.step.value in before.answers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.integers(min_value=0, max_value=len(FULL_ANSWERS)),
    inputs=st.lists(_actions, max_size=25),
    days=st.integers(min_value=0, max_value=400),
)
def test_any_inputs_keep_a_legal_state_and_never_lose_accepted_answers(prefix, inputs, days):
    state, _ = start_form(today=TODAY)
    for _ in range(prefix):  # a reachable starting point part-way through the form
        if not state.step.is_field:
            break
        state = step(
            state, Incoming(user=ME, text=FULL_ANSWERS[state.step.value]), today=TODAY
        ).state
    today = TODAY + timedelta(days=days)
    for incoming in inputs:
        result = step(state, incoming, today=today)
        new = result.state
        _check_legal(new)
        # A submission is confirmed by the workflow (with its number); anything else gets a reply.
        assert result.messages or result.event is not None, "every input gets a reply"
        if not _reached_by_rewrite(state, incoming) and state.step is not Step.REVIEW:
            lost = set(state.answers) - set(new.answers)
            assert not lost, (incoming, lost)
            changed = {k for k in state.answers if new.answers.get(k) != state.answers[k]}
            assert changed <= {state.step.value, "closure", "host_name"}, changed
        if result.event is not None:
            assert new.step in (Step.SUBMITTED, Step.CANCELLED)
        state = new


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(list(Step)), max_size=6),
    st.dictionaries(
        st.sampled_from([*FIELD_KEYS, "junk"]),
        st.sampled_from(
            [
                "x",
                ["staff"],
                ["pupils", "others"],
                "third_party",
                "2026-09-01",
                7,
                None,
                [{"name": "A"}],
                {"low": 11, "high": 16},
                ["nope"],
            ]
        ),
        max_size=6,
    ),
    st.sampled_from([*(s.value for s in Step), "gone", None]),
)
def test_any_json_draft_loads_to_a_usable_state(history, answers, draft_step):
    import json

    text = json.dumps(
        {"step": "audience", "history": [s.value for s in history], "answers": answers, "extra": 1}
    )
    state = FormState.from_json(text)
    assert all(applies(Step(k), state.answers) for k in state.answers)
    assert state.step in (*path(state.answers), Step.REVIEW, Step.SUBMITTED, Step.CANCELLED)
    assert current_question(state).text
    summary_rows(state.answers)
    step(state, Incoming(user=ME, text="help"), today=date(2026, 1, 1))
