"""The lines of a policy's text as the parser reads them, and the patterns it reads them by.

Each line is cleaned of export artefacts (bold markers, bullets, markdown hashes, stray
auto-numbers before appendix ids, page numbers) and carries what its layout says: whether it
stands alone as a paragraph, whether a paragraph starts with it, whether it was a bullet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.policy.furniture import clean_export

EMPHASIS = re.compile(r"\*{2,}")
BULLET = re.compile(r"^(?:[-*•▪◦●■➢✓]\s+|o\s+(?=\S))+")
MD_HEADING = re.compile(r"^#{1,6}\s+")
STRAY_NUMBER = re.compile(r"^\d+(?:\.\d+)+\s+(?=[A-Z]\.\d)")
CONTENTS = re.compile(r"^(?:table of )?contents:?$", re.IGNORECASE)
VERSION_LOG = re.compile(
    r"^(?:document\s+)?(?:version\s+(?:control|history|log)|revision\s+(?:history|log|record)"
    r"|change\s+(?:log|history|record)|amendments?\s+(?:record|history|log)"
    r"|control\s+(?:table|sheet|log))\b",
    re.IGNORECASE,
)
APPENDIX = re.compile(r"^(?:appendix|annex)\s+([A-Z]|\d+)\b[\s.:\-–—]*(.*)$", re.IGNORECASE)
PART = re.compile(r"^part\s+(\d{1,2}|[IVX]{1,4})\b\s*[-–—:.]?\s*(.*)$", re.IGNORECASE)
NUMBERED = re.compile(r"^((?:\d+|[A-Z])(?:\.\d+)+)(?!\d)\.?(?:\s+|(?=[^\s\d.])|$)(.*)$")
SECTION = re.compile(r"^(\d{1,3})(\.)?(?:\s+|(?<=\.))(\S.*)$")
LETTERED = re.compile(r"^([A-Z])\s+(\S.*)$")
MARKER = re.compile(r"^(?:\(([a-z]|[ivx]{2,6})\)|([a-z]|[ivx]{2,6})[).])\s+(.*)$")
DATE_START = re.compile(
    r"^(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+\d{4}"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\s+\d{4})\b"
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'‘“(]?[A-Z0-9])")
PAGE_NUMBER = re.compile(r"(?:\.{2,}|…+|\s{2,}|\t)\s*\d+\s*$")
PAGE_FURNITURE = re.compile(r"^(?:page\s+)?[-–]?\s*\d{1,3}\s*[-–]?(?:\s+of\s+\d+)?$", re.I)
TERMINAL = ".!?:;"
# A form's blank to fill in ("Signed: ……………  Date: ……"), not a contents entry (no page number).
_FORM_BLANK = re.compile(r"[.…_]{5,}")


@dataclass(frozen=True)
class Line:
    """One cleaned line and what its layout says about it."""

    text: str
    standalone: bool  # a blank line before and after it
    starts_paragraph: bool  # a blank line (or nothing) before it
    bullet: bool  # it began with a bullet glyph


def fold(text: str) -> str:
    """Fold every run of whitespace to a single space."""
    return " ".join(text.split())


def clean_line(line: str) -> str:
    """Remove export artefacts from one line: bold markers, bullets, heading hashes."""
    line = EMPHASIS.sub("", line).replace("\t", "  ").strip()
    line = MD_HEADING.sub("", line)
    line = BULLET.sub("", line)
    line = STRAY_NUMBER.sub("", line).strip()
    blank = _FORM_BLANK.search(line) and not line[-1:].isdigit()
    if blank and len(_FORM_BLANK.sub(" ", line).split()) <= 6:
        return ""
    return "" if PAGE_FURNITURE.match(line) else line


def heading_like(title: str) -> bool:
    """Short, capitalised and without closing punctuation: a heading's words."""
    words = title.split()
    return 0 < len(words) <= 14 and title[-1] not in ".;:," and title[0].isupper()


def read_lines(text: str) -> list[Line]:
    """The document's cleaned lines (export furniture removed first)."""
    raw = clean_export(text).splitlines()
    cleaned = [clean_line(line) for line in raw]
    result = []
    for index, line in enumerate(cleaned):
        before = index == 0 or not cleaned[index - 1]
        after = index == len(cleaned) - 1 or not cleaned[index + 1]
        bullet = bool(BULLET.match(EMPHASIS.sub("", raw[index]).strip()))
        result.append(Line(line, before and after, before, bullet))
    return result


def contents_key(title: str) -> str:
    title = PAGE_NUMBER.sub("", title)
    return re.sub(r"[^a-z0-9 ]", "", fold(title).lower().rstrip(". ")).strip()


class Contents:
    """A contents list being skipped; it ends where its first entry appears again."""

    def __init__(self) -> None:
        self.first_number = ""
        self.first_key = ""

    def over(self, line: str) -> bool:
        number, title = "", line
        if match := NUMBERED.match(line):
            number, title = match.group(1), match.group(2)
        elif match := SECTION.match(line):
            number, title = match.group(1), match.group(3)
        key = contents_key(title)
        if not key or key in {"clause", "page", "section", "paragraph", "title", "no"}:
            return False
        if not self.first_key:
            self.first_number, self.first_key = number, key
            return False
        if number and number == self.first_number:
            return True
        return not self.first_number and key == self.first_key
