"""The school's words: tokens, stems, stop words and the synonyms staff use for policy terms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9]+")

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
        "whats",
        "s",
        "t",
        "policy",
        "clause",
        "section",
        "rule",
        "rules",
        "even",
        "really",
        "still",
        "quick",
        "one",
    ]
)

# One line a group: the words staff type | the policy's own words they stand for.
# A question using any left-hand word or phrase is expanded with the right-hand words.
_SYNONYM_TABLE = """
pupil, pupils, student, students, child, children, kid, kids, young people, learner, learners,
  youngster, youngsters, teen, teens, teenager, teenagers, tutee, tutees, year 7s, year 10
  | pupils, students, children, young people
friend, friends, befriend, follow, follows, following, follower, followers, dm, dms, dmd,
  direct message, message, messages, messaged, messaging, chat, connect, add, contact,
  contacting, friend request | contact, friends
tweet, tweets, tweeting, post, posts, posting, share, sharing, upload | post, posting
linkedin | linkedin, professional networking sites
head, headteacher, head teacher, headmaster, headmistress, principal | principal
slt, smt, senior leadership, senior leaders, senior leadership team, senior management,
  deputy, deputy head | senior, leadership, manager
boss, manager, supervisor, hod, head of department | line manager
organise, organize, organising, organizing | organise
behaviour, behavior | behaviour
authorise, authorize, authorisation, authorization, authorised, authorized | authorisation
encyclopedia, encyclopaedia, wiki, wikipedia | wikipedia, encyclopaedias
email, e-mail, emails | e-mail
sacked, fired, sack, fire, dismissed, punished, punishment, trouble, consequences, penalty
  | disciplinary, dismissal, breach
copyright, copy, copied, trademark, trademarks, plagiarise, plagiarism
  | copyright, trademark, intellectual property
logo, logos, crest, badge, brand, branding | logo, brand
photo, photos, picture, pictures, pic, pics, image, images, selfie, video, videos
  | photographs, videos, images
press, journalist, journalists, reporter, reporters, newspaper, newspapers, bbc, news, radio,
  tv, media | media, comments, publication
whistleblowing, whistleblow, whistleblower | whistle, bowing
monitor, monitored, monitoring, snoop, snooping, spy, spying, track, tracking, read my,
  check my, see my | monitor, monitoring
parent, parents, mum, dad, mother, father, carer, carers, guardian | parents
ex, former, alumni, alumnus, leaver, leavers, old school, quit, resign, resigned, new job
  | leaving, former
bully, bullying, bullied, harass, harassment, troll, trolling, cyberbullying, nasty, abusive
  | bully, harass, offensive
underage, age, 13, 13s, thirteen, under 13s | minimum age, age
recommend, recommendation, recommendations, endorse, endorsement, reference, references,
  referee, testimonial | references
moderator, moderators, moderate, moderation, admin, admins, administrator, administrators
  | moderate, administrators
private, privacy, lock, locked, settings, visible | privacy, settings
slag, slagging, criticise, criticize, complain, complaining, rant, moan, badmouth, insult
  | disparaging, defamatory, disparage
official, class, department, dept, club | work purposes
page, account, channel, blog, website | site
setup, set up, create, creating, start, starting, launch | creating, creation
sign off, approve, approves, approval, approvals, signoff | approval, approved
opinion, opinions, views, politics, political | views, opinions
phone, laptop, computer, computers, pc, device, ipad, wifi, network, intranet
  | computers, networks, equipment, systems
confidential, secret, secrets, sensitive, leak, leaked, leaking | confidential, breach
safeguarding, grooming, abuse, danger, unsafe, worrying | safeguarding, risk, harm
police, ceop, illegal, racist, homophobic | police, illegal, offence
racist, sexist, discriminate, discrimination, discriminatory | discriminate
change, changed, changes, amend, update, updated | amended
in charge, responsible, owns, oversees, accountable | responsibility
supply, agency, temp, temporary, contractor, volunteer, volunteers, ta, trainee, governor
  | agency, staff, volunteers
productivity, productive, time wasting, distraction | productivity
who do i ask, not sure, unsure, questions, query, means | questions, directed
report, reporting, inform | reported, inform
pretend, pretending, fake, impersonate, anonymous, alias, catfish
  | misleading, someone other than yourself
google, googling, search, searches, vet, background check, job, apply, applying, interview,
  candidate, candidates, hiring, recruit, recruitment | internet searches, recruitment
disclaimer, where i work, bio, employer, affiliation | affiliation, employer
ofsted, inspection, exam results, league table, controversial | sensitive school-related topics
appropriate, inappropriate, uncertain, check with | uncertain, appropriateness
delete, deleted, deleting, remove, removed, take down, takedown | remove
measure, evaluate, worked, success, successful, impact | evaluated, success, objectives
promise, promises, commit, commitment, guarantee | commitments
who i am, identify, my name, real name, job title | identify, positions
vulnerable, sen, looked after | vulnerable
side business, small business, side hustle, sell, selling, advertise, promote, charity
  | commercial, solicitations, promotion
"""


def _parse_table(table: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    groups = []
    for block in re.split(r"\n(?=\S)", table.strip()):
        staff, _, policy = " ".join(block.split()).partition("|")
        variants = tuple(w.strip() for w in staff.split(",") if w.strip())
        meant = tuple(w.strip() for w in policy.split(",") if w.strip())
        groups.append((variants, meant))
    return tuple(groups)


SYNONYMS = _parse_table(_SYNONYM_TABLE)

# Platforms staff name: the policy speaks of "social media" (naming a few only as examples).
PLATFORMS = frozenset(
    [
        "fb",
        "facebook",
        "insta",
        "ig",
        "instagram",
        "tiktok",
        "snapchat",
        "snap",
        "youtube",
        "whatsapp",
        "twitter",
        "x",
        "reddit",
        "mastodon",
        "threads",
        "bluesky",
        "pinterest",
        "discord",
        "telegram",
    ]
)
_PLATFORM_WORD = re.compile(r"\b(" + "|".join(sorted(PLATFORMS)) + r")\b", re.IGNORECASE)

# US spellings the Snowball stemmer leaves apart from the UK ones the policy uses.
_STEM_FOLDS = {"organ": "organis", "behavior": "behaviour", "minim": "minimis"}
_Z_TO_S = re.compile(r"iz$")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, apostrophes dropped ("colleague's" -> "colleagues")."""
    return _WORD.findall(text.lower().replace("'", "").replace("\u2019", ""))


def stems(text: str) -> list[str]:
    """Stemmed content words of ``text``, stop words removed: what BM25 indexes."""
    kept = [w for w in words(text) if w not in STOP_WORDS]
    return [_normalise_stem(s) for s in _stemmer().stemWords(kept)]


def _normalise_stem(stem: str) -> str:
    stem = _STEM_FOLDS.get(stem, stem)
    return _Z_TO_S.sub("is", stem)


def generalise_platforms(text: str) -> str:
    """The question with platform names said as the policy says them ("social media")."""
    return _PLATFORM_WORD.sub("social media", text)


def expansions(text: str) -> list[str]:
    """Policy words a question means but may not say (synonym groups it touches)."""
    padded = " " + " ".join(words(text)) + " "
    added: list[str] = []
    for variants, policy_words in SYNONYMS:
        if any(f" {v} " in padded for v in variants):
            added.extend(w for w in policy_words if w not in added)
    return added


def overlap(query_stems: Iterable[str], vocabulary: frozenset[str]) -> int:
    """How many distinct query stems the policy vocabulary contains."""
    return len({s for s in query_stems if s in vocabulary})
