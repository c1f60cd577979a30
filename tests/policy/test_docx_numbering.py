"""Word's automatic numbering rebuilt, so .docx policies numbered by lists parse into clauses."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from assistant.errors import CorpusError
from assistant.policy.corpus import load_corpus
from assistant.policy.docx_numbering import format_number, numbered_text, paragraph_labels
from assistant.policy.loaders import read_text
from assistant.policy.parser import parse_policy

Level = tuple[str, str, int]  # numFmt, lvlText, start


def _with_val(tag: str, value: str) -> object:
    child = OxmlElement(tag)
    child.set(qn("w:val"), value)
    return child


def _set(parent: object, tag: str, value: str) -> None:
    parent.append(_with_val(tag, value))  # type: ignore[attr-defined]


def add_list(
    document: DocxDocument,
    levels: list[Level],
    *,
    styles: dict[int, str] | None = None,
    legal: tuple[int, ...] = (),
) -> str:
    """A new abstract list definition in numbering.xml; returns its abstractNumId."""
    numbering = document.part.numbering_part.element
    ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = str(max(ids, default=0) + 1)
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), abstract_id)
    _set(abstract, "w:multiLevelType", "multilevel")
    for index, (fmt, text, start) in enumerate(levels):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(index))
        _set(lvl, "w:start", str(start))
        _set(lvl, "w:numFmt", fmt)
        if styles and index in styles:
            _set(lvl, "w:pStyle", styles[index])
        if index in legal:
            lvl.append(OxmlElement("w:isLgl"))
        _set(lvl, "w:lvlText", text)
        abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))  # the schema wants every abstractNum before the nums
    if first_num is None:
        numbering.append(abstract)
    else:
        first_num.addprevious(abstract)
    return abstract_id


def add_num(
    document: DocxDocument, abstract_id: str, *, restart: dict[int, int] | None = None
) -> str:
    """A list instance of an abstract definition, optionally restarting levels; its numId."""
    numbering = document.part.numbering_part.element
    ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num_id = str(max(ids, default=0) + 1)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), num_id)
    _set(num, "w:abstractNumId", abstract_id)
    for ilvl, start in (restart or {}).items():
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), str(ilvl))
        _set(override, "w:startOverride", str(start))
        num.append(override)
    numbering.append(num)
    return num_id


def number(paragraph: Paragraph, num_id: str, ilvl: int | None = None) -> Paragraph:
    """Put a paragraph in a list, as Word's numbering button does."""
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    if ilvl is not None:
        numpr.get_or_add_ilvl().val = ilvl
    numpr.get_or_add_numId().val = int(num_id)
    return paragraph


def number_style(document: DocxDocument, style: str, num_id: str, ilvl: int | None = None) -> None:
    """Number every paragraph of a style, as Word's multilevel list linked to headings does."""
    numpr = document.styles[style].element.get_or_add_pPr().get_or_add_numPr()
    if ilvl is not None:
        numpr.get_or_add_ilvl().val = ilvl
    numpr.get_or_add_numId().val = int(num_id)


def outline(document: DocxDocument) -> str:
    """The usual policy outline: 1. HEADING (Heading 1), 1.1 clause, (a), then (i)."""
    abstract = add_list(
        document,
        [
            ("decimal", "%1.", 1),
            ("decimal", "%1.%2", 1),
            ("lowerLetter", "(%3)", 1),
            ("lowerRoman", "(%4)", 1),
        ],
        styles={0: "Heading1"},
    )
    num_id = add_num(document, abstract)
    number_style(document, "Heading 1", num_id)  # the level comes from the list's pStyle
    return num_id


def load(tmp_path: Path, document: DocxDocument, name: str = "brookside-policy") -> dict:
    document.save(str(tmp_path / f"{name}.docx"))
    return {clause.id: clause for clause in load_corpus(tmp_path).clauses}


