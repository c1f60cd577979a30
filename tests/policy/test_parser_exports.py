"""The parser on the shapes real PDF exports take, each on a synthetic fixture of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.policy.furniture import clean_export
from assistant.policy.loaders import read_document
from assistant.policy.model import Clause
from assistant.policy.parser import parse_policy
from assistant.policy.passages import LONG, PASSAGE

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _read(name: str) -> tuple[str, dict[str, Clause]]:
    document, text = read_document(EXPORTS / name)
    clauses = parse_policy(text, doc_id=document.doc_id)
    ids = [c.id for c in clauses]
    assert len(ids) == len(set(ids)), "an id twice in one document"
    return document.title, {c.id: c for c in clauses}


def _every_text(clauses: dict[str, Clause]) -> str:
    return " ".join(f"{c.section} {c.lead_in} {c.text}" for c in clauses.values())


# -- dotless headings, lettered items that restart, running furniture, an unnumbered appendix


@pytest.fixture(scope="module")
def dotless() -> tuple[str, dict[str, Clause]]:
    return _read("dotless-lettered.txt")


def test_dotless_headings_and_items_qualified_by_their_section(dotless) -> None:
    title, clauses = dotless
    assert title == "Online Safety Policy (March 2024)"
    assert [c for c in clauses if not c.startswith("Appendix")] == [
        "1", "2", "2(a)", "2(b)", "3(a)",
    ]  # fmt: skip
    assert clauses["2(b)"].section == "Class teachers"  # the item's own heading
    assert clauses["2(b)"].text.startswith("Class teachers are responsible")
    assert clauses["3(a)"].parent is None and clauses["2(a)"].parent == "2"
    assert clauses["2(a)"].lead_in == ""  # a titled item quotes its own words only


def test_contents_and_document_control_tables_are_not_clauses(dotless) -> None:
    _, clauses = dotless
    every = _every_text(clauses)
    assert "Document Control" not in every and "Date of review" not in every
    assert "....." not in every and clauses["1"].text.startswith("This policy covers")


def test_running_header_and_footer_cut_out_of_a_bullet_list(dotless) -> None:
    _, clauses = dotless
    every = _every_text(clauses)
    assert "Page " not in every and "ONLINE SAFETY POLICY" not in every
    assert "Brook Lane School" not in every  # the header's school name
    assert "reported to the online safety lead on the day it is noticed" in clauses["2(b)"].text


def test_hyphens_and_addresses_wrapped_across_lines_are_joined(dotless) -> None:
    _, clauses = dotless
    text = clauses["3(a)"].text
    assert "online-bullying" in text and "The E-Safety lead" in text
    assert "https://www.example.org/guidance/online-behaviour-for-staff and" in text


def test_an_unnumbered_appendix_is_cited_as_the_appendix_by_passages(dotless) -> None:
    _, clauses = dotless
    passages = [c for c in clauses.values() if c.label == "Appendix 1"]
    assert len(passages) >= 3
    assert [c.id for c in passages] == [f"Appendix 1 ¶{n}" for n in range(1, len(passages) + 1)]
    assert all(c.section == "Staff acceptable use agreement" for c in passages)
    usb = next(c for c in passages if "memory stick" in c.text)
    assert usb.text.startswith("When I handle data: I will not take") and len(usb.text) <= PASSAGE
    assert "Signed" not in _every_text(clauses)  # the form's blanks to fill in


# -- parts with lettered headings that restart, roman sub-headings, appendix numbering


@pytest.fixture(scope="module")
def parts() -> tuple[str, dict[str, Clause]]:
    return _read("lettered-parts.txt")


def test_lettered_headings_restart_in_every_part(parts) -> None:
    title, clauses = parts
    assert title == "Safe Working Policy (January 2024)"
    assert list(clauses) == [
        "1", "2", "Part 1 A", "Part 1 B", "Part 2 A", "Part 2 A(i)", "Part 2 A(ii)",
        "Appendix 2", "Appendix 2 1", "Appendix 2 4", "Appendix 2 7",
    ]  # fmt: skip
    assert clauses["Part 1 B"].section == "U-Turn programme"  # a heading starting lower case
    assert clauses["Part 2 A(ii)"].section == "Gifts"


def test_a_review_history_line_starting_with_a_number_is_not_a_section(parts) -> None:
    _, clauses = parts
    assert "5 & 6; Updated 1/9/23 for new contacts." in clauses["2"].text


def test_a_footer_mid_sentence_is_taken_out_and_the_sentence_joined(parts) -> None:
    _, clauses = parts
    assert clauses["Part 1 A"].text == (
        "Staff watch for signs that a pupil is being groomed online and tell a safeguarding "
        "lead the same day."
    )


def test_an_unheaded_passage_stays_with_the_heading_above_it(parts) -> None:
    _, clauses = parts
    assert "personal phone number or e-mail address" in clauses["Part 2 A(ii)"].text  # U+2010


def test_a_form_appendix_is_skipped_and_the_next_appendix_read(parts) -> None:
    _, clauses = parts
    assert "Date of incident" not in _every_text(clauses)
    assert clauses["Appendix 2 4"].section == "Searching without consent"  # 4 then 7: kept


# -- footnotes, a number printed twice, ragged spacing, a wrapped heading


@pytest.fixture(scope="module")
def footnotes() -> tuple[str, dict[str, Clause]]:
    return _read("footnotes-repeats.txt")


def test_footnote_markers_and_footnotes_are_not_clause_text(footnotes) -> None:
    _, clauses = footnotes
    assert clauses["1.1"].text == (
        "This policy tells staff, parents and governors how the school keeps children safe."
    )
    assert "Wherever the word" not in _every_text(clauses)
    assert "1" not in clauses  # the footnote's number is not a section


def test_a_number_printed_twice_keeps_both_clauses(footnotes) -> None:
    _, clauses = footnotes
    assert clauses["4.2"].text.startswith("If the concern is about the headteacher")
    assert clauses["4.2 [2]"].text.startswith("Nobody who receives an allegation")
    assert clauses["4.2 [2]"].label == "4.2"
    assert list(clauses)[-4:] == ["4.1", "4.2", "4.2 [2]", "4.3"]


def test_ragged_spacing_headers_and_a_wrapped_heading(footnotes) -> None:
    _, clauses = footnotes
    assert clauses["1.2"].text == "Every adult in school shares this duty."
    assert clauses["2"].section == "Safeguarding training"
    assert clauses["3.1"].section == "The designated member of staff for child protection"
    assert "P OLICY" not in _every_text(clauses)


# -- a version log and cover-page labels before the title; top-level-only numbering


def test_version_log_and_cover_labels_are_neither_clauses_nor_title() -> None:
    title, clauses = _read("version-log.txt")
    assert title == "Whistleblowing Policy"
    assert list(clauses) == [str(n) for n in range(1, 13)] + ["Appendix 1", "Appendix 2"]
    assert clauses["8"].section == "Child protection procedures"
    assert "updated" not in _every_text(clauses)


def test_top_level_only_numbering_to_thirty_with_numbered_appendices() -> None:
    body = "".join(
        f"{n}. Topic number {n}\nStaff follow rule {n} at all times.\n\n" for n in range(1, 31)
    )
    appendices = "".join(
        f"Appendix {n}\nThe appendix {n} guidance for staff.\n\n" for n in range(1, 9)
    )
    clauses = {c.id: c for c in parse_policy("Trips Policy\n\n" + body + appendices, doc_id="t")}
    assert list(clauses) == [str(n) for n in range(1, 31)] + [f"Appendix {n}" for n in range(1, 9)]
    assert clauses["27"].text == "Staff follow rule 27 at all times."
    assert clauses["27"].section == "Topic number 27"


def test_a_long_section_is_quoted_by_passages_of_its_paragraphs() -> None:
    paragraphs = [f"Paragraph {n} says what staff do about matter {n}. " * 6 for n in range(1, 8)]
    text = "1 Conduct\n\n" + "\n\n".join(paragraphs) + "\n"
    clauses = parse_policy(text, doc_id="c")
    assert sum(len(p) for p in paragraphs) > LONG
    assert {c.label for c in clauses} == {"1"} and len(clauses) > 1
    assert all(len(c.text) <= PASSAGE for c in clauses)
    assert " ".join(c.text for c in clauses) == " ".join(" ".join(paragraphs).split())


def test_pdf_bullet_glyphs_and_unicode_hyphens_are_folded() -> None:
    cleaned = clean_export("Staff must:\n\uf0b7 lock screens\n\uf0b7 use e\u2010mail\n")
    assert cleaned == "Staff must:\n• lock screens\n• use e-mail"
    clauses = parse_policy("1 Devices\nStaff must:\n\uf0b7 lock screens\n", doc_id="d")
    assert clauses[0].text == "Staff must: lock screens"


def test_text_without_page_furniture_is_left_as_it_was() -> None:
    text = "1. USE\n1.1 Be kind.\n\nPark Road\nPark Road\nPark Road\n"
    assert clean_export(text) == text.rstrip("\n")


def test_index_show_lists_each_documents_clauses(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import main

    assert main(["index", "show", "--corpus", str(EXPORTS), "footnotes-repeats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "footnotes-repeats.txt: CHILD PROTECTION POLICY GREEN FIELD PRIMARY SCHOOL (8 clauses)"
    )
    assert lines[6].split()[:3] == ["4.2", "Allegations", "If"]
    assert lines[7].split()[:3] == ["4.2", "[2]", "Allegations"]
    assert main(["index", "show", str(EXPORTS / "lettered-parts.txt")]) == 0
    assert "Part 2 A(ii)" in capsys.readouterr().out
