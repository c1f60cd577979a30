"""Follow-up questions read with the question before them in the same conversation.

A stage in front of any answerer: it sees only question text, so it keeps working whatever
the ranking does. A follow-up that cannot stand alone ("and moderators?", "what if they're
18 now?", "who signs it off?") is searched as the earlier question followed by the follow-up;
a question with a topic of its own, or one that names a clause, is searched alone. The
method and its rules were chosen on ``tests/eval/followup_dev.jsonl`` (see
``tests/eval/README.md``, "Follow-up questions").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import InputError
from assistant.policy.answer import PolicyAnswer
from assistant.policy.questions import MAX_QUESTION_CHARS, clean_question, neutralise

# Openings that lean on what was said before.
_LEANS = re.compile(
    r"^\s*(?:ok(?:ay)?\s*,?\s*|right\s*,?\s*|so\s+)?"
    r"(?:and|or|but|also|plus|then|what about|how about|what if|even if|even|same for|"
    r"same with|and if|what else|is that|does that|would that|is it|does it|can they|"
    r"do they|are they|should we|should i)\b",
    re.IGNORECASE,
)
# Words that point back when nothing in the question itself gives them a referent.
_POINTERS = frozenset({
    "it", "its", "it's", "they", "them", "their", "theirs", "they're", "that", "that's", "this",
    "those", "these", "there", "he", "she", "him", "her", "his", "one", "ones", "such",
})  # fmt: skip
# "this policy" points at the policy, not at an earlier question.
_POLICY_NOUN = re.compile(r"\b(?:this|the|that)\s+(?:policy|document|form)\b", re.IGNORECASE)
# Said to start afresh; the rest of the message is asked alone.
_NEW_QUESTION = re.compile(
    r"^\s*(?:new|another|different|separate|unrelated|other)\s+(?:question|topic|thing)\b"
    r"\s*[:,.!?\-\u2013\u2014]*\s*",
    re.IGNORECASE,
)
# A clause number ("5.2", "A.5.6", "10.2(f)") or "clause ..." asks about that clause alone.
_NAMES_CLAUSE = re.compile(
    r"(?<![\w.])(?:[A-Za-z]\.)?\d{1,2}\.\d{1,2}(?!\d)"
    r"|\b(?:clause|section|appendix|para(?:graph)?)\s+\w",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w']+")
# At most this many words, with no opening or pointer of its own, still reads as a follow-up
# ("who do I tell?", "who has to agree?"); six-word questions in the dev pairs had a topic.
SHORT_WORDS = 5
# Words that ask without naming a topic: a question made of these and at most one other word
# ("what do I have to do?", "what form do I fill in?") has no topic of its own.
_ASKING = frozenset({
    "a", "an", "the", "i", "me", "my", "we", "us", "our", "you", "your", "is", "are", "am",
    "was", "be", "been", "can", "could", "should", "would", "will", "shall", "may", "might",
    "must", "do", "does", "did", "done", "have", "has", "had", "what", "who", "whom", "whose",
    "which", "when", "where", "why", "how", "if", "to", "of", "for", "in", "on", "at", "by",
    "with", "from", "about", "then", "so", "just", "now", "first", "next", "also", "else",
    "any", "some", "anything", "someone", "anyone", "need", "needs", "want", "wants", "think",
    "know", "ask", "tell", "say", "get", "make", "go", "happen", "fill", "use", "really",
    "still", "okay", "ok", "please", "many", "much", "there", "and", "or", "but", "not", "no",
    "nor", "yes", "too", "even", "same", "other", "than", "as", "whats", "what's", "i'm",
    "i've", "we're", "isn't", "don't", "doesn't", "can't", "only", "ever", "all", "more",
    "most",
})  # fmt: skip
TOPIC_CHARS = 90


@dataclass(frozen=True)
class Reading:
    """How to search a message: the text to search, and whether it used the earlier question."""

    query: str
    asked: str  # the message as typed, less any "new question:" opening
    with_earlier: bool = False
    fresh: bool = False  # the person said "new question"
    earlier: str = ""  # the earlier question it was read with


def starts_afresh(text: str) -> tuple[bool, str]:
    """(True, the rest) when the message opens with "new question"; else (False, text)."""
    match = _NEW_QUESTION.match(text)
    if match is None:
        return False, text
    return True, text[match.end() :].strip()


def leans_on_earlier(question: str) -> bool:
    """True when ``question`` cannot stand alone: an "and ...?", "what if ...", a pointer
    with nothing to point at, or a short question with no clause named."""
    if _NAMES_CLAUSE.search(question):
        return False
    if _LEANS.match(question):
        return True
    pointing = _WORD.findall(_POLICY_NOUN.sub(" ", question).lower())
    if any(w in _POINTERS for w in pointing):
        return True
    words = [w.lower() for w in _WORD.findall(question)]
    return len(words) <= SHORT_WORDS or sum(w not in _ASKING for w in words) <= 1


def read(question: str, earlier: str | None) -> Reading:
    """How to search ``question`` given the conversation's earlier question (or None).

    "new question" alone gives an empty ``asked``: nothing to search, start afresh."""
    fresh, rest = starts_afresh(question)
    asked = rest if fresh else question
    query = f"{earlier} {asked}"
    if fresh or not earlier or len(query) > MAX_QUESTION_CHARS or not leans_on_earlier(asked):
        return Reading(query=asked, asked=asked, fresh=fresh)
    return Reading(query=query, asked=asked, with_earlier=True, earlier=earlier)


def queries(reading: Reading) -> list[str]:
    """What to answer, in one batch: the joined query and, for a follow-up, the follow-up
    alone (to tell a new topic the policy does not cover)."""
    return [reading.query, reading.asked] if reading.with_earlier else [reading.query]


def settle(reading: Reading, answers: list[PolicyAnswer]) -> tuple[PolicyAnswer, bool]:
    """The answer to reply with, and whether it was read with the earlier question."""
    if not reading.with_earlier:
        return answers[0], False
    joined, alone = answers
    # Naming something of its own that the policy refuses on its own ("and what's the dress
    # code?", "what about my pension?"): refused, whatever the earlier topic would add. One
    # that names nothing ("from whom?", "why not?") cannot be judged alone and is not.
    if (
        not alone.answered
        and not alone.problem
        and own_words(reading.asked, earlier=reading.earlier)
    ):
        return alone, False
    return joined, True


def own_words(question: str, *, earlier: str) -> list[str]:
    """The words of ``question`` that name something: not asking words, not pointers, and
    not already in ``earlier``."""
    before = {w.lower() for w in _WORD.findall(earlier)}
    return [
        w
        for w in (w.lower() for w in _WORD.findall(question))
        if w not in _ASKING and w not in _POINTERS and w not in before and not w.isdigit()
    ]


def topic(earlier: str) -> str:
    """The earlier question as the reply names it: its words as typed (chat markup and
    mentions defused), cut at a word if long."""
    try:
        text = clean_question(earlier)
    except InputError:
        text = " ".join(earlier.split())
    text = neutralise(text)
    if len(text) <= TOPIC_CHARS:
        return text
    return text[:TOPIC_CHARS].rsplit(" ", 1)[0] + "\u2026"
