"""Turn a policy's plain text, as Word or PDF exports it, into numbered clauses.

The parser reads line by line. Export artefacts are removed first (bold markers,
bullet dashes, markdown hashes, stray auto-numbers before appendix ids); then each
line is a contents label, an appendix heading, a section heading, a numbered clause,
a lettered or roman sub-clause, an unnumbered heading, or words that continue
whatever is open (a clause split by a page break is joined again this way).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.policy.model import Clause

_EMPHASIS = re.compile(r"\*{2,}")
_BULLET = re.compile(r"^(?:[-*•▪◦]\s+)+")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_STRAY_NUMBER = re.compile(r"^\d+(?:\.\d+)+\s+(?=[A-Z]\.\d)")
_CONTENTS = re.compile(r"^(?:table of )?contents:?$", re.IGNORECASE)
_APPENDIX = re.compile(r"^appendix\s+([A-Z]|\d+)\b[\s.:\-–—]*(.*)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^((?:\d+|[A-Z])(?:\.\d+)+)(?!\d)\.?(?:\s+|(?=[^\s\d.])|$)(.*)$")
_SECTION = re.compile(r"^(\d{1,3})(\.)?(?:\s+|(?<=\.))(\S.*)$")
_MARKER = re.compile(r"^(?:\(([a-z]|[ivx]{2,6})\)|([a-z]|[ivx]{2,6})[).])\s+(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'‘“(]?[A-Z0-9])")
_PAGE_NUMBER = re.compile(r"(?:\.{2,}|…+|\s{2,}|\t)\s*\d+\s*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_DATE = r"((?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Z][a-z]+\s+\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})"
_ADOPTED = re.compile(r"\b(?i:adopted)\b[^\n]*?\b(?:in|on)\s+" + _DATE)
_REVIEWED = re.compile(r"\b(?i:reviewed)\b[^\n]*?\b(?:in|on)\s+" + _DATE)
_FORM = re.compile(r"\bform\b", re.IGNORECASE)
_ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_TERMINAL = ".!?:;"
_PAGE_FURNITURE = re.compile(r"^(?:page\s+)?[-–]?\s*\d{1,3}\s*[-–]?(?:\s+of\s+\d+)?$", re.I)


def fold(text: str) -> str:
    """Fold every run of whitespace to a single space."""
    return " ".join(text.split())


def clean_line(line: str) -> str:
    """Remove export artefacts from one line: bold markers, bullets, heading hashes."""
    line = _EMPHASIS.sub("", line).replace("\t", "  ").strip()
    line = _MD_HEADING.sub("", line)
    line = _BULLET.sub("", line)
    line = _STRAY_NUMBER.sub("", line).strip()
    return "" if _PAGE_FURNITURE.match(line) else line


def _heading_like(title: str) -> bool:
    words = title.split()
    return 0 < len(words) <= 14 and title[-1] not in ".;:," and title[0].isupper()


def _contents_key(title: str) -> str:
    title = _PAGE_NUMBER.sub("", title)
    return re.sub(r"[^a-z0-9 ]", "", fold(title).lower().rstrip(". ")).strip()


@dataclass
class _Draft:
    id: str
    section_number: str
    parent: _Draft | None = None
    lead_in_always: bool = True  # lettered items always quote their parent's lead-in
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return fold(" ".join(self.parts))

    def lead_in(self) -> str:
        if self.parent is None:
            return ""
        sentences = _SENTENCE_END.split(self.parent.text)
        last = sentences[-1] if sentences else ""
        return last if self.lead_in_always or last.endswith(":") else ""


@dataclass
class _Contents:
    """A contents list being skipped; it ends where its first entry appears again."""

    first_number: str = ""
    first_key: str = ""


class _Parser:
    """One pass over the lines of one document."""

    def __init__(self, *, skip_contents: bool) -> None:
        self.skip_contents = skip_contents
        self.drafts: list[_Draft] = []
        self.ids: dict[str, _Draft] = {}
        self.titles: dict[str, str] = {}
        self.section = ""
        self.section_clauses = 0
        self.ignoring = True  # outside any section, or after an unnumbered heading
        self.stopped = False
        self.open: _Draft | None = None
        self.clause: _Draft | None = None  # the numbered clause lettered items belong to
        self.letter: _Draft | None = None
        self.roman_parent: _Draft | None = None
        self.last_roman = -1
        self.contents: _Contents | None = None
        self.appendix_subtitle_pending = False
        self.appendix = ""

    def feed(self, line: str, *, standalone: bool) -> None:
        if self.stopped or not line:
            return
        if self.contents is not None:
            if not self._contents_over(line):
                return
            self.contents = None
        if self.skip_contents and _CONTENTS.match(line):
            self._close()
            self.contents = _Contents()
            return
        match = _APPENDIX.match(line)
        if match and (not match.group(2) or _heading_like(match.group(2))):
            self._start_appendix(match.group(1).upper(), match.group(2))
            return
        if self.appendix_subtitle_pending:
            self.appendix_subtitle_pending = False
            if not _NUMBERED.match(line):
                self.stopped = bool(_FORM.search(line))
                return
        if match := _NUMBERED.match(line):
            self._numbered(match.group(1), match.group(2).strip())
        elif (match := _SECTION.match(line)) and (match.group(2) or _heading_like(match.group(3))):
            self._section_or_clause(match.group(1), match.group(3).strip())
        elif (match := _MARKER.match(line)) and self.clause is not None:
            token = match.group(1) or match.group(2)
            self._item(token, match.group(3))
        elif self._unnumbered_heading(line, standalone):
            self._close()
            self.ignoring = True
        elif self.open is not None:
            self.open.parts.append(line)
        elif self.section and not self.ignoring and self.section_clauses == 0:
            self.open = self.clause = self._new(self.section, self.section)
            self.open.parts.append(line)

    def _contents_over(self, line: str) -> bool:
        assert self.contents is not None
        number, title = "", line
        if match := _NUMBERED.match(line):
            number, title = match.group(1), match.group(2)
        elif match := _SECTION.match(line):
            number, title = match.group(1), match.group(3)
        key = _contents_key(title)
        if not key or key in {"clause", "page", "section", "paragraph", "title", "no"}:
            return False
        if not self.contents.first_key:
            self.contents.first_number, self.contents.first_key = number, key
            return False
        if number and number == self.contents.first_number:
            return True
        return not self.contents.first_number and key == self.contents.first_key

    def _start_appendix(self, letter: str, title: str) -> None:
        self._close()
        self.appendix = letter
        self.section, self.section_clauses, self.ignoring = "", 0, True
        if _FORM.search(title):
            self.stopped = True
        self.appendix_subtitle_pending = not title

    def _numbered(self, number: str, rest: str) -> None:
        if self.appendix and number in self.ids:  # numbering restarted in an appendix
            number = f"{self.appendix}.{number}"
        if number[0].isalpha() and number.count(".") == 1 and _heading_like(rest):
            self._start_section(number, rest)
            return
        if number[0].isalpha() and number.count(".") == 1:
            section = number[0]
        elif number[0].isalpha():
            section = number.rsplit(".", 1)[0]
        else:
            section = number.split(".", 1)[0]
        if section != self.section:
            self.section = section
        parent = self.ids.get(number.rsplit(".", 1)[0]) if not number[0].isalpha() else None
        draft = self._new(number, section, parent=parent, lead_in_always=False)
        self._begin(draft, rest)
        self.clause, self.letter, self.roman_parent = draft, None, None
        self.section_clauses += 1

    def _section_or_clause(self, number: str, rest: str) -> None:
        if self.appendix and (number in self.titles or number in self.ids):
            number = f"{self.appendix}.{number}"
        if _heading_like(rest):
            self._start_section(number, rest)
            return
        draft = self._new(number, number)
        self._begin(draft, rest)
        self.clause, self.letter, self.roman_parent = draft, None, None

    def _start_section(self, number: str, title: str) -> None:
        self._close()
        self.section, self.section_clauses, self.ignoring = number, 0, False
        self.titles[number] = fold(title)

    def _item(self, token: str, rest: str) -> None:
        assert self.clause is not None
        next_letter = chr(ord(self.letter.id[-2]) + 1) if self.letter else "a"
        next_roman = _ROMANS[self.last_roman + 1] if self.last_roman + 1 < len(_ROMANS) else ""
        lead_in_open = self.letter is not None and self.letter.text.endswith(":")
        if self.roman_parent is not None and token == next_roman:
            self._roman(token, rest)
        elif token == next_letter and not (token == "i" and lead_in_open):
            self._letter(token, rest)
        elif token == "i":
            self.roman_parent, self.last_roman = self.letter or self.clause, -1
            self._roman(token, rest)
        elif token == "a" or (len(token) == 1 and self.roman_parent is None):
            self._letter(token, rest)
        else:
            if self.roman_parent is None:
                self.roman_parent = self.letter or self.clause
            self._roman(token, rest)

    def _letter(self, token: str, rest: str) -> None:
        assert self.clause is not None
        draft = self._new(f"{self.clause.id}({token})", self.clause.section_number, self.clause)
        self._begin(draft, rest)
        self.letter, self.roman_parent, self.last_roman = draft, None, -1

    def _roman(self, token: str, rest: str) -> None:
        parent = self.roman_parent
        assert parent is not None
        draft = self._new(f"{parent.id}({token})", parent.section_number, parent)
        self._begin(draft, rest)
        self.last_roman = _ROMANS.index(token) if token in _ROMANS else self.last_roman + 1

    def _unnumbered_heading(self, line: str, standalone: bool) -> bool:
        words = line.split()
        if len(words) > 12 or not line[0].isupper() or line[-1] in ".,;:":
            return False
        letters = [c for c in line if c.isalpha()]
        if len(letters) >= 3 and all(c.isupper() for c in letters):
            return True
        open_text = self.open.text if self.open is not None else ""
        return standalone and line[-1] not in "!)" and (not open_text or open_text[-1] in _TERMINAL)

    def _new(
        self,
        clause_id: str,
        section: str,
        parent: _Draft | None = None,
        *,
        lead_in_always: bool = True,
    ) -> _Draft:
        draft = _Draft(clause_id, section, parent, lead_in_always)
        self.drafts.append(draft)
        self.ids[clause_id] = draft
        return draft

    def _begin(self, draft: _Draft, rest: str) -> None:
        self.ignoring = False
        if rest:
            draft.parts.append(rest)
        self.open = draft

    def _close(self) -> None:
        self.open = self.clause = self.letter = self.roman_parent = None
        self.last_roman = -1


def _lines(text: str) -> list[tuple[str, bool]]:
    """Cleaned lines, each with whether it stands alone as a paragraph."""
    cleaned = [clean_line(line) for line in text.splitlines()]
    result = []
    for index, line in enumerate(cleaned):
        before = index == 0 or not cleaned[index - 1]
        after = index == len(cleaned) - 1 or not cleaned[index + 1]
        result.append((line, before and after))
    return result


def _word_forms(texts: list[str]) -> dict[str, Counter[str]]:
    """How the body writes each word mid-sentence: lower, Capitalised or UPPER."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _WORD.finditer(text):
            before = text[: match.start()].rstrip()
            if not before or before[-1] in _TERMINAL + "(\"'‘“":
                continue
            word = match.group()
            form = "upper" if word.isupper() and len(word) > 1 else "lower"
            if form == "lower" and word[0].isupper():
                form = "cap"
            forms.setdefault(word.lower(), Counter())[form] += 1
    return forms


