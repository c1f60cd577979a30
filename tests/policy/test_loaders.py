"""Reading .txt, .md, .docx and .pdf policies to text, with their metadata."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from assistant.errors import CorpusError
from assistant.policy.loaders import read_document, read_text, strip_markdown
from assistant.policy.parser import parse_policy

ROOT = Path(__file__).resolve().parents[2]
MIXED = ROOT / "tests" / "fixtures" / "corpora" / "mixed"
WOOTTON = ROOT / "policy_corpus" / "wootton-social-media-policy.txt"


def make_docx(path: Path) -> Path:
    """A small Word policy: a title, headings, list paragraphs and a table of clauses."""
    document = docx.Document()
    document.add_heading("Brookside School Social Media Policy", level=0)
    document.add_paragraph("This policy was adopted by the governors in May 2022.")
    document.add_heading("1. Purpose", level=1)
    document.add_paragraph("1.1 Staff must keep pupils safe online.")
    document.add_paragraph("1.2 Staff must not post:")
    document.add_paragraph("(a) pictures of pupils;", style="List Number")
    document.add_paragraph("(b) pupils' names.", style="List Number")
    document.add_heading("2. Devices", level=1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "2.1"
    table.cell(0, 1).text = "School devices are for school work."
    table.cell(1, 0).text = "2.2"
    table.cell(1, 1).text = "Lost devices are reported to the Headteacher."
    document.save(str(path))
    return path


def test_txt_utf8_reads_the_wootton_export_unchanged() -> None:
    assert read_text(WOOTTON) == WOOTTON.read_text(encoding="utf-8")


def test_txt_falls_back_to_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "policy.txt"
    path.write_bytes("1. USE\n1.1 Staff\u2019s own devices cost \u00a35.\n".encode("cp1252"))
    assert read_text(path) == "1. USE\n1.1 Staff\u2019s own devices cost \u00a35.\n"


def test_markdown_loses_its_marks_and_keeps_its_words() -> None:
    text = strip_markdown(
        "## 6. Personal use\n**Never** post *anything* about [pupils](http://x) or `logins`.\n"
        "> quoted\n---\nsnake_case_name stays"
    )
    assert "6. Personal use" in text.splitlines()
    assert "Never post anything about pupils or logins." in text
    assert "quoted" in text and "snake_case_name stays" in text
    assert "#" not in text and "*" not in text and "http" not in text


def test_markdown_document_and_its_toml() -> None:
    document, text = read_document(MIXED / "hillside-social-media.md")
    assert document.doc_id == "hillside-social-media"
    assert document.source == "hillside-social-media.md"
    assert document.title == "Hillside Primary School Social Media Policy"
    assert document.contact == "the Headteacher" and document.contact_clause == "1.2"
    assert document.adopted == "September 2023" and document.reviewed == ""
    assert "**" not in text and "all staff use social media" in text


def test_docx_paragraphs_lists_and_tables_in_order(tmp_path: Path) -> None:
    document, text = read_document(make_docx(tmp_path / "brookside-social-media.docx"))
    clauses = {c.id: c for c in parse_policy(text, doc_id=document.doc_id)}
    assert list(clauses) == ["1.1", "1.2", "1.2(a)", "1.2(b)", "2.1", "2.2"]
    assert clauses["1.2(b)"].text == "pupils' names."
    assert clauses["2.2"].text == "Lost devices are reported to the Headteacher."
    assert clauses["2.1"].section == "Devices"
    assert document.title == "Brookside School Social Media Policy"
    assert document.adopted == "May 2022"
    assert document.contact == "the Principal"


def test_pdf_pages_are_joined_and_page_numbers_dropped() -> None:
    document, text = read_document(MIXED / "oakfield-e-safety.pdf")
    assert document.title == "Oakfield Academy E-Safety Policy"
    assert document.owner == "" and document.contact == "the Principal"
    clauses = {c.id: c for c in parse_policy(text, doc_id=document.doc_id)}
    assert list(clauses) == ["1.1", "1.2", "2.1", "2.2"]
    assert clauses["2.1"].text == (
        "Staff must not use personal devices to photograph pupils. "
        "Images taken for school purposes must be stored on school systems only."
    )


def test_toml_overrides_what_the_text_says(tmp_path: Path) -> None:
    path = tmp_path / "wootton.txt"
    shutil.copy(WOOTTON, path)
    assert read_document(path).document.adopted == "December 2012"  # from the preamble
    path.with_suffix(".toml").write_text('adopted = "January 2013"\ntitle = "Wootton SMP"\n')
    document = read_document(path).document
    assert (document.adopted, document.title) == ("January 2013", "Wootton SMP")
    assert document.reviewed == "December 2012"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "cannot be read"),
        ("broken.pdf", b"%PDF-1.4\nnothing useful here", "cannot be read"),
        ("empty.txt", b"  \n\n", "has no text"),
        ("binary.txt", b"\x00\x01\x02policy", "is not a text file"),
        ("policy.rtf", b"{\\rtf1 hello}", "is not a policy document"),
    ],
)
def test_unreadable_files_raise_corpus_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=reason) as caught:
        read_text(path)
    assert name in str(caught.value)


def test_bad_toml_raises_corpus_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "policy.txt"
    path.write_text("1. USE\n1.1 Be kind.\n")
    path.with_suffix(".toml").write_text("title = \n")
    with pytest.raises(CorpusError, match="policy.toml"):
        read_document(path)
    path.with_suffix(".toml").write_text("adopted = 2012\n")
    with pytest.raises(CorpusError, match="adopted"):
        read_document(path)
