"""Read policy files (.txt, .md, .docx, .pdf) to plain text, with their metadata."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import NamedTuple

from assistant.errors import CorpusError
from assistant.policy.model import Document
from assistant.policy.parser import document_title, preamble_dates

POLICY_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
METADATA_KEYS = ("title", "owner", "adopted", "reviewed", "contact", "contact_clause")
DEFAULT_CONTACT = "the Principal"

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_MD_CODE = re.compile(r"`([^`]*)`")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")


class LoadedDocument(NamedTuple):
    """A policy file read: its metadata and its plain text."""

    document: Document
    text: str


def read_document(path: Path) -> LoadedDocument:
    """Read one policy file and the metadata in the ``.toml`` beside it."""
    text = read_text(path)
    return LoadedDocument(read_metadata(path, text), text)


def read_text(path: Path) -> str:
    """The plain text of a policy file; raises CorpusError naming the file if it cannot."""
    suffix = path.suffix.lower()
    if suffix not in POLICY_SUFFIXES:
        raise _error(path, f"is not a policy document ({', '.join(POLICY_SUFFIXES)})")
    try:
        if suffix == ".docx":
            text = _docx_text(path)
        elif suffix == ".pdf":
            text = _pdf_text(path)
        else:
            text = _decode(path, path.read_bytes())
            if suffix == ".md":
                text = strip_markdown(text)
    except CorpusError:
        raise
    except Exception as exc:  # every reader fails in its own way; staff need the file's name
        raise _error(path, f"cannot be read ({type(exc).__name__}: {exc})") from exc
    if not text.strip():
        raise _error(path, "has no text in it (a scanned PDF needs a text export)")
    return text


def read_metadata(path: Path, text: str) -> Document:
    """The document's metadata: the same-stem ``.toml`` first, then what the text says."""
    values = _toml_values(path.with_suffix(".toml"))
    adopted, reviewed = preamble_dates(text)
    title = values.get("title") or document_title(text) or _title_from_stem(path.stem)
    return Document(
        doc_id=path.stem,
        title=title,
        source=path.name,
        owner=values.get("owner", ""),
        adopted=values.get("adopted") or adopted,
        reviewed=values.get("reviewed") or reviewed,
        contact=values.get("contact") or DEFAULT_CONTACT,
        contact_clause=values.get("contact_clause", ""),
    )


def strip_markdown(text: str) -> str:
    """Markdown to plain text: heading hashes, emphasis, links and code marks go, words stay."""
    lines = []
    for line in text.splitlines():
        if _MD_RULE.match(line):
            lines.append("")
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            lines.extend(["", heading.group(1), ""])  # a heading stands alone as a paragraph
            continue
        line = _MD_QUOTE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_CODE.sub(r"\1", line)
        line = _MD_STRONG.sub(r"\2", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
        lines.append(line)
    return "\n".join(lines)


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _error(path, "is neither UTF-8 nor Windows-1252 text") from exc
    if "\x00" in text:
        raise _error(path, "is not a text file")
    return text


def _docx_text(path: Path) -> str:
    import docx  # imported here: only .docx corpora pay for it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from assistant.policy.docx_numbering import numbered_text, paragraph_labels

    document = docx.Document(str(path))
    labels = paragraph_labels(document)  # Word's automatic numbers, counted in document order

    def shown(paragraph: Paragraph) -> str:
        return numbered_text(labels.get(paragraph._p, ""), paragraph.text)

    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(block, document)
            style = paragraph.style.name if paragraph.style is not None else ""
            if style.startswith(("Heading", "Title")):
                lines.extend(["", shown(paragraph), ""])
            else:
                lines.append(shown(paragraph))
        elif tag == "tbl":
            lines.append("")
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell repeats; keep it once
                    text = "\n".join(shown(paragraph) for paragraph in cell.paragraphs).strip()
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                lines.append("\t".join(cells))
            lines.append("")
    return "\n".join(lines)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        raise _error(path, "is password protected")
    # A blank line between pages: a clause split by the page break is joined by the parser.
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)


def _toml_values(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _error(path, f"is not valid TOML ({exc})") from exc
    values: dict[str, str] = {}
    for key in METADATA_KEYS:
        if key not in data:
            continue
        if not isinstance(data[key], str):
            raise _error(path, f"has {key!r} as {type(data[key]).__name__}; it must be text")
        values[key] = data[key].strip()
    return values


def _title_from_stem(stem: str) -> str:
    return re.sub(r"[-_]+", " ", stem).strip().capitalize()


def _error(path: Path, reason: str) -> CorpusError:
    return CorpusError(f"The policy file {path} {reason}.")
