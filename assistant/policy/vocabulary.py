"""The school's words: tokens, stems, stop words and the synonyms staff use for policy terms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "im",
        "ive",
        "id",
        "dont",
        "cant",
        "wont",
        "isnt",
        "arent",
        "doesnt",
        "didnt",
        "shall",
        "may",
        "might",
        "must",
        "also",
        "ok",
        "okay",
        "please",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "say",
        "says",
        "said",
        "tell",
        "know",
        "let",
        "get",
        "got",
        "allowed",
        "allow",
        "okay",
        "whats",
        "policy",
        "clause",
        "section",
        "rule",
        "rules",
    ]
)

# Each group: the words staff type (left) and the policy's own words they mean (right).
# A query mentioning any left-hand phrase is expanded with the right-hand words.
SYNONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "pupil",
            "pupils",
            "student",
            "students",
            "child",
            "children",
            "kid",
            "kids",
            "young people",
            "learner",
            "learners",
            "youngster",
            "youngsters",
            "teen",
            "teens",
            "teenager",
            "teenagers",
            "boy",
            "girl",
        ),
        ("pupils", "students", "children", "young people"),
    ),
    (
        (
            "friend",
            "friends",
            "befriend",
            "follow",
            "follows",
            "following",
            "follower",
            "followers",
            "dm",
            "dms",
            "direct message",
            "message",
            "messages",
            "messaging",
            "chat",
            "connect",
            "add",
            "contact",
            "contacting",
            "whatsapp",
            "snapchat",
        ),
        ("contact", "friends"),
    ),
    (("fb", "facebook"), ("facebook", "social media")),
    (
        (
            "insta",
            "ig",
            "instagram",
            "tiktok",
            "snapchat",
            "snap",
            "youtube",
            "whatsapp",
            "twitter",
            "tweet",
            "tweets",
            "tweeting",
            "x",
            "linkedin",
            "reddit",
            "mastodon",
            "threads",
            "bluesky",
        ),
        ("social media", "social networking sites"),
    ),
    (("twitter", "tweet", "tweets", "tweeting", "x"), ("twitter",)),
    (("linkedin",), ("linkedin", "professional networking sites")),
    (
        (
            "head",
            "headteacher",
            "head teacher",
            "headmaster",
            "headmistress",
            "principal",
            "the head",
        ),
        ("principal",),
    ),
    (
        (
            "slt",
            "smt",
            "senior leadership",
            "senior leaders",
            "senior leadership team",
            "senior management",
            "deputy",
            "deputy head",
        ),
        ("senior", "leadership", "manager"),
    ),
    (("boss", "manager", "supervisor", "hod", "head of department"), ("line manager",)),
    (("organise", "organize", "organising", "organizing"), ("organise",)),
    (("behaviour", "behavior"), ("behaviour",)),
    (("recognise", "recognize"), ("recognise",)),
    (("minimise", "minimize"), ("minimise",)),
    (
        ("authorise", "authorize", "authorisation", "authorization", "authorised", "authorized"),
        ("authorisation", "authorised"),
    ),
    (("jeopardise", "jeopardize"), ("jeopardise",)),
    (("encyclopedia", "encyclopaedia", "wiki", "wikipedia"), ("wikipedia", "encyclopaedias")),
    (("email", "e-mail", "emails"), ("e-mail",)),
    (
        (
            "sacked",
            "fired",
            "sack",
            "fire",
            "dismissed",
            "punished",
            "punishment",
            "trouble",
            "consequences",
            "consequence",
            "happens",
            "penalty",
            "penalties",
        ),
        ("disciplinary", "dismissal", "breach"),
    ),
    (
        ("copyright", "copy", "copied", "trademark", "trademarks", "plagiarise", "plagiarism"),
        ("copyright", "trademark", "intellectual property"),
    ),
    (("logo", "logos", "crest", "badge", "brand", "branding"), ("logo", "brand")),
    (
        (
            "photo",
            "photos",
            "picture",
            "pictures",
            "pic",
            "pics",
            "image",
            "images",
            "selfie",
            "video",
            "videos",
        ),
        ("photographs", "videos", "images"),
    ),
    (
        (
            "press",
            "journalist",
            "journalists",
            "reporter",
            "reporters",
            "newspaper",
            "newspapers",
            "media enquiry",
            "tv",
        ),
        ("media", "publication", "comments"),
    ),
    (("whistleblowing", "whistleblow", "whistle", "whistleblower"), ("whistle", "bowing")),
    (
        (
            "monitor",
            "monitored",
            "monitoring",
            "snoop",
            "snooping",
            "spy",
            "spying",
            "watch",
            "watching",
            "read",
            "track",
            "tracking",
        ),
        ("monitor", "monitoring", "privacy"),
    ),
    (
        ("parent", "parents", "mum", "dad", "mother", "father", "carer", "carers", "guardian"),
        ("parents", "family"),
    ),
    (
        (
            "ex",
            "former",
            "alumni",
            "alumnus",
            "leaver",
            "leavers",
            "left",
            "leave",
            "leaving",
            "quit",
            "resign",
            "resigned",
        ),
        ("leaving", "former"),
    ),
    (
        (
            "bully",
            "bullying",
            "bullied",
            "harass",
            "harassment",
            "troll",
            "trolling",
            "cyberbullying",
        ),
        ("bully", "harass", "cyberbullying"),
    ),
    (("underage", "age", "old", "13", "thirteen"), ("minimum age", "age")),
    (
        (
            "recommend",
            "recommendation",
            "recommendations",
            "endorse",
            "endorsement",
            "reference",
            "references",
            "referee",
            "testimonial",
        ),
        ("references",),
    ),
    (
        (
            "moderator",
            "moderators",
            "moderate",
            "moderation",
            "admin",
            "admins",
            "administrator",
            "administrators",
        ),
        ("moderate", "administrators"),
    ),
    (
        ("private", "privacy", "lock", "locked", "settings", "visible", "public"),
        ("privacy", "settings"),
    ),
    (
        (
            "slag",
            "slagging",
            "criticise",
            "criticize",
            "complain",
            "complaining",
            "rant",
            "moan",
            "badmouth",
            "insult",
            "negative",
        ),
        ("disparaging", "defamatory", "disparage"),
    ),
    (("work", "official", "school", "class", "department", "club"), ("work purposes", "business")),
    (("page", "account", "group", "channel", "blog", "site", "website"), ("site", "sites")),
    (
        ("setup", "set", "create", "creating", "start", "starting", "open", "launch", "make"),
        ("creating", "creation"),
    ),
    (("sign", "approve", "approval", "permission", "ok", "signoff"), ("approval", "approved")),
    (("opinion", "opinions", "views", "view", "politics", "political"), ("views", "opinions")),
    (
        ("phone", "laptop", "computer", "computers", "pc", "network", "wifi", "device", "ipad"),
        ("computers", "equipment", "it"),
    ),
    (("personal", "own", "private"), ("personal",)),
    (("confidential", "secret", "secrets", "sensitive"), ("confidential", "sensitive")),
    (
        ("safeguarding", "grooming", "abuse", "danger", "risk", "unsafe"),
        ("safeguarding", "risk", "harm"),
    ),
    (("police", "ceop", "illegal", "racist", "homophobic"), ("police", "illegal", "offence")),
)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` (apostrophes folded; US/UK variants left alone)."""
    return _WORD.findall(text.lower().replace("’", "'").replace("'s ", " "))


