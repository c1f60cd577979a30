"""The numbers Word shows before automatically numbered paragraphs, rebuilt from the .docx.

Word keeps a list's numbers out of the text: a paragraph (or its style) names a list
(``w:numPr``: ``numId`` and level ``ilvl``), and ``word/numbering.xml`` says how each level
looks (``numFmt``, ``lvlText`` such as ``"%1.%2."``, ``start``, ``lvlRestart``, ``isLgl``).
Counting the paragraphs in document order, as Word does, gives the label a reader sees.
Lists that share an abstract definition share their counters; a list with a
``startOverride`` (Word's "Restart numbering") counts on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from docx.oxml.ns import qn

LEVELS = 9
_PLACEHOLDER = re.compile(r"%([1-9])")
# A number the author typed before the words: the list's own number would repeat it.
_TYPED_LABEL = re.compile(
    r"^\s*(?:\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}[.)]|[A-Z]\.\d{1,3}"
    r"|\(?(?:[a-z]|[A-Z]|[ivxlc]{1,6}|[IVXLC]{1,6}|\d{1,3})\))(?=\s|$)"
)
_TYPED_DOTTED = re.compile(r"^\s*(?:[a-z]|[ivx]{1,6})\.\s")


@dataclass(frozen=True)
class Level:
    """How one level of a list looks and counts."""

    start: int = 0
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # lvlRestart: 0 never restarts; n restarts after levels < n
    legal: bool = False  # isLgl: every number in the label shown as decimal
    hidden: bool = False  # the number's run properties hide it


def _val(element: Any, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return None if child is None else child.get(qn("w:val"))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(lvl: Any) -> Level:
    restart = _val(lvl, "w:lvlRestart")
    legal = lvl.find(qn("w:isLgl"))
    rpr = lvl.find(qn("w:rPr"))
    vanish = rpr.find(qn("w:vanish")) if rpr is not None else None
    return Level(
        start=_int(_val(lvl, "w:start"), 0),
        fmt=_val(lvl, "w:numFmt") or "decimal",
        text=_val(lvl, "w:lvlText") or "",
        restart=None if restart is None else _int(restart, 0),
        legal=legal is not None and legal.get(qn("w:val"), "true") not in ("0", "false", "off"),
        hidden=vanish is not None and vanish.get(qn("w:val"), "true") not in ("0", "false", "off"),
    )


def _letters(value: int, alphabet: str) -> str:
    # Word goes a..z, then aa..zz, then aaa: the letter repeats.
    if value <= 0:
        return str(value)
    index, repeat = (value - 1) % 26, (value - 1) // 26 + 1
    return alphabet[index] * repeat


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def _roman(value: int) -> str:
    if value <= 0:
        return str(value)
    parts = []
    for amount, numeral in _ROMAN:
        count, value = divmod(value, amount)
        parts.append(numeral * count)
    return "".join(parts)


def _ordinal(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def format_number(value: int, fmt: str) -> str:
    """One number as a list format shows it: ``3`` as decimal, ``c``, ``C``, ``iii``, ``III``."""
    if fmt == "lowerLetter":
        return _letters(value, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperLetter":
        return _letters(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if fmt == "lowerRoman":
        return _roman(value)
    if fmt == "upperRoman":
        return _roman(value).upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "ordinal":
        return _ordinal(value)
    if fmt in ("none", "bullet"):
        return ""
    return str(value)  # decimal, and any format Word draws with digits we cannot spell


class ListNumbering:
    """Counts a document's numbered paragraphs in order and renders each one's label."""

    def __init__(self, numbering: Any, styles: Any) -> None:
        self._abstract: dict[str, Any] = {}
        self._nums: dict[str, Any] = {}
        if numbering is not None:
            for abstract in numbering.findall(qn("w:abstractNum")):
                self._abstract[abstract.get(qn("w:abstractNumId"))] = abstract
            for num in numbering.findall(qn("w:num")):
                self._nums[num.get(qn("w:numId"))] = num
        self._styles: dict[str, Any] = {}
        self._default_style: str | None = None
        if styles is not None:
            for style in styles.findall(qn("w:style")):  # numbering styles too: lists link them
                self._styles[style.get(qn("w:styleId"))] = style
                paragraph = style.get(qn("w:type"), "paragraph") == "paragraph"
                if paragraph and style.get(qn("w:default")) in ("1", "true", "on"):
                    self._default_style = style.get(qn("w:styleId"))
        self._counters: dict[tuple[str, str], list[int | None]] = {}
        self._levels: dict[str, list[Level]] = {}

    @classmethod
    def of(cls, document: Any) -> ListNumbering:
        """The numbering of a python-docx ``Document``."""
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # a document with no lists at all
            numbering = None
        return cls(numbering, document.styles.element)

    def label(self, p: Any) -> str:
        """The label Word shows before this ``w:p`` ("" if none), advancing the counters."""
        found = self._list_of(p)
        if found is None:
            return ""
        num_id, ilvl = found
        levels = self._levels_of(num_id)
        if levels is None:
            return ""
        values = self._counters_for(num_id)
        level = levels[ilvl]
        current = values[ilvl]
        values[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, LEVELS):
            threshold = levels[deeper].restart
            if threshold is None or (threshold != 0 and ilvl < threshold):
                values[deeper] = None
        if level.fmt == "bullet" or level.hidden:
            return ""
        return self._render(level, levels, values)

    def _render(self, level: Level, levels: list[Level], values: list[int | None]) -> str:
        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = levels[index]
            value = values[index]
            if value is None:  # a level not yet used shows one before its start, as Word does
                value = max(shown.start - 1, 0)
            return format_number(value, "decimal" if level.legal else shown.fmt)

        return _PLACEHOLDER.sub(number, level.text).strip()

    def _list_of(self, p: Any) -> tuple[str, int] | None:
        """The list (numId) and level a paragraph is in, from itself or its style."""
        ppr = p.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        style_id = _val(ppr, "w:pStyle") if ppr is not None else None
        style_id = style_id or self._default_style
        num_id = _val(numpr, "w:numId") if numpr is not None else None
        ilvl_text = _val(numpr, "w:ilvl") if numpr is not None else None
        if num_id is None:
            num_id, style_ilvl = self._style_list(style_id)
            ilvl_text = ilvl_text if ilvl_text is not None else style_ilvl
            if num_id is not None and ilvl_text is None:
                ilvl_text = self._level_for_style(num_id, style_id)
        if num_id is None or num_id == "0" or num_id not in self._nums:
            return None
        ilvl = _int(ilvl_text, 0)
        return num_id, ilvl if 0 <= ilvl < LEVELS else 0

    def _style_list(self, style_id: str | None) -> tuple[str | None, str | None]:
        num_id: str | None = None
        ilvl: str | None = None
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            ppr = style.find(qn("w:pPr"))
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if numpr is not None:
                num_id = num_id if num_id is not None else _val(numpr, "w:numId")
                ilvl = ilvl if ilvl is not None else _val(numpr, "w:ilvl")
            if num_id is not None:
                break
            style_id = _val(style, "w:basedOn")
        return num_id, ilvl

    def _level_for_style(self, num_id: str, style_id: str | None) -> str | None:
        abstract = self._abstract_of(num_id)
        if abstract is None or style_id is None:
            return None
        for lvl in abstract.findall(qn("w:lvl")):
            if _val(lvl, "w:pStyle") == style_id:
                return lvl.get(qn("w:ilvl"))
        return None

    def _abstract_id(self, num_id: str) -> str | None:
        num = self._nums.get(num_id)
        return _val(num, "w:abstractNumId") if num is not None else None

    def _abstract_of(self, num_id: str) -> Any:
        """The abstract definition, following a numbering style's link to its real list."""
        abstract = self._abstract.get(self._abstract_id(num_id) or "")
        for _ in range(3):
            link = _val(abstract, "w:numStyleLink") if abstract is not None else None
            if not link:
                break
            linked_num, _ilvl = self._style_list(link)
            abstract = self._abstract.get(self._abstract_id(linked_num or "") or "")
        return abstract

    def _overrides(self, num_id: str) -> Iterable[Any]:
        return self._nums[num_id].findall(qn("w:lvlOverride"))

    def _levels_of(self, num_id: str) -> list[Level] | None:
        if num_id in self._levels:
            return self._levels[num_id]
        abstract = self._abstract_of(num_id)
        if abstract is None:
            return None
        levels = [Level(text=f"%{index + 1}.") for index in range(LEVELS)]
        for lvl in abstract.findall(qn("w:lvl")):
            index = _int(lvl.get(qn("w:ilvl")), -1)
            if 0 <= index < LEVELS:
                levels[index] = _level(lvl)
        for override in self._overrides(num_id):
            index = _int(override.get(qn("w:ilvl")), -1)
            if not 0 <= index < LEVELS:
                continue
            lvl = override.find(qn("w:lvl"))
            if lvl is not None:
                levels[index] = _level(lvl)
            start = _val(override, "w:startOverride")
            if start is not None:
                levels[index] = replace(levels[index], start=_int(start, levels[index].start))
        self._levels[num_id] = levels
        return levels

    def _counters_for(self, num_id: str) -> list[int | None]:
        restarted = any(
            override.find(qn("w:startOverride")) is not None for override in self._overrides(num_id)
        )
        key = ("num", num_id) if restarted else ("abstract", self._abstract_id(num_id) or num_id)
        return self._counters.setdefault(key, [None] * LEVELS)


def paragraph_labels(document: Any) -> dict[Any, str]:
    """The label of every numbered paragraph in a python-docx ``Document``, by its ``w:p``."""
    numbering = ListNumbering.of(document)
    labels = {}
    for p in document.element.body.iter(qn("w:p")):
        if label := numbering.label(p):
            labels[p] = label
    return labels


def numbered_text(label: str, text: str) -> str:
    """The paragraph as a reader sees it: its list label, then its words.

    When the author also typed a number ("(a) pictures of pupils" in a List Number
    paragraph), the typed one is what the policy means, so the list's label is left off.
    """
    if not label or not text.strip():
        return text
    if _TYPED_LABEL.match(text) or _TYPED_DOTTED.match(text):
        return text
    return f"{label} {text.lstrip()}"
