"""Turn a policy's plain text, as Word or PDF exports it, into numbered clauses.

Page furniture is removed first (:mod:`assistant.policy.furniture`), then the parser reads
line by line (:mod:`assistant.policy.lines`). Each line is a contents or version-log label,
an appendix or part heading, a section heading (``1.``, ``1``, ``A`` within a part), a
numbered clause (``4.2``, ``A.5.7``), a lettered or roman item (``(a)``, ``(iii)``), an
unnumbered heading, or words that continue whatever is open. Ids are the document's own,
qualified by their parent where letters restart (``2(e)``, ``Part 4 G(iii)``,
``Appendix 2 4``). Long clauses become passages and repeated ids are told apart last
(:mod:`assistant.policy.passages`).
"""

from __future__ import annotations

import re

from assistant.policy.lines import (
    APPENDIX,
    CONTENTS,
    DATE_START,
    LETTERED,
    MARKER,
    NUMBERED,
    PART,
    SECTION,
    TERMINAL,
    VERSION_LOG,
    Contents,
    Line,
    fold,
    heading_like,
    read_lines,
)
from assistant.policy.model import Clause
from assistant.policy.passages import Draft, finish
from assistant.policy.titles import document_title, preamble_dates, sentence_case, word_forms

__all__ = ["PARSER_VERSION", "document_title", "parse_policy", "preamble_dates", "sentence_case"]

# Raised whenever a change to the parser can change the clauses of a document already indexed.
PARSER_VERSION = 2

_FORM = re.compile(r"\bform\b", re.IGNORECASE)
_ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_DOTLESS_JUMP = 6  # a dotless heading more than this past the last one is a stray number