def test_headings_clauses_and_sub_clauses_numbered_by_one_multilevel_list(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Brookside School Social Media Policy", level=0)
    num_id = outline(document)
    document.add_heading("POLICY STATEMENT", level=1)
    number(document.add_paragraph("Staff must keep pupils safe online."), num_id, 1)
    number(document.add_paragraph("Staff must not post:"), num_id, 1)
    number(document.add_paragraph("pictures of pupils;"), num_id, 2)
    number(document.add_paragraph("pupils' names."), num_id, 2)
    document.add_heading("PERSONAL USE OF SOCIAL MEDIA", level=1)
    number(document.add_paragraph("Staff may not use school email for:"), num_id, 1)
    number(document.add_paragraph("personal sites."), num_id, 2)  # (a) again: level 3 restarts
    number(document.add_paragraph("Staff must not befriend pupils."), num_id, 1)

    clauses = load(tmp_path, document)

    assert list(clauses) == ["1.1", "1.2", "1.2(a)", "1.2(b)", "2.1", "2.1(a)", "2.2"]
    assert clauses["1.2(b)"].text == "pupils' names."
    assert clauses["1.2(b)"].parent == "1.2"
    assert clauses["1.2(b)"].lead_in == "Staff must not post:"
    assert clauses["2.2"].text == "Staff must not befriend pupils."
    assert clauses["1.1"].section == "Policy statement"
    assert clauses["2.1(a)"].section == "Personal use of social media"
    assert clauses["2.1(a)"].section_number == "2"


def test_heading_levels_numbered_by_their_styles_and_a_start_value(tmp_path: Path) -> None:
    document = docx.Document()
    abstract = add_list(document, [("decimal", "%1", 4), ("decimal", "%1.%2.", 1)])
    num_id = add_num(document, abstract)
    number_style(document, "Heading 1", num_id, 0)
    number_style(document, "Heading 2", num_id, 1)  # clauses typed as Heading 2, as some do
    document.add_heading("Monitoring", level=1)
    document.add_heading("We may monitor school accounts at any time.", level=2)
    document.add_heading("Recruitment", level=1)
    document.add_heading("We do not search candidates' social media.", level=2)

    text = read_text(_saved(tmp_path, document))
    assert "4 Monitoring" in text.splitlines()
    assert "5.1. We do not search candidates' social media." in text.splitlines()
    clauses = load(tmp_path, document)
    assert list(clauses) == ["4.1", "5.1"]
    assert clauses["5.1"].section == "Recruitment"
    assert clauses["4.1"].text == "We may monitor school accounts at any time."


def test_restart_numbering_and_lists_that_continue(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("3. DEVICES")
    items = add_list(document, [("lowerRoman", "(%1)", 1)])
    first = add_num(document, items)
    document.add_paragraph("3.1 Staff must not use their own phones to:")
    number(document.add_paragraph("photograph pupils;"), first)
    number(document.add_paragraph("film lessons."), first)
    document.add_paragraph("3.2 School laptops must be:")
    restarted = add_num(document, items, restart={0: 1})  # Word's "Restart at i"
    number(document.add_paragraph("encrypted;"), restarted)
    number(document.add_paragraph("locked when unattended."), restarted)
    document.add_paragraph("3.3 Memory sticks must be:")
    continued = add_num(document, items)  # same definition, no restart: Word counts on
    number(document.add_paragraph("kept in school."), continued)

    clauses = load(tmp_path, document)

    assert list(clauses) == [
        "3.1", "3.1(i)", "3.1(ii)", "3.2", "3.2(i)", "3.2(ii)", "3.3", "3.3(iii)",
    ]  # fmt: skip
    assert clauses["3.2(ii)"].text == "locked when unattended."
    assert clauses["3.1(i)"].lead_in == "Staff must not use their own phones to:"


def test_bullets_carry_no_clause_numbers(tmp_path: Path) -> None:
    document = docx.Document()
    num_id = outline(document)
    document.add_heading("USE OF SOCIAL MEDIA", level=1)
    number(document.add_paragraph("Sites covered include:"), num_id, 1)
    document.add_paragraph("Facebook", style="List Bullet")  # the template's bullet list
    bullets = add_num(document, add_list(document, [("bullet", "\u2022", 1)]))
    number(document.add_paragraph("Instagram"), bullets)
    number(document.add_paragraph("Staff must report misuse."), num_id, 1)

    clauses = load(tmp_path, document)

    assert list(clauses) == ["1.1", "1.2"]
    assert clauses["1.1"].text == "Sites covered include: Facebook Instagram"
    assert "\u2022" not in read_text(tmp_path / "brookside-policy.docx")


def test_typed_and_automatic_numbering_mixed(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("1. PURPOSE", level=1)  # typed
    document.add_paragraph("1.1 Staff must keep pupils safe online.")  # typed
    document.add_paragraph("1.2 Staff must not post:")
    # Typed letters in the template's List Number style: Word would show "1. (a) ..."; the
    # typed label is the one the policy means.
    document.add_paragraph("(a) pictures of pupils;", style="List Number")
    document.add_paragraph("(b) pupils' names.", style="List Number")
    document.add_heading("2. DEVICES", level=1)
    clauses_of_2 = add_num(document, add_list(document, [("decimal", "2.%1", 1)]))
    number(document.add_paragraph("School devices are for school work."), clauses_of_2)
    number(document.add_paragraph("Lost devices are reported."), clauses_of_2)
    unnumbered = document.add_paragraph("Pupils' phones stay in lockers.", style="List Number")
    number(unnumbered, "0")  # numId 0 takes a paragraph out of its style's list

    clauses = load(tmp_path, document)

    assert list(clauses) == ["1.1", "1.2", "1.2(a)", "1.2(b)", "2.1", "2.2"]
    assert clauses["1.2(a)"].text == "pictures of pupils;"
    assert clauses["2.2"].text == "Lost devices are reported. Pupils' phones stay in lockers."
    assert clauses["2.1"].section == "Devices"


def test_numbered_paragraphs_in_a_table(tmp_path: Path) -> None:
    document = docx.Document()
    num_id = outline(document)
    document.add_heading("APPROVED SITES", level=1)
    table = document.add_table(rows=2, cols=1)
    number(table.cell(0, 0).paragraphs[0], num_id, 1).add_run("Twitter is approved.")
    number(table.cell(1, 0).paragraphs[0], num_id, 1).add_run("TikTok is not.")

    clauses = load(tmp_path, document)

    assert list(clauses) == ["1.1", "1.2"]
    assert clauses["1.2"].text == "TikTok is not."


def test_labels_formats_and_legal_numbering(tmp_path: Path) -> None:
    document = docx.Document()
    abstract = add_list(
        document,
        [("upperRoman", "%1.", 1), ("decimal", "%1.%2", 1), ("upperLetter", "%3)", 1),
         ("lowerRoman", "%4.", 1)],
        legal=(1,),
    )  # fmt: skip
    num_id = add_num(document, abstract)
    paragraphs = [
        number(document.add_paragraph(f"p{index}"), num_id, ilvl)
        for index, ilvl in enumerate([0, 0, 1, 2, 2, 3, 3, 3, 3, 1, 2])
    ]
    labels = paragraph_labels(document)
    assert [labels.get(p._p, "") for p in paragraphs] == [
        "I.", "II.", "2.1", "A)", "B)", "i.", "ii.", "iii.", "iv.", "2.2", "A)",
    ]  # fmt: skip


def test_a_list_style_link_and_a_redefined_level(tmp_path: Path) -> None:
    document = docx.Document()
    real = add_list(document, [("decimal", "%1.", 1), ("decimal", "%1.%2", 1)])
    real_num = add_num(document, real)
    style = OxmlElement("w:style")  # a numbering style, as Word's "Define New List Style" makes
    style.set(qn("w:type"), "numbering")
    style.set(qn("w:styleId"), "PolicyList")
    numpr = style.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_numId().val = int(real_num)
    document.styles.element.append(style)
    linked = add_list(document, [])
    document.part.numbering_part.element.find(
        f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{linked}']"
    ).append(_with_val("w:numStyleLink", "PolicyList"))
    num_id = add_num(document, linked)
    override = OxmlElement("w:lvlOverride")  # this list shows level 2 as "1-a" instead
    override.set(qn("w:ilvl"), "1")
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), "1")
    for tag, value in (("w:start", "1"), ("w:numFmt", "lowerLetter"), ("w:lvlText", "%1-%2")):
        lvl.append(_with_val(tag, value))
    override.append(lvl)
    document.part.numbering_part.element.findall(qn("w:num"))[-1].append(override)
    paragraphs = [number(document.add_paragraph("x"), num_id, ilvl) for ilvl in (0, 1, 1)]
    labels = paragraph_labels(document)
    assert [labels.get(p._p, "") for p in paragraphs] == ["1.", "1-a", "1-b"]


def test_a_document_with_only_bullets_still_has_no_clauses(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Be kind online", style="List Bullet")
    with pytest.raises(CorpusError, match="no numbered clauses"):
        load(tmp_path, document)


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (3, "decimal", "3"),
        (3, "lowerLetter", "c"),
        (28, "lowerLetter", "bb"),
        (26, "upperLetter", "Z"),
        (14, "lowerRoman", "xiv"),
        (1999, "upperRoman", "MCMXCIX"),
        (7, "decimalZero", "07"),
        (2, "ordinal", "2nd"),
        (5, "bullet", ""),
        (5, "chineseCounting", "5"),
    ],
)
def test_format_number(value: int, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown


@pytest.mark.parametrize(
    ("label", "text", "shown"),
    [
        ("1.1", "Staff must", "1.1 Staff must"),
        ("(a)", "(a) typed too", "(a) typed too"),
        ("1.", "2.3 typed", "2.3 typed"),
        ("1.", "iv. typed", "iv. typed"),
        ("1.", "2020 was the year", "1. 2020 was the year"),
        ("1.", "   ", "   "),
        ("", "words", "words"),
    ],
)
def test_numbered_text(label: str, text: str, shown: str) -> None:
    assert numbered_text(label, text) == shown


def _saved(tmp_path: Path, document: DocxDocument) -> Path:
    path = tmp_path / "saved" / "policy.docx"
    path.parent.mkdir(exist_ok=True)
    document.save(str(path))
    return path


def test_wootton_rebuilt_with_word_lists_parses_as_its_text_does(tmp_path: Path) -> None:
    wootton = Path(__file__).resolve().parents[2] / "policy_corpus"
    text = (wootton / "wootton-social-media-policy.txt").read_text(encoding="utf-8")
    expected = [c for c in parse_policy(text, doc_id="w") if c.id[0].isdigit()]
    document = docx.Document()
    num_id = outline(document)
    section = ""
    for clause in expected:  # headings and every number left to Word's list
        if clause.section_number != section:
            section = clause.section_number
            document.add_heading(clause.section.upper(), level=1)
        if "." not in clause.id:  # a section that is one clause: its words, unnumbered
            document.add_paragraph(clause.text)
        else:
            number(document.add_paragraph(clause.text), num_id, 1 + clause.id.count("("))

    got = parse_policy(read_text(_saved(tmp_path, document)), doc_id="w")

    assert len(expected) > 50
    assert [(c.id, c.text, c.section, c.lead_in) for c in got] == [
        (c.id, c.text, c.section, c.lead_in) for c in expected
    ]