def stems(text: str) -> list[str]:
    """Stemmed content words of ``text``, stop words removed: what BM25 indexes."""
    kept = [w for w in words(text) if w not in STOP_WORDS]
    return [_normalise_stem(s) for s in _stemmer().stemWords(kept)]


# US spellings the Snowball stemmer leaves apart from the UK ones the policy uses.
_STEM_FOLDS = {"organ": "organis", "behavior": "behaviour", "minim": "minimis"}
_Z_TO_S = re.compile(r"iz$")


def _normalise_stem(stem: str) -> str:
    stem = _STEM_FOLDS.get(stem, stem)
    return _Z_TO_S.sub("is", stem)


def _phrase_in(phrase: str, padded: str) -> bool:
    return f" {phrase} " in padded


def expansions(text: str) -> list[str]:
    """Policy words a question means but may not say (synonym groups it touches)."""
    padded = " " + " ".join(words(text)) + " "
    added: list[str] = []
    for variants, policy_words in SYNONYMS:
        if any(_phrase_in(v, padded) for v in variants):
            added.extend(w for w in policy_words if w not in added)
    return added


def expand_query(text: str) -> str:
    """The question followed by the policy words it implies (for the keyword signal)."""
    extra = expansions(text)
    return f"{text} {' '.join(extra)}" if extra else text


def overlap(query_stems: Iterable[str], vocabulary: frozenset[str]) -> int:
    """How many distinct query stems the policy vocabulary contains."""
    return len({s for s in query_stems if s in vocabulary})
