"""Loading a directory of policies: documents, clauses, lookups and the fingerprint."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from assistant.errors import CorpusError
from assistant.policy.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[2]
MIXED = ROOT / "tests" / "fixtures" / "corpora" / "mixed"
POLICY_CORPUS = ROOT / "policy_corpus"


def make_docx(path: Path) -> None:
    """A small Word policy with six clauses."""
    document = docx.Document()
    document.add_heading("Brookside School Social Media Policy", level=0)
    document.add_heading("1. Purpose", level=1)
    for line in ("1.1 Keep pupils safe.", "1.2 Do not post:", "(a) pictures;", "(b) names."):
        document.add_paragraph(line)
    document.add_heading("2. Devices", level=1)
    document.add_paragraph("2.1 Devices are for school work.")
    document.add_paragraph("2.2 Report lost devices.")
    document.save(str(path))


@pytest.fixture
def several(tmp_path: Path) -> Path:
    """The Wootton policy, a markdown, a PDF and a Word policy, plus files to ignore."""
    directory = tmp_path / "corpus"
    shutil.copytree(MIXED, directory)
    for path in POLICY_CORPUS.glob("wootton-social-media-policy.*"):
        shutil.copy(path, directory / path.name)
    make_docx(directory / "brookside-social-media.docx")
    return directory


def test_the_real_corpus() -> None:
    corpus = load_corpus(POLICY_CORPUS)
    assert list(corpus.documents) == ["wootton-social-media-policy"]
    wootton = corpus.documents["wootton-social-media-policy"]
    assert wootton.title == "Wootton Academy Trust Social Media Policy"
    assert wootton.contact_clause == "4.3"
    assert len(corpus.clauses) == 105
    clause = corpus.clause("wootton-social-media-policy", "10.2(a)(ii)")
    assert clause is not None and clause.text == "our students ;"
    assert corpus.clause("wootton-social-media-policy", "12.1") is None
    assert corpus.clause("another-policy", "6.3") is None


def test_several_documents_at_once(several: Path) -> None:
    corpus = load_corpus(several)
    assert sorted(corpus.documents) == [
        "brookside-social-media",
        "hillside-social-media",
        "oakfield-e-safety",
        "wootton-social-media-policy",
    ]
    documents_in_order = [c.document for c in corpus.clauses]
    # each document's clauses together, in document order
    for doc_id in corpus.documents:
        mine = [c for c in corpus.clauses if c.document == doc_id]
        assert [c.order for c in mine] == list(range(len(mine)))
        first = documents_in_order.index(doc_id)
        assert documents_in_order[first : first + len(mine)] == [doc_id] * len(mine)
    assert len(corpus.clauses) == 105 + 7 + 4 + 6
    assert {c.document for c in corpus.by_id("1.1")} == {
        "brookside-social-media",
        "hillside-social-media",
        "oakfield-e-safety",
        "wootton-social-media-policy",
    }
    assert [c.document for c in corpus.by_id("A.5.7")] == ["wootton-social-media-policy"]
    hillside = corpus.clause("hillside-social-media", "2.2(a)")
    assert hillside is not None and hillside.lead_in == "Staff must not post:"
    assert corpus.documents["oakfield-e-safety"].source == "oakfield-e-safety.pdf"


def test_fingerprint_is_stable_and_changes_with_the_files(several: Path) -> None:
    first = load_corpus(several).fingerprint
    assert load_corpus(several).fingerprint == first
    (several / "README.md").write_text("changed readme")
    (several / "notes.csv").write_text("changed")
    assert load_corpus(several).fingerprint == first

    wootton = several / "wootton-social-media-policy.txt"
    original = wootton.read_bytes()
    wootton.write_bytes(original.replace(b"December 2012", b"January 2013", 1))
    changed = load_corpus(several).fingerprint
    assert changed != first
    wootton.write_bytes(original)
    assert load_corpus(several).fingerprint == first

    toml = several / "hillside-social-media.toml"
    toml.write_text(toml.read_text() + 'reviewed = "July 2024"\n')
    assert load_corpus(several).fingerprint != first


def test_fingerprint_covers_file_names(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    shutil.copy(MIXED / "oakfield-e-safety.pdf", one / "oakfield-e-safety.pdf")
    shutil.copy(MIXED / "oakfield-e-safety.pdf", two / "oakfield-online-safety.pdf")
    assert load_corpus(one).fingerprint != load_corpus(two).fingerprint


def test_a_directory_without_policies(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("1. READ ME\n1.1 This is not a policy.\n")
    (tmp_path / "orphan.toml").write_text('title = "No document"\n')
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(CorpusError, match="no policy documents"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "missing")


def test_a_corrupt_file_names_itself(several: Path) -> None:
    (several / "broken.docx").write_bytes(b"not a word file")
    with pytest.raises(CorpusError, match="broken.docx"):
        load_corpus(several)


def test_two_files_for_one_policy_and_a_wrong_contact_clause(tmp_path: Path) -> None:
    (tmp_path / "policy.txt").write_text("1. USE\n1.1 Be kind.\n")
    (tmp_path / "policy.toml").write_text('contact_clause = "9.9"\n')
    with pytest.raises(CorpusError, match="9.9"):
        load_corpus(tmp_path)
    (tmp_path / "policy.md").write_text("1. USE\n1.1 Be kind.\n")
    with pytest.raises(CorpusError, match="policy.md"):
        load_corpus(tmp_path)


def test_a_document_with_no_clauses(tmp_path: Path) -> None:
    (tmp_path / "letter.txt").write_text("Dear parents,\n\nPlease be kind online.\n")
    with pytest.raises(CorpusError, match="letter.txt"):
        load_corpus(tmp_path)
