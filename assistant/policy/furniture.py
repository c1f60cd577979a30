"""Remove what a PDF export adds to a policy's words before the parser reads them.

Exports carry running headers and footers ("E-Safety Policy – September 2019  Page 3 of 14",
a school name on every page), footnotes at a page's foot with their markers glued to words
("staff1"), words hyphenated across lines ("online-" / "bullying"), addresses wrapped across
lines, and PDF bullet glyphs. :func:`clean_export` takes them out and joins a sentence that a
page break cut in two, so that a quote reads as the policy does. Text without page furniture
(a Word or Markdown export) comes back unchanged but for the same glyph folds.
"""

from __future__ import annotations

import re
from collections import Counter

_PAGE_LINE = re.compile(r"\bpage\s+\d{1,3}(?:\s+of\s+\d{1,3})?\b", re.IGNORECASE)
_GLYPHS = str.maketrans(
    {
        "\uf0b7": "•",  # Symbol-font bullet that pypdf leaves in the private use area
        "\uf0a7": "▪",
        "\uf0d8": "•",
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u00a0": " ",
        "\u00ad": "",  # soft hyphen
    }
)
_NEAR = 6  # a running header or footer sits within this many lines of the page break
_FOOTNOTE = re.compile(r"^(\d{1,2})\s+\S")
_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*[-/_.=?&#]$")
_HYPHENATED = re.compile(r"([A-Za-z]{1,})-$")
_TERMINAL = ".!?:;"


def clean_export(text: str) -> str:
    """The text with page furniture, footnotes, line-end hyphens and wrapped URLs removed."""
    text = text.translate(_GLYPHS)
    pages = [page.splitlines() for page in text.split("\f")]
    lines: list[str] = []
    breaks: list[int] = []  # indices in ``lines`` where a PDF page began
    for page in pages:
        if lines:
            breaks.append(len(lines))
        lines.extend(page)
    furniture = _furniture(lines, breaks)
    if not any(furniture) and not breaks:
        return _join_wrapped(lines)
    footnotes = _footnotes(lines, furniture)
    kept: list[str] = []
    cut = False  # a page break or furniture was just passed: the blank lines around it go
    for index, line in enumerate(lines):
        if furniture[index] or index in footnotes:
            cut = True
            continue
        cut = cut or index in breaks
        if cut:
            if not line.strip():
                continue
            _join_page_break(kept)
            cut = False
        kept.append(line)
    return _join_wrapped(kept)


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _furniture(lines: list[str], breaks: list[int]) -> list[bool]:
    """Which lines are page numbers or a running header or footer."""
    marks = [bool(_PAGE_LINE.search(line)) and len(line.split()) <= 16 for line in lines]
    anchors = [i for i, marked in enumerate(marks) if marked] + breaks
    if len(anchors) < 2:
        return marks
    near = [False] * len(lines)
    for anchor in anchors:
        for step in (-1, 1):
            position, seen = anchor, 0
            while 0 <= position < len(lines) and seen <= _NEAR:
                near[position] = True
                seen += bool(lines[position].strip())
                position += step
    counts = Counter(_key(line) for i, line in enumerate(lines) if near[i] and line.strip())
    # A line on at least a third of the pages, always beside a page break, is the page's.
    everywhere = {key for key, n in counts.items() if n >= max(3, len(anchors) // 3)}
    anywhere = Counter(_key(line) for line in lines if line.strip())
    for i, line in enumerate(lines):
        key = _key(line)
        if key in everywhere and near[i] and anywhere[key] <= counts[key] + 2:
            marks[i] = marks[i] or len(line.split()) <= 16
    return marks


def _footnotes(lines: list[str], furniture: list[bool]) -> set[int]:
    """Footnote lines at a page's foot whose number is glued to a word on that page.

    The marker is taken off the word too (``staff1`` reads ``staff``), in ``lines`` itself.
    """
    found: set[int] = set()
    start = 0
    for end in [i for i, f in enumerate(furniture) if f] + [len(lines)]:
        body = [i for i in range(start, end) if lines[i].strip()]
        start = end + 1
        tail = body[-4:]
        for position, i in enumerate(tail):
            match = _FOOTNOTE.match(lines[i].strip())
            if not match:
                continue
            marker = re.compile(rf"(?<=[a-z)”’\"])({match.group(1)})(?=[\s,.;:)]|$)")
            glued = [j for j in body if j < i and marker.search(lines[j])]
            if not glued:
                continue
            for j in glued[-1:]:
                lines[j] = marker.sub("", lines[j], count=1)
            found.update(tail[position:])
            break
    return found


def _join_page_break(kept: list[str]) -> None:
    """Before the first line of a new page: keep a paragraph break only where one ends."""
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and kept[-1].rstrip()[-1:] in _TERMINAL:
        kept.append("")


def _join_wrapped(lines: list[str]) -> str:
    """Join a word hyphenated across two lines, and an address wrapped across them."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and line.strip():
            last = out[-1].rstrip()
            head = line.lstrip()
            if _URL_TAIL.search(last) and re.match(r"[\w/.#?=&%-]+(?:\s|$)", head):
                out[-1] = last + head
                continue
            word = _HYPHENATED.search(last)
            if word and head[:1].islower() and not last.endswith(" -"):
                out[-1] = last + head  # "online-" + "bullying": keep the author's hyphen
                continue
            if word and head[:1].isupper() and len(word.group(1)) == 1:
                out[-1] = last + head  # "E-" + "Safety"
                continue
        out.append(line)
    return "\n".join(out)