def sentence_case(title: str, forms: dict[str, Counter[str]] | None = None) -> str:
    """UPPER CASE or Title Case headings as a reader would write them."""
    title = fold(title).strip(" []")
    long_words = [w for w in _WORD.findall(title) if len(w) > 3]
    shouting = not any(c.islower() for c in title)
    title_case = bool(long_words) and all(w[0].isupper() for w in long_words)
    if not (shouting or title_case):
        return title[:1].upper() + title[1:]
    forms = forms or {}

    def recase(match: re.Match[str]) -> str:
        word = match.group()
        counts = forms.get(word.lower(), Counter())
        best = max(("lower", "cap", "upper"), key=lambda f: (counts[f], f == "lower"))
        if counts[best] == 0 or best == "lower":
            result = word.lower()
        else:
            result = word.upper() if best == "upper" else word.capitalize()
        return result[:1].upper() + result[1:] if match.start() == 0 else result

    return _WORD.sub(recase, title)


def parse_policy(text: str, *, doc_id: str) -> list[Clause]:
    """Split a policy's text into its clauses, in document order."""
    parser = _run(text, skip_contents=True)
    if parser.contents is not None:  # a contents label whose list never ended: not a list
        parser = _run(text, skip_contents=False)
    numbered_parents = {d.parent.id for d in parser.drafts if d.parent and not d.lead_in_always}
    # "1.1 Scope" above "1.1.1 ..." is a sub-heading, not a clause of its own.
    subheadings = {
        d.id for d in parser.drafts if d.id in numbered_parents and _heading_like(d.text)
    }
    drafts = [d for d in parser.drafts if d.text and d.id not in subheadings]
    forms = _word_forms([d.text for d in drafts])
    titles = {number: sentence_case(title, forms) for number, title in parser.titles.items()}
    return [
        Clause(
            id=draft.id,
            document=doc_id,
            section_number=draft.section_number,
            section=titles.get(draft.section_number, ""),
            text=draft.text,
            lead_in=draft.lead_in(),
            parent=_parent_id(draft, subheadings),
            order=order,
        )
        for order, draft in enumerate(drafts)
    ]


