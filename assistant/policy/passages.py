"""Drafts of clauses as the parser reads them, and how they become :class:`Clause` objects.

A clause longer than :data:`LONG` characters with no sub-clauses (an unnumbered appendix, a
section of plain paragraphs) is split into passages of whole paragraphs, a long bulleted
paragraph into runs of its bullets under its lead-in, so that a reply quotes the words that
answer and not the whole section. Each passage keeps the section's printed id as its
``label`` and gets an id of its own (``Appendix 2 ¶3``); an id the document prints twice
(two clauses ``9.6``) is told apart the same way (``9.6 [2]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.policy.lines import SENTENCE_END, TERMINAL, fold, heading_like
from assistant.policy.model import Clause

LONG = 1000  # characters: a clause longer than this is quoted by passages
PASSAGE = 700  # characters a passage aims to stay within
_HEADING_WORDS = 8  # an item's first line this short and heading-like is its title
_SMALL = 120  # a passage this short joins the one after it (a sub-heading, a lead-in)


@dataclass
class Draft:
    """A clause being read: its id, its lines, and where paragraphs and bullets begin."""

    id: str
    section_number: str
    parent: Draft | None = None
    lead_in_always: bool = True  # lettered items always quote their parent's lead-in
    parts: list[str] = field(default_factory=list)
    starts: set[int] = field(default_factory=set)  # parts that begin a paragraph
    bullets: set[int] = field(default_factory=set)  # parts that begin a bullet
    title: str = ""  # an item's own heading ("(e) Teaching and Support Staff")
    titled: bool = False  # a titled item quotes no lead-in of its parent

    def add(self, text: str, *, paragraph: bool, bullet: bool) -> None:
        """Append one line's words."""
        if paragraph:
            self.starts.add(len(self.parts))
        if bullet:
            self.bullets.add(len(self.parts))
        self.parts.append(text)

    @property
    def text(self) -> str:
        return fold(" ".join(self.parts))

    def lead_in(self) -> str:
        if self.parent is None or self.titled:
            return ""
        sentences = SENTENCE_END.split(self.parent.text)
        last = sentences[-1] if sentences else ""
        return last if self.lead_in_always or last.endswith(":") else ""


@dataclass(frozen=True)
class _Unit:
    text: str
    lead_in: str = ""


def finish(
    drafts: list[Draft],
    titles: dict[str, str],
    *,
    doc_id: str,
    recase: Callable[[str], str],
) -> list[Clause]:
    """The clauses of the drafts: sub-headings dropped, items titled, long ones in passages."""
    numbered_parents = {d.parent.id for d in drafts if d.parent and not d.lead_in_always}
    # "1.1 Scope" above "1.1.1 ..." is a sub-heading, not a clause of its own.
    subheadings = {d.id for d in drafts if d.id in numbered_parents and heading_like(d.text)}
    for draft in drafts:
        _take_item_title(draft, recase)
    kept = [d for d in drafts if d.text and d.id not in subheadings]
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    last_id: dict[int, str] = {}  # draft -> the id of its last clause (what items follow)
    for draft in kept:
        section = draft.title or titles.get(draft.section_number, "")
        parent = _parent_id(draft, subheadings)
        if parent is not None and draft.parent is not None:
            parent = last_id.get(id(draft.parent), parent)
        units = [_Unit(draft.text, draft.lead_in())]
        if len(draft.text) > LONG:
            units = _passages(draft)
        for number, unit in enumerate(units, 1):
            label = draft.id
            clause_id = f"{label} ¶{number}" if len(units) > 1 else label
            seen[clause_id] = seen.get(clause_id, 0) + 1
            if seen[clause_id] > 1:  # the document prints this id twice
                clause_id = f"{clause_id} [{seen[clause_id]}]"
            last_id[id(draft)] = clause_id
            clauses.append(
                Clause(
                    id=clause_id,
                    document=doc_id,
                    section_number=draft.section_number,
                    section=section,
                    text=unit.text,
                    lead_in=unit.lead_in,
                    parent=parent,
                    order=len(clauses),
                    label=label,
                )
            )
    return clauses


