"""Turning what staff typed into a question the retriever can use."""

from __future__ import annotations

import re
import unicodedata

from assistant.errors import InputError
from assistant.texts import policy as texts

MAX_QUESTION_CHARS = 1000

_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+|mailto:[^|>\s]+)(?:\|([^>]*))?>")
_SLACK_USER = re.compile(r"<[@#]([A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_ANY_ANGLE = re.compile(r"<([^<>]{0,200})>")
_EMPHASIS = re.compile(r"(?<!\w)([*_~`]{1,3})(\S(?:.*?\S)?)\1(?!\w)")
_CODE_FENCE = re.compile(r"```+")
_SPACE = re.compile(r"\s+")
_HAS_WORD = re.compile(r"\w", re.UNICODE)


def _strip_controls(text: str) -> str:
    kept = []
    for ch in text:
        if ch in "\t\n\r":
            kept.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(ch)
    return "".join(kept)


def unwrap_markup(text: str) -> str:
    """Slack/Markdown markup to plain words: links to their label, mentions dropped, no stars."""
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SLACK_USER.sub(lambda m: m.group(2) or "", text)
    text = _SLACK_SPECIAL.sub(lambda m: m.group(2) or "", text)
    text = _ANY_ANGLE.sub(lambda m: m.group(1), text)
    text = _CODE_FENCE.sub(" ", text)
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clean_question(text: str) -> str:
    """Plain words of a question: no control characters or chat markup, whitespace folded.

    Raises InputError (with a sentence for staff) when nothing usable is left or the
    text is longer than :data:`MAX_QUESTION_CHARS`.
    """
    if text is None or not str(text).strip():
        raise InputError("empty question", user_message=texts.EMPTY_QUESTION)
    text = str(text)
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(
            f"question of {len(text)} characters",
            user_message=texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS),
        )
    text = unicodedata.normalize("NFKC", _strip_controls(text))
    text = _SPACE.sub(" ", unwrap_markup(text)).strip()
    if not text:
        raise InputError("empty question after cleaning", user_message=texts.EMPTY_QUESTION)
    if not _HAS_WORD.search(text):
        raise InputError("no words in the question", user_message=texts.NO_WORDS)
    return text


_MENTION_LIKE = re.compile(r"<\s*([!@#])")


def neutralise(text: str) -> str:
    """Plain reply text that cannot ping a channel: ``<!channel>`` and ``<@U1>`` defused."""
    return _MENTION_LIKE.sub(lambda m: "\u2039" + m.group(1), text)
