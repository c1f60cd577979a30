"""The parser on the trust's real export and on the shapes other schools' exports take."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.policy.model import Clause
from assistant.policy.parser import document_title, parse_policy, preamble_dates, sentence_case
from assistant.policy.titles import word_forms

ROOT = Path(__file__).resolve().parents[2]
WOOTTON = ROOT / "policy_corpus" / "wootton-social-media-policy.txt"


def _ids(prefix: str, last: int, first: int = 1) -> list[str]:
    return [f"{prefix}{n}" for n in range(first, last + 1)]


def _letters(parent: str, last: str) -> list[str]:
    return [f"{parent}({chr(c)})" for c in range(ord("a"), ord(last) + 1)]


EXPECTED_IDS = (
    _ids("1.", 5)
    + _ids("2.", 2)
    + _ids("3.", 4)
    + _ids("4.", 3)
    + ["5.1", *_letters("5.1", "h"), "5.2", "5.3", "5.4"]
    + _ids("6.", 4)
    + _ids("7.", 4)
    + _ids("8.", 4)
    + ["9", "10.1", "10.2", "10.2(a)"]
    + [f"10.2(a)({r})" for r in ("i", "ii", "iii", "iv")]
    + _letters("10.2", "i")[1:]
    + ["10.3", *_letters("10.3", "d"), "10.4", *_letters("10.4", "b")]
    + _ids("11.", 3)
    + _ids("A.1.", 7)
    + _ids("A.2.", 7)
    + _ids("A.3.", 7)
    + _ids("A.4.", 10)
    + _ids("A.5.", 9)
)


def _normalised_source(text: str) -> str:
    """The source with only export artefacts removed, written independently of the parser."""
    lines = []
    for line in text.splitlines():
        line = line.replace("*", "").strip()
        line = re.sub(r"^(- )+", "", line)
        line = re.sub(r"^\d+\.\d+ (?=A\.\d)", "", line)
        lines.append(line)
    return " ".join(" ".join(lines).split())


@pytest.fixture(scope="module")
def wootton_text() -> str:
    return WOOTTON.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def wootton(wootton_text: str) -> dict[str, Clause]:
    clauses = parse_policy(wootton_text, doc_id="wootton-social-media-policy")
    return {clause.id: clause for clause in clauses}


def test_wootton_has_exactly_the_expected_clauses_in_order(wootton_text: str) -> None:
    clauses = parse_policy(wootton_text, doc_id="wootton")
    assert len(EXPECTED_IDS) == 105
    assert [c.id for c in clauses] == EXPECTED_IDS
    assert [c.order for c in clauses] == list(range(len(clauses)))
    assert {c.document for c in clauses} == {"wootton"}


@pytest.mark.parametrize(
    ("clause_id", "number", "section"),
    [
        ("1.3", "1", "Policy statement"),
        ("2.1", "2", "Who is covered by the policy?"),
        ("4.3", "4", "Personnel responsible for implementing the policy"),
        ("6.3", "6", "Personal use of social media"),
        ("9", "9", "Recruitment"),
        ("10.2(a)(ii)", "10", "Responsible use of social media"),
        ("11.1", "11", "Monitoring and review of this policy"),
        ("A.1.1", "A.1", "Creation of sites"),
        ("A.2.2", "A.2", "Children and young people"),
        ("A.3.6", "A.3", "Approval for creation of or participation in webspace"),
        ("A.5.7", "A.5", "Contributors and moderation of content"),
    ],
)
def test_wootton_section_titles(
    wootton: dict[str, Clause], clause_id: str, number: str, section: str
) -> None:
    assert wootton[clause_id].section_number == number
    assert wootton[clause_id].section == section


def test_every_clause_and_lead_in_is_verbatim(
    wootton: dict[str, Clause], wootton_text: str
) -> None:
    source = _normalised_source(wootton_text)
    for clause in wootton.values():
        assert clause.text, clause.id
        assert clause.text in source, clause.id
        assert clause.lead_in in source, clause.id
        assert "**" not in clause.text and "  " not in clause.text


@pytest.mark.parametrize(
    ("clause_id", "joined"),
    [
        ("3.2", "The policy applies regardless of whether the social media is accessed"),
        ("6.4", "It is also strongly advised that privacy levels"),
        ("A.2.2", "treat online 'friends' as real friends, be targets for 'grooming'"),
    ],
)
def test_clauses_split_by_a_page_break_are_joined(
    wootton: dict[str, Clause], clause_id: str, joined: str
) -> None:
    assert joined in wootton[clause_id].text


def test_wootton_clause_texts(wootton: dict[str, Clause]) -> None:
    assert wootton["A.1.1"].text.startswith("Staff members participating in social media")
    assert "11.5" not in wootton["A.1.1"].text
    assert wootton["9"].text.startswith("We may use internet searches")
    assert wootton["8.4"].text == (
        "The use of social media for business purposes is subject to the remainder of this policy."
    )
    assert wootton["6.1"].text.startswith("We do not permit")
    assert wootton["5.1(e)"].text == (
        "harass or bully other staff in any way OR breach our Anti-Bullying Policy "
        "and/or our Dignity at Work Policy;"
    )
    assert wootton["10.2"].text == "Protecting our reputation:"
    assert wootton["10.2(i)"].text.startswith("If you see content in social media")
    # The words after "(iv)" run on in the export; they stay with (iv), verbatim.
    assert wootton["10.2(a)(iv)"].text.startswith("other affiliates and stakeholders,but staff")
    assert wootton["10.2(a)(iv)"].text.endswith("even indirectly.")


def test_sub_clauses_carry_their_parents_lead_in(wootton: dict[str, Clause]) -> None:
    lead_5_1 = "For example, employees are prohibited from using social media to:"
    assert wootton["5.1(d)"].lead_in == lead_5_1 and wootton["5.1(d)"].parent == "5.1"
    assert wootton["5.1(a)"].lead_in == lead_5_1
    about = "Staff must not post disparaging or defamatory statements about:"
    assert wootton["10.2(a)(ii)"].lead_in == about
    assert wootton["10.2(a)(ii)"].parent == "10.2(a)"
    assert wootton["10.2(f)"].lead_in == "Protecting our reputation:"
    assert wootton["10.2(f)"].parent == "10.2"
    assert wootton["10.2(i)"].parent == "10.2"
    assert wootton["10.4(b)"].lead_in == "Respecting colleagues, clients, partners and suppliers:"
    assert wootton["6.3"].lead_in == "" and wootton["6.3"].parent is None
    assert wootton["A.5.7"].parent is None


def test_nothing_from_the_contents_preamble_or_appendix_b(wootton: dict[str, Clause]) -> None:
    texts = " ".join(c.text for c in wootton.values())
    for phrase in (
        "This policy applies to all schools",
        "adopted by Wootton",
        "Policy statement",
        "Requirements for creating social media sites",
        "TEAM DETAILS",
        "Name of author of site",
        "Please tick all that apply",
        "Members of the public",
        "Signature",
        "I approve the aims",
    ):
        assert phrase not in texts, phrase


def test_wootton_title_and_preamble_dates(wootton_text: str) -> None:
    assert document_title(wootton_text) == "Wootton Academy Trust Social Media Policy"
    assert preamble_dates(wootton_text) == ("December 2012", "December 2012")


def test_sentence_case() -> None:
    forms_text = "We told the Principal and the Principal agreed; our IT team and the policy."
    forms = word_forms([forms_text])
    assert sentence_case("ROLE OF THE PRINCIPAL", forms) == "Role of the Principal"
    assert sentence_case("Use Of IT Equipment", forms) == "Use of IT equipment"
    assert sentence_case("WHO IS COVERED BY THE POLICY?", forms) == "Who is covered by the policy?"
    assert sentence_case("Personal use of social media") == "Personal use of social media"


# Other schools' exports, one shape each.


def _parse(text: str) -> dict[str, Clause]:
    return {clause.id: clause for clause in parse_policy(text, doc_id="school")}


def test_number_alone_on_its_line_with_the_text_below() -> None:
    clauses = _parse(
        "1. INTRODUCTION\n\n1.1\nThis policy sets out how staff\nuse social media.\n\n"
        "1.2\n\nStaff must read it.\n"
    )
    assert list(clauses) == ["1.1", "1.2"]
    assert clauses["1.1"].text == "This policy sets out how staff use social media."
    assert clauses["1.2"].text == "Staff must read it."
    assert clauses["1.1"].section == "Introduction"


def test_number_run_into_the_text() -> None:
    clauses = _parse(
        "2. Staff Conduct Online\n2.1Social media must not be used to contact pupils.\n"
        "2.2Staff must keep accounts private.\n"
    )
    assert clauses["2.1"].text == "Social media must not be used to contact pupils."
    assert clauses["2.2"].text == "Staff must keep accounts private."
    assert clauses["2.2"].section == "Staff conduct online"


def test_three_levels_with_sub_headings() -> None:
    clauses = _parse(
        "1. PURPOSE\n1.1 Aims\n1.1.1 This policy protects pupils and staff.\n"
        "1.1.2 Staff must follow these rules:\n1.1.2.1 never share passwords;\n"
        "1.2 Staff must read the policy every year.\n"
    )
    assert list(clauses) == ["1.1.1", "1.1.2", "1.1.2.1", "1.2"]
    assert clauses["1.1.1"].section_number == "1" and clauses["1.1.1"].parent is None
    assert clauses["1.1.2.1"].parent == "1.1.2"
    assert clauses["1.1.2.1"].lead_in == "Staff must follow these rules:"


@pytest.mark.parametrize(
    "contents",
    [
        "CONTENTS\n1. Purpose ........ 2\n2. Staff Conduct ........ 3\n",
        "Contents\n1.\tPurpose\t2\n2.\tStaff Conduct\t3\n",
        "Table of Contents\n1 Purpose\n2 Staff Conduct\n",
        "Contents\nPurpose ..... 1\nStaff Conduct ..... 2\n",
        "1. Purpose 2\n2. Staff Conduct 3\n",  # no label at all
    ],
)
def test_contents_list_repeating_the_headings(contents: str) -> None:
    body = "1. PURPOSE\n1.1 Staff keep pupils safe.\n2. STAFF CONDUCT\n2.1 Staff are polite.\n"
    clauses = _parse("Oakfield Academy\nSocial Media Policy\n\n" + contents + "\n" + body)
    assert list(clauses) == ["1.1", "2.1"]
    assert clauses["1.1"].section == "Purpose"
    assert clauses["2.1"].section == "Staff conduct"


def test_contents_label_without_a_list_is_not_swallowing_the_body() -> None:
    clauses = _parse("Contents\n\n1. Purpose\n1.1 Staff keep pupils safe.\n")
    assert list(clauses) == ["1.1"]
    assert clauses["1.1"].section == "Purpose"


def test_markdown_headings() -> None:
    clauses = _parse(
        "# Riverside School Social Media Policy\n\n## 6. Personal use\n\n"
        "6.1 Personal use at work is **not** permitted.\n\n### 7. Monitoring\n\n"
        "7.1 We may monitor use.\n"
    )
    assert clauses["6.1"].section == "Personal use"
    assert clauses["6.1"].text == "Personal use at work is not permitted."
    assert clauses["7.1"].section_number == "7" and clauses["7.1"].section == "Monitoring"


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("3. ROLE OF THE HEADTEACHER", "Role of the Headteacher"),
        ("3. Role Of The Headteacher", "Role of the Headteacher"),
        ("3 ROLE OF THE HEADTEACHER", "Role of the Headteacher"),
        ("3. Role of the Headteacher", "Role of the Headteacher"),
    ],
)
def test_title_and_upper_case_headings(heading: str, section: str) -> None:
    text = f"{heading}\n3.1 The Headteacher reviews this policy and the Headteacher signs it.\n"
    assert _parse(text)["3.1"].section == section


@pytest.mark.parametrize("style", ["{}) ", "({}) ", "({})\t"])
def test_lettered_sub_clauses(style: str) -> None:
    items = "".join(
        style.format(letter) + words + "\n"
        for letter, words in [
            ("a", "photographs of pupils;"),
            ("b", "the names of pupils; or"),
            ("c", "their addresses."),
        ]
    )
    clauses = _parse("4. CONDUCT\n4.2 Staff must not post:\n" + items + "4.3 Be kind.\n")
    assert list(clauses) == ["4.2", "4.2(a)", "4.2(b)", "4.2(c)", "4.3"]
    assert clauses["4.2(b)"].text == "the names of pupils; or"
    assert clauses["4.2(b)"].lead_in == "Staff must not post:"
    assert clauses["4.2(c)"].parent == "4.2"


def test_roman_items_directly_under_a_clause() -> None:
    clauses = _parse("5. USE\n5.1 Staff may post about:\n(i) sport;\n(ii) trips.\n")
    assert list(clauses) == ["5.1", "5.1(i)", "5.1(ii)"]


def test_page_numbers_and_unnumbered_headings_are_not_clause_text() -> None:
    clauses = _parse(
        "1. PURPOSE\n1.1 Staff keep pupils safe when\n\n- 2 -\n\nthey use social media.\n\n"
        "RELATED DOCUMENTS\n\nThe Acceptable Use Policy.\n"
    )
    assert clauses["1.1"].text == "Staff keep pupils safe when they use social media."
    assert list(clauses) == ["1.1"]


def test_preamble_dates_and_title_when_the_text_says_so() -> None:
    text = "# Oakfield Academy\n\nAdopted by the governors on 12 March 2024.\n\n1. PURPOSE\n"
    assert preamble_dates(text) == ("12 March 2024", "")
    assert document_title(text) == "Oakfield Academy"


def test_numbering_restarted_in_an_appendix_takes_the_appendix_letter() -> None:
    clauses = _parse(
        "1. PURPOSE\n1.1 Staff keep pupils safe.\n\nAPPENDIX C\n\nGuidance for trips\n\n"
        "1. BEFORE THE TRIP\n1.1 Parents are told what will be posted.\n"
    )
    assert list(clauses) == ["1.1", "C.1.1"]
    assert clauses["1.1"].section == "Purpose"
    assert clauses["C.1.1"].section_number == "C.1"
    assert clauses["C.1.1"].section == "Before the trip"


def test_an_appendix_mentioned_at_the_start_of_a_wrapped_line_is_not_a_heading() -> None:
    clauses = _parse(
        "8. BUSINESS USE\n8.1 Staff must complete the approval form in\nAppendix B and send it "
        "to the Principal.\n8.2 Be kind.\n"
    )
    assert clauses["8.1"].text == (
        "Staff must complete the approval form in Appendix B and send it to the Principal."
    )
    assert list(clauses) == ["8.1", "8.2"]


def test_an_appendix_that_is_a_form_gives_no_clauses() -> None:
    clauses = _parse(
        "1. USE\n1.1 Be kind.\n\nAPPENDIX B - Consent Form\n\n1. Name of pupil\n"
        "2.1 Parent's signature\n"
    )
    assert list(clauses) == ["1.1"]


def test_lettered_items_under_an_unnumbered_section_paragraph() -> None:
    clauses = _parse("9. RECRUITMENT\n\nWe may check:\n(a) public profiles;\n(b) news.\n")
    assert list(clauses) == ["9", "9(a)", "9(b)"]
    assert clauses["9(b)"].lead_in == "We may check:"