def _parent_id(draft: _Draft, dropped: set[str]) -> str | None:
    if draft.parent is None or draft.parent.id in dropped:
        return None
    return draft.parent.id


def _run(text: str, *, skip_contents: bool) -> _Parser:
    parser = _Parser(skip_contents=skip_contents)
    for line, standalone in _lines(text):
        parser.feed(line, standalone=standalone)
    return parser


def document_title(text: str) -> str:
    """The title a document gives itself in its first short lines ("" if none)."""
    parts: list[str] = []
    for raw in text.splitlines():
        line = clean_line(raw)
        if not line:
            continue
        numbered = _NUMBERED.match(line) or _SECTION.match(line) or _MARKER.match(line)
        if numbered or _CONTENTS.match(line) or len(line.split()) > 10 or len(parts) == 3:
            break
        if line[-1] in ".;:,":
            break
        parts.append(line)
    return fold(" ".join(parts))


def preamble_dates(text: str) -> tuple[str, str]:
    """When the preamble says the policy was adopted and reviewed ("" when it does not)."""
    head = "\n".join(clean_line(line) for line in text.splitlines()[:40])
    adopted = _ADOPTED.search(head)
    reviewed = _REVIEWED.search(head)
    return (adopted.group(1) if adopted else "", reviewed.group(1) if reviewed else "")
