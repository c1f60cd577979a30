"""Plain text made safe for Teams' Markdown subset, changing as little as possible.

Adaptive Card TextBlocks and FactSets, and Teams text messages, read a small Markdown subset:
bold and italic (``**``, ``*``, ``_``), bullet and numbered lists at a line's start, headings
(``#``) in text messages, and ``[text](url)`` links; text messages also read HTML. Escaping every
punctuation mark with a backslash (``6\\.3``) keeps the text safe but Teams mobile shows the
backslashes (AdaptiveCards issues 5590 and 7474), so staff on a phone no longer read the
policy's own words. Here only what the subset would interpret is touched, and without a
backslash where an invisible character does the job:

- a line that would start a list, heading or quote gets a zero-width joiner in front of it;
- ``](`` gets a zero-width joiner between the brackets, so no link can form;
- ``*`` and word-edge ``_`` are backslash-escaped only when there are two or more of them
  (one alone cannot pair into emphasis);
- a backslash before punctuation is doubled, so it is not read as an escape.

Text that needs none of this (every clause of the shipped policy) passes through unchanged.
"""

from __future__ import annotations

import html
import re

ZWJ = "\u200d"
_BLOCK_START = re.compile(r"^(?=[ \t]{0,3}(?:[-+*][ \t]|\d{1,9}[.)][ \t]|\d{1,9}[.)]$|#|>))", re.M)
_LINK = re.compile(r"\]\s*\(")
_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_STAR = re.compile(r"\*")
# An underscore at a word's edge can open or close emphasis; inside a word (snake_case) not.
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def escape_markdown(text: str) -> str:
    """``text`` as a card's Markdown shows it literally (see the module docstring)."""
    text = _BACKSLASH.sub(r"\\\\", text)
    text = _LINK.sub(lambda m: "]" + ZWJ + m.group(0)[1:], text)
    text = _BLOCK_START.sub(ZWJ, text)
    if len(_STAR.findall(text)) >= 2:
        text = _STAR.sub(r"\\*", text)
    if len(_EDGE_UNDERSCORE.findall(text)) >= 2:
        text = _EDGE_UNDERSCORE.sub(r"\\_", text)
    return text


def escape_text(text: str) -> str:
    """Plain text for a Teams text message: Markdown as above, HTML escaped, paragraphs kept."""
    return html.escape(escape_markdown(text), quote=False).replace("\n", "\n\n")
