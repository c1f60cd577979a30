"""Quotes and text in Teams show exactly as written, on clients that show backslashes too."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.adapters.teams.cards import activity_for, card, plain_text
from assistant.adapters.teams.markdown import ZWJ, escape_markdown, escape_text
from assistant.messages import Kind, Message
from assistant.texts import teams as texts
from tests.adapters.policy_clauses import citations_of, shipped_clauses

CLAUSES = shipped_clauses()
# A small model of what Teams' Markdown subset acts on, to check the escaping against.
_BLOCK = re.compile(r"^[ \t]{0,3}(?:[-+*][ \t]|\d{1,9}[.)](?:[ \t]|$)|#|>)", re.M)
_LINK = re.compile(r"(?<!\\)\]\s*\(")
_STAR = re.compile(r"(?<!\\)\*")
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z\\])_|(?<!\\)_(?![0-9A-Za-z])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def acts_on(text: str) -> list[str]:
    """The Markdown constructs Teams would read in ``text`` (empty: shown literally)."""
    found = [f"block {m.group(0)!r}" for m in _BLOCK.finditer(text)]
    found += [f"link at {m.start()}" for m in _LINK.finditer(text)]
    if len(_STAR.findall(text)) >= 2:
        found.append("emphasis *")
    if len(_EDGE_UNDERSCORE.findall(text)) >= 2:
        found.append("emphasis _")
    return found


def shown(text: str) -> str:
    """What a reader sees: joiners are invisible and a backslash escape shows its character."""
    return _ESCAPED.sub(r"\1", text.replace(ZWJ, ""))


@pytest.mark.parametrize("clause", CLAUSES, ids=[c.id for c in CLAUSES])
def test_every_clause_is_quoted_character_for_character(clause):
    for citation in citations_of(clause):
        rendered = card(
            Message("Here is what the policy says.", kind=Kind.ANSWER, citations=(citation,))
        )
        container = rendered["body"][1]
        title, quoted = container["items"]
        assert plain_text(title) == f"Clause {clause.id} · {clause.section}"
        assert plain_text(quoted) == citation.quote
        assert all(run["type"] == "TextRun" for run in quoted["inlines"])
        raw = json.dumps(rendered, ensure_ascii=False)
        assert "\\\\" not in raw and ZWJ not in raw  # no backslash, no joiner: nothing to show


def test_the_source_line_and_review_date_are_plain():
    citation = citations_of(CLAUSES[0])[0]
    rendered = card(Message("x", kind=Kind.ANSWER, citations=(citation,)))
    source = plain_text(rendered["body"][2])
    assert source == texts.REVIEWED.format(document=citation.document, reviewed="2024-09")


def test_message_text_keeps_its_lines():
    rendered = card(
        Message("First line.\nSecond - line.\n\n1. Third", kind=Kind.NOTICE, facts=(("a", "b"),))
    )
    block = rendered["body"][0]
    assert plain_text(block) == "First line.\nSecond - line.\n1. Third"
    assert [b.get("spacing") for b in block["items"]] == [None, "None", "Medium"]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Clause 6.3 applies to pupils.", "Clause 6.3 applies to pupils."),
        ("- a list?", ZWJ + "- a list?"),
        ("1. first\n2) second", ZWJ + "1. first\n" + ZWJ + "2) second"),
        ("# heading", ZWJ + "# heading"),
        ("[click](http://evil)", "[click]" + ZWJ + "(http://evil)"),
        ("**bold**", "\\*\\*bold\\*\\*"),
        ("5 * 3", "5 * 3"),
        ("snake_case_name", "snake_case_name"),
        ("_italic_", "\\_italic\\_"),
        ("a \\. b", "a \\\\. b"),
    ],
)
def test_only_what_the_subset_reads_is_escaped(text, escaped):
    assert escape_markdown(text) == escaped
    assert shown(escaped) == text and acts_on(escaped) == []


@given(st.text(alphabet=st.sampled_from(list("ab1. -*_#[]()>\\\n\t+")), max_size=40))
def test_escaped_text_reads_as_typed_and_formats_nothing(text):
    escaped = escape_markdown(text)
    assert acts_on(escaped) == []
    assert shown(escaped) == text


def test_facts_and_text_messages_are_escaped():
    rendered = card(Message("x", kind=Kind.REVIEW, facts=(("Aims", "**big** [x](y)"),)))
    fact = rendered["body"][1]["facts"][0]
    assert fact["value"] == "\\*\\*big\\*\\* [x]" + ZWJ + "(y)"
    plain = activity_for(Message("<b>hi</b> *there* in 6.3."))
    assert plain.text == "&lt;b&gt;hi&lt;/b&gt; \\*there\\* in 6.3."
    assert escape_text("a\nb") == "a\n\nb"