class _Parser:
    """One pass over the lines of one document."""

    def __init__(self, *, skip_contents: bool) -> None:
        self.skip_contents = skip_contents
        self.drafts: list[Draft] = []
        self.ids: dict[str, Draft] = {}
        self.titles: dict[str, str] = {}
        self.section = ""
        self.section_clauses = 0
        self.ignoring = True  # outside any section, or after an unnumbered heading
        self.stopped = False
        self.open: Draft | None = None
        self.clause: Draft | None = None  # the clause lettered items belong to
        self.letter: Draft | None = None
        self.roman_parent: Draft | None = None
        self.last_roman = -1
        self.contents: Contents | None = None
        self.version_log = False
        self.in_form = False  # inside an appendix that is a form: nothing until the next
        self.appendix_subtitle_pending = False
        self.appendix = ""  # "A" or "2"
        self.part = ""  # "Part 4"
        self.last_letter = ""  # the last lettered heading of the part
        self.last_dotless = 0  # the last dotless heading number in this part of the document
        self.title_open = ""  # a heading that may wrap onto the next line

    def feed(self, line: Line) -> None:
        text = line.text
        if self.stopped or not text:
            return
        if self.contents is not None:
            if not self.contents.over(text):
                return
            self.contents = None
        if self.version_log:
            if not self._version_log_over(text):
                return
            self.version_log = False
        if VERSION_LOG.match(text) and not self.section:
            self._close()
            self.version_log = True
            return
        if self.skip_contents and CONTENTS.match(text):
            self._close()
            self.contents = Contents()
            return
        match = APPENDIX.match(text)
        if match and (not match.group(2) or heading_like(match.group(2))):
            self._start_appendix(match.group(1).upper(), match.group(2))
            return
        if self.in_form:
            return
        if self._wrapped_title(text):
            return
        self.title_open = ""
        if self.appendix_subtitle_pending:
            self.appendix_subtitle_pending = False
            if not NUMBERED.match(text) and heading_like(text):
                self.in_form = bool(_FORM.search(text))
                if not self.in_form and self.appendix.isdigit():
                    self.titles[self._appendix_id()] = text
                return
        if (match := PART.match(text)) and (not match.group(2) or heading_like(match.group(2))):
            self._start_part(match.group(1).upper(), match.group(2))
        elif match := NUMBERED.match(text):
            self._numbered(match.group(1), match.group(2).strip())
        elif (match := SECTION.match(text)) and self._is_section(match):
            self._section_or_clause(match.group(1), match.group(3).strip())
        elif (match := LETTERED.match(text)) and self._is_lettered(match):
            self._start_lettered(match.group(1), match.group(2).strip())
        elif (match := MARKER.match(text)) and (self.clause is not None or self._bare_section()):
            if self.clause is None:  # "3 Online Safety" then "(a) Overview": items of 3
                self.clause = self._new(self.section, self.section)
            token = match.group(1) or match.group(2)
            self._item(token, match.group(3))
        elif self._unnumbered_heading(text, line.standalone):
            if self.open is not None and self._body_section():
                self._append(self.open, line)  # a sub-heading within a section's passages
            else:
                self._close()
                self.ignoring = True
        elif self.open is not None:
            self._append(self.open, line)
        elif not self.ignoring and (self.section and self.section_clauses == 0):
            self.open = self.clause = self._new(self.section, self.section)
            self._append(self.open, line)
        elif not self.ignoring and self.appendix.isdigit() and not self.section:
            appendix = self._appendix_id()
            self.open = self.clause = self._new(appendix, appendix)
            self._append(self.open, line)

    # -- what a line is ---------------------------------------------------------------

    def _version_log_over(self, text: str) -> bool:
        """A version log lasts until the contents or the first section of the body."""
        if CONTENTS.match(text) or APPENDIX.match(text):
            return True
        match = SECTION.match(text)
        if match and match.group(1) == "1" and heading_like(match.group(3)):
            return True
        match = NUMBERED.match(text)
        return bool(match and match.group(1) == "1.1" and not DATE_START.match(match.group(2)))

    def _is_section(self, match: re.Match[str]) -> bool:
        number, dotted, rest = int(match.group(1)), match.group(2), match.group(3)
        if dotted:
            return True
        if not heading_like(rest):
            return False
        # A dotless number only heads a section in sequence: "12 months ago" is not one.
        return self.last_dotless < number <= self.last_dotless + _DOTLESS_JUMP

    def _is_lettered(self, match: re.Match[str]) -> bool:
        """``A Safer Recruitment`` within a part, in the part's letter sequence."""
        if not self.part:
            return False
        expected = chr(ord(self.last_letter) + 1) if self.last_letter else "A"
        rest = match.group(2)
        words = rest.split()
        return (
            match.group(1) == expected
            and 0 < len(words) <= 14
            and rest[-1] not in TERMINAL + ","
            and (rest[0].isupper() or rest[0].isdigit() or "-" in words[0])
        )

    def _wrapped_title(self, text: str) -> bool:
        """A heading's second line ("... of personal living" / "space, gifts and ...")."""
        key = self.title_open
        if not key or key not in self.titles or len(text.split()) > 10:
            return False
        title = self.titles[key]
        shouting = title.isupper() and text.isupper() and text[-1:] not in TERMINAL
        wraps = text[0].islower() and text[-1] not in TERMINAL and not title.endswith(".")
        if not (shouting or wraps):
            return False
        self.titles[key] = f"{title} {text}"
        self.title_open = ""
        return True

    def _unnumbered_heading(self, line: str, standalone: bool) -> bool:
        words = line.split()
        if len(words) > 12 or not line[0].isupper() or line[-1] in ".,;:":
            return False
        letters = [c for c in line if c.isalpha()]
        if len(letters) >= 3 and all(c.isupper() for c in letters):
            return True
        open_text = self.open.text if self.open is not None else ""
        return standalone and line[-1] not in "!)" and (not open_text or open_text[-1] in TERMINAL)

    def _bare_section(self) -> bool:
        """A section heading read, and nothing under it yet."""
        return bool(self.section) and not self.ignoring and self.section_clauses == 0

    def _body_section(self) -> bool:
        """Whether the open clause is a whole section read as passages (no numbered clauses)."""
        if self.open is None or self.open is not self.clause or self.section_clauses:
            return False
        whole = self.section or (self._appendix_id() if self.appendix.isdigit() else "")
        return bool(whole) and self.open.id == whole

    # -- starting things ----------------------------------------------------------------

    def _appendix_id(self) -> str:
        return f"Appendix {self.appendix}"

    def _start_appendix(self, label: str, title: str) -> None:
        self._close()
        self.appendix, self.part, self.last_letter, self.last_dotless = label, "", "", 0
        self.section, self.section_clauses = "", 0
        self.in_form = bool(_FORM.search(title))
        self.ignoring = not label.isdigit()  # a lettered appendix starts numbered (A.1)
        self.appendix_subtitle_pending = not title
        if title and label.isdigit():
            self.titles[self._appendix_id()] = title
            self.title_open = self._appendix_id()

    def _start_part(self, number: str, title: str) -> None:
        self._close()
        self.part, self.last_letter, self.last_dotless = f"Part {number}", "", 0
        self.section, self.section_clauses, self.ignoring = "", 0, True
        self.appendix = ""
        if title:
            self.titles[self.part] = title
            self.title_open = self.part

    def _start_lettered(self, letter: str, title: str) -> None:
        self.last_letter = letter
        self._start_section(f"{self.part} {letter}", title)

    def _numbered(self, number: str, rest: str) -> None:
        if DATE_START.match(rest):  # "2.0 23/04/2020 Text updated": a row of a version log
            self._close()
            self.ignoring = True
            return
        if self.appendix.isdigit():  # "Appendix 2" numbered 1.1, 1.2: "Appendix 2 1.1"
            section = self._in_appendix(number.split(".", 1)[0], " ")
            number = self._in_appendix(number, " ")
        else:
            if self.appendix and number in self.ids:  # numbering restarted in an appendix
                number = self._in_appendix(number, ".")
            if number[0].isalpha() and number.count(".") == 1 and heading_like(rest):
                self._start_section(number, rest)
                return
            if number[0].isalpha() and number.count(".") == 1:
                section = number[0]
            elif number[0].isalpha():
                section = number.rsplit(".", 1)[0]
            else:
                section = number.split(".", 1)[0]
        self.section = section
        parent = self.ids.get(number.rsplit(".", 1)[0]) if not number[0].isalpha() else None
        if self.appendix.isdigit():
            parent = self.ids.get(number.rsplit(".", 1)[0]) if number.count(".") > 1 else None
        draft = self._new(number, section, parent=parent, lead_in_always=False)
        self._begin(draft, rest)
        self.clause, self.letter, self.roman_parent = draft, None, None
        self.section_clauses += 1

    def _in_appendix(self, number: str, joiner: str) -> str:
        if self.appendix.isdigit():
            return f"Appendix {self.appendix} {number}"
        return f"{self.appendix}{joiner}{number}"

    def _section_or_clause(self, number: str, rest: str) -> None:
        if self.appendix and self.appendix.isdigit():
            number = self._in_appendix(number, " ")
        elif self.appendix and (number in self.titles or number in self.ids):
            number = self._in_appendix(number, ".")
        if heading_like(rest):
            self.last_dotless = int(number.rsplit(" ", 1)[-1].rsplit(".", 1)[-1])
            self._start_section(number, rest)
            return
        # In an appendix, numbered paragraphs outside its sections, or a list that starts at 1
        # again, belong to the appendix itself (a consent form's conditions).
        value = int(number.rsplit(" ", 1)[-1])
        section = number
        if self.appendix.isdigit() and (not self.section or value <= self.last_dotless):
            section = self.section = self._appendix_id()
        elif self.appendix.isdigit() and self.section == self._appendix_id():
            section = self.section
        draft = self._new(number, section)
        self._begin(draft, rest)
        self.clause, self.letter, self.roman_parent = draft, None, None

    def _start_section(self, number: str, title: str) -> None:
        self._close()
        self.section, self.section_clauses, self.ignoring = number, 0, False
        self.titles[number] = fold(title)
        self.title_open = number

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

    # -- drafts -------------------------------------------------------------------------

    def _new(
        self,
        clause_id: str,
        section: str,
        parent: Draft | None = None,
        *,
        lead_in_always: bool = True,
    ) -> Draft:
        draft = Draft(clause_id, section, parent, lead_in_always)
        self.drafts.append(draft)
        self.ids[clause_id] = draft
        return draft

    def _begin(self, draft: Draft, rest: str) -> None:
        self.ignoring = False
        if rest:
            draft.add(rest, paragraph=True, bullet=False)
        self.open = draft

    def _append(self, draft: Draft, line: Line) -> None:
        draft.add(line.text, paragraph=line.starts_paragraph, bullet=line.bullet)

    def _close(self) -> None:
        self.open = self.clause = self.letter = self.roman_parent = None
        self.last_roman = -1
        self.title_open = ""


def parse_policy(text: str, *, doc_id: str) -> list[Clause]:
    """Split a policy's text into its clauses, in document order."""
    lines = read_lines(text)
    parser = _run(lines, skip_contents=True)
    if parser.contents is not None:  # a contents label whose list never ended: not a list
        parser = _run(lines, skip_contents=False)
    forms = word_forms([d.text for d in parser.drafts if d.text])
    titles = {number: sentence_case(title, forms) for number, title in parser.titles.items()}
    return finish(
        parser.drafts, titles, doc_id=doc_id, recase=lambda title: sentence_case(title, forms)
    )


def _run(lines: list[Line], *, skip_contents: bool) -> _Parser:
    parser = _Parser(skip_contents=skip_contents)
    for line in lines:
        parser.feed(line)
    return parser
