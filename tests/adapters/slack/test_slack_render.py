"""Block Kit rendering: escaping and limits."""

from __future__ import annotations

import html

import pytest

from assistant.adapters.slack.render import (
    MAX_BLOCKS,
    MAX_SECTION_TEXT,
    blocks_for,
    citation_blocks,
    escape,
    home_view,
)
from assistant.messages import Action, Button, ChoiceSet, Citation, Message, Option
from tests.adapters.policy_clauses import citations_of, shipped_clauses


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("a & b", "a &amp; b"),
        ("&amp;", "&amp;amp;"),
        ("<@U123|x>", "&lt;@U123|x&gt;"),
        ("plain", "plain"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def _citation(i: int, quote: str = "Quote.") -> Citation:
    return Citation(
        clause_id=f"6.{i}",
        section="Personal use",
        quote=quote,
        score=1.0,
        document="Policy",
        reviewed="2012",
    )


def test_many_citations_stay_within_fifty_blocks_and_keep_the_buttons() -> None:
    message = Message(
        text="Answer",
        citations=tuple(_citation(i) for i in range(40)),
        buttons=(Button("Helpful", Action.HELPFUL, "A1"),),
    )
    blocks = blocks_for(message)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert "left out" in blocks[-2]["elements"][0]["text"]


def test_long_text_is_split_into_sections_within_the_limit() -> None:
    text = ("word & <thing> " * 800).strip()
    sections = [b["text"]["text"] for b in blocks_for(Message(text=text))]
    assert len(sections) > 1
    assert all(len(s) <= MAX_SECTION_TEXT for s in sections)
    assert " ".join(sections).count("&amp;") == 800  # no entity split between sections


def test_a_long_word_is_cut_without_splitting_an_entity() -> None:
    text = "&" * 5000
    sections = [b["text"]["text"] for b in blocks_for(Message(text=text))]
    assert all(len(s) <= MAX_SECTION_TEXT and s.endswith("&amp;") for s in sections)
    assert "".join(sections) == "&amp;" * 5000


def test_button_value_and_label_are_clipped_to_slack_limits() -> None:
    blocks = blocks_for(Message(text="x", buttons=(Button("L" * 100, Action.APPROVE, "v" * 3000),)))
    [button] = blocks[-1]["elements"]
    assert len(button["value"]) == 2000 and len(button["text"]["text"]) == 75


def test_many_single_choices_are_split_into_actions_blocks_of_25() -> None:
    options = tuple(Option(f"O{i}", f"o{i}") for i in range(30))
    blocks = blocks_for(Message(text="Pick", choices=ChoiceSet(options)))
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]


def test_reject_button_asks_for_a_reason() -> None:
    blocks = blocks_for(
        Message(
            text="x",
            buttons=(
                Button("Reject", Action.REJECT, "R1:principal", style="danger", needs_reason=True),
            ),
        )
    )
    [button] = blocks[-1]["elements"]
    assert button["action_id"] == "approval.reject|0|reason" and button["style"] == "danger"


def test_home_view_is_never_empty() -> None:
    assert home_view([])["blocks"][0]["type"] == "section"


@pytest.mark.parametrize("clause", shipped_clauses(), ids=[c.id for c in shipped_clauses()])
def test_every_clause_is_quoted_verbatim_in_slack(clause) -> None:
    for citation in citations_of(clause):
        text = citation_blocks(citation)[0]["text"]["text"]
        heading, *lines = text.split("\n")
        assert heading == f"*Clause {escape(clause.id)} · {escape(clause.section)}*"
        assert all(line.startswith("> ") for line in lines)
        assert html.unescape("\n".join(line[2:] for line in lines)) == citation.quote
        # mrkdwn has no escape for these: a quote carrying them would be reformatted.
        assert not set("*_~`") & set(citation.quote)


@pytest.mark.parametrize(
    ("action", "style"),
    [
        (Action.APPROVE, "primary"),
        (Action.REJECT, "danger"),
        (Action.WITHDRAW, ""),
        (Action.FORM_SUBMIT, "primary"),
    ],
)
def test_consequential_buttons_ask_are_you_sure(action: Action, style: str) -> None:
    *_, block = blocks_for(Message("x", buttons=(Button("Go", action, "1", style=style),)))
    confirm = block["elements"][0]["confirm"]
    assert set(confirm) >= {"title", "text", "confirm", "deny"}
    assert all(len(confirm[k]["text"]) <= (100, 300, 30, 30)[i] for i, k in
               enumerate(("title", "text", "confirm", "deny")))  # fmt: skip
    assert confirm.get("style") == ("danger" if style == "danger" else None)


def test_everyday_buttons_do_not_ask() -> None:
    *_, block = blocks_for(Message("x", buttons=(Button("Helpful", Action.HELPFUL, "1"),)))
    assert "confirm" not in block["elements"][0]


def test_the_note_modal_of_send_back_says_what_it_is_for() -> None:
    from assistant.adapters.slack.render import reason_modal

    back = reason_modal(metadata={"action": "approval.send_back", "value": "4:line_manager"})
    reject = reason_modal(metadata={"action": "approval.reject", "value": "4:line_manager"})
    assert back["title"]["text"] == "Send back for changes"
    assert back["submit"]["text"] == "Send back"
    assert back["blocks"][0]["label"]["text"] == "What should the requester change?"
    assert reject["title"]["text"] == "Reason for rejecting"