def _take_item_title(draft: Draft, recase: Callable[[str], str]) -> None:
    """``(e) Teaching and Support Staff`` on its own line, its words below: a titled item."""
    if not draft.id.endswith(")") or len(draft.parts) < 2:
        return
    first = draft.parts[0]
    if len(first.split()) > _HEADING_WORDS or not heading_like(first):
        return
    draft.title = recase(first)
    draft.parts = draft.parts[1:]
    draft.starts = {i - 1 for i in draft.starts if i > 0} | {0}
    draft.bullets = {i - 1 for i in draft.bullets if i > 0}
    draft.lead_in_always = False
    draft.titled = True


def _parent_id(draft: Draft, dropped: set[str]) -> str | None:
    if draft.parent is None or draft.parent.id in dropped or not draft.parent.text:
        return None
    return draft.parent.id


def _paragraphs(draft: Draft) -> list[list[tuple[str, bool]]]:
    """The draft's lines grouped into paragraphs, each line with whether a bullet starts it."""
    out: list[list[tuple[str, bool]]] = []
    for index, part in enumerate(draft.parts):
        if index in draft.starts or not out:
            out.append([])
        out[-1].append((part, index in draft.bullets))
    return out


def _passages(draft: Draft) -> list[_Unit]:
    """A long draft as passages of whole paragraphs (or bullets, or sentences)."""
    units: list[_Unit] = []
    for paragraph in _paragraphs(draft):
        units.extend(_split_paragraph(paragraph))
    merged: list[_Unit] = []
    for unit in units:
        last = merged[-1] if merged else None
        if (
            last is not None
            and not unit.lead_in
            and (len(last.text) < _SMALL or len(last.text) + len(unit.text) < PASSAGE // 2)
        ):
            merged[-1] = _Unit(f"{last.text} {unit.text}", last.lead_in)
        elif (
            last is not None
            and unit.lead_in
            and not last.lead_in
            and len(last.text) < _SMALL
            and last.text == unit.lead_in
        ):
            merged[-1] = unit  # the lead-in alone is quoted with its bullets
        else:
            merged.append(unit)
    return merged


def _split_paragraph(paragraph: list[tuple[str, bool]]) -> list[_Unit]:
    text = fold(" ".join(words for words, _ in paragraph))
    if len(text) <= PASSAGE:
        return [_Unit(text)]
    items: list[str] = []
    lead: list[str] = []
    for words, bullet in paragraph:
        if bullet or items:
            if bullet or not items:
                items.append(words)
            else:
                items[-1] = f"{items[-1]} {words}"
        else:
            lead.append(words)
    lead_text = fold(" ".join(lead))
    if len(items) < 2:
        sentences = SENTENCE_END.split(text)
        if max(len(sentence) for sentence in sentences) > PASSAGE:  # a flattened table
            sentences = [words for words, _ in paragraph]
        return [_Unit(chunk) for chunk in _chunks(sentences)]
    units: list[_Unit] = []
    lead_in = lead_text
    if len(lead_text) > PASSAGE // 2 or (lead_text and lead_text[-1] not in TERMINAL):
        units.extend(_Unit(chunk) for chunk in _chunks(SENTENCE_END.split(lead_text)))
        lead_in = SENTENCE_END.split(lead_text)[-1] if lead_text.endswith(":") else ""
    elif lead_text:
        units.append(_Unit(lead_text))
    units.extend(_Unit(chunk, lead_in) for chunk in _chunks([fold(i) for i in items]))
    return units


def _chunks(pieces: list[str]) -> list[str]:
    """Consecutive pieces joined into runs of at most :data:`PASSAGE` characters."""
    out: list[str] = []
    for piece in pieces:
        if out and len(out[-1]) + len(piece) + 1 <= PASSAGE:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return [fold(chunk) for chunk in out if chunk.strip()]
