"""What a policy says about itself: its title, its dates, and headings as a reader says them."""

from __future__ import annotations

import re
from collections import Counter

from assistant.policy.furniture import clean_export
from assistant.policy.lines import (
    CONTENTS,
    MARKER,
    NUMBERED,
    SECTION,
    TERMINAL,
    VERSION_LOG,
    clean_line,
    fold,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_DATE = r"((?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Z][a-z]+\s+\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})"
_ADOPTED = re.compile(r"\b(?i:adopted)\b[^\n]*?\b(?:in|on)\s*:?\s+" + _DATE)
_REVIEWED = re.compile(r"\b(?i:reviewed)\b[^\n]*?\b(?:in|on)\s*:?\s+" + _DATE)
# Lines of a cover page that are not its title: labels of a metadata table, dates, addresses.
_NOT_TITLE = re.compile(
    r"://|^(?:www\.|source:)|^\(?(?:policy\s+)?(?:date|version|status|author|owner|approved"
    r"|review|adopted|issued?|ratified)\b|^document\s+control",
    re.IGNORECASE,
)


def word_forms(texts: list[str]) -> dict[str, Counter[str]]:
    """How the body writes each word mid-sentence: lower, Capitalised or UPPER."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _WORD.finditer(text):
            before = text[: match.start()].rstrip()
            if not before or before[-1] in TERMINAL + "(\"'‘“":
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
        if match.start() and title[match.start() - 1] == "-" and not shouting:
            return word  # "E-Safety" as written
        counts = forms.get(word.lower(), Counter())
        best = max(("lower", "cap", "upper"), key=lambda f: (counts[f], f == "lower"))
        if counts[best] == 0 or best == "lower":
            result = word.lower()
        else:
            result = word.upper() if best == "upper" else word.capitalize()
        return result[:1].upper() + result[1:] if match.start() == 0 else result

    return _WORD.sub(recase, title)


def document_title(text: str) -> str:
    """The title a document gives itself in its first short lines ("" if none)."""
    parts: list[str] = []
    in_log = False  # a version log before the title: its rows are not the title
    for raw in clean_export(text).splitlines():
        line = clean_line(raw)
        if in_log and line:
            continue
        in_log = False
        if not line:
            if parts and len(parts) >= 2:
                break  # a blank line after two title lines ends the title
            continue
        numbered = NUMBERED.match(line) or SECTION.match(line) or MARKER.match(line)
        if numbered or CONTENTS.match(line) or len(line.split()) > 10 or len(parts) == 3:
            break
        if _NOT_TITLE.search(line) or VERSION_LOG.match(line):
            if parts:
                break
            in_log = bool(VERSION_LOG.match(line))
            continue
        if line[-1] in ".;:,":
            break
        parts.append(line)
    return fold(" ".join(parts))


def preamble_dates(text: str) -> tuple[str, str]:
    """When the preamble says the policy was adopted and reviewed ("" when it does not)."""
    head = "\n".join(clean_line(line) for line in clean_export(text).splitlines()[:40])
    adopted = _ADOPTED.search(head)
    reviewed = _REVIEWED.search(head)
    return (adopted.group(1) if adopted else "", reviewed.group(1) if reviewed else "")
