"""The school's words: tokens, stems, stop words and the synonyms staff use for policy terms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9]+")

_STOP_TEXT = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves im ive id dont cant wont isnt arent doesnt didnt shall may might
    must also ok okay please hi hello hey thanks thank say says said tell know let get got
    allowed allow whats s t policy clause section rule rules even really still quick one
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

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
behaviour, behavior, behave, behaving, conduct | behaviour, standards
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
sign off, signing off, signed off, approve, approves, approval, approvals, signoff, okayed,
  green light | approval, approved
opinion, opinions, views, politics, political | views, opinions
phone, laptop, computer, computers, pc, device, ipad, wifi, network, intranet
  | computers, networks, equipment, systems
confidential, secret, secrets, sensitive, leak, leaked, leaking | confidential, breach
safeguarding, grooming, abuse, abused, danger, unsafe, worrying, hurt, hurting, neglect,
  self harm, disclosure, disclosed, at risk | safeguarding, risk, harm
police, ceop, illegal, racist, homophobic | police, illegal, offence
racist, sexist, discriminate, discrimination, discriminatory | discriminate
change, changed, changes, amend, update, updated | amended
in charge, responsible, owns, oversees, accountable | responsibility
supply, agency, temp, temporary, contractor, volunteer, volunteers, ta, trainee, governor
  | agency, staff, volunteers
productivity, productive, time wasting, distraction | productivity
who do i ask, not sure, unsure, questions, query, means | questions, directed
report, reporting, inform, who do i tell, tell someone, flag, raise it, whistle | reported, inform
pretend, pretending, fake, impersonate, anonymous, alias, catfish
  | misleading, someone other than yourself
googling, vet, background check, job, apply, applying, interview,
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
hols, holiday, holidays, half term, weekend, weekends, evening, evenings, out of hours,
  outside work, outside school, off duty, after school, term time | office hours, otherwise
break, breaks, breaking, broke, broken, violate, violates, against the rules, against policy
  | breach
ganging up, picking on, pick on, digs, mock, mocking, make fun, making fun, belittle, gossip
  | bully, harass, offensive
made up name, fake name, false name, pseudonym, burner, sock puppet, fake account, fake profile
  | misleading, someone other than yourself
request, requests, requesting, requested, accept, accepting, ignore, add me, added me
  | contact, friends
worst, rubbish, useless, hate, awful, terrible, stupid, lazy | disparaging, defamatory
joke, jokes, joking, banter, sarcasm, sarcastic, wrong way, misunderstood, misinterpreted,
  out of context | misconstrued
viral, go viral, goes viral, screenshot, screenshots, forever, permanent, old posts,
  come back to bite | masses, long time, publish
artwork, classwork, coursework, exercise books, grades, marks, exam results, reports, data,
  records | information, personal information
coworker, coworkers, co-worker, workmate, workmates, other teachers, staffroom, staff room,
  christmas party, xmas party, staff party, staff do | colleagues, work colleagues
internal, minutes, improvement plan, documents, spreadsheet | confidential, proprietary
swear, swearing, profanity, rude, crude, explicit, obscene | offensive, obscene
reviewed, review, out of date, current version, latest version, how often | reviewing
workload, how long, how much time, effort | time, effort, commit
council, another organisation, other organisation, external, local business, community group,
  partner, partners, third party | third parties, external organisation
personal email, home email, phone number, mobile number, home address, address,
  contact details, my number | personal information, home contact details
resources, worksheets, lesson plans, materials, someone elses, other peoples
  | intellectual property, work
law, laws, legal, legally, lawyer, libel, gdpr, data protection | law, defamation
quote, a quote, rang, phoned, called me, enquiry, enquiries, inquiry | comments, enquiries
work email, school email, school laptop, work laptop, teams, outlook, google classroom,
  class dojo, dojo, seesaw, showbie, parentmail, arbor, sims | IT resources,
  communications systems
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
        "roblox",
        "twitch",
        "bereal",
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


# Chat filler that carries no meaning for retrieval: greetings, hedges, "am I allowed to".
_FILLER = re.compile(
    r"\b(?:hi|hiya|hey|hello|morning|afternoon|thanks|thank you|cheers|please|pls|sorry|"
    r"quick question|quick q|just wondering|i was wondering(?: if| whether)?|"
    r"i wondered(?: if| whether)?|does anyone know(?: if| whether)?|"
    r"can you tell me(?: if| whether)?|could you tell me(?: if| whether)?|"
    r"am i allowed to|are we allowed to|are staff allowed to|is it allowed to|"
    r"is it ok(?:ay)?(?: for me)?(?: to| if i| if we)?|is it alright(?: to| if i)?|"
    r"is it fine(?: to| if i)?|what does the policy say about|what does the policy say|"
    r"does the policy say anything about|what(?:'s| is) the policy on)\b[,!.]?",
    re.IGNORECASE,
)


def strip_filler(text: str) -> str:
    """The question without chat filler; the original when nothing else would be left."""
    stripped = " ".join(_FILLER.sub(" ", text).split())
    return stripped if words(stripped) else text


def generalise_platforms(text: str) -> str:
    """The question with platform names said as the policy says them ("social media")."""
    return _PLATFORM_WORD.sub("social media", text)


# Year groups ("yr 9", "year 10s", "Y7") are pupils however they are written.
_YEAR_GROUP = re.compile(r"\b(?:year|yr|y)\s?(?:[1-9]|1[0-3])s?\b", re.IGNORECASE)


def _by_first_word() -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """Each variant of :data:`SYNONYMS` as its words, under its first word, with its group."""
    table: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for group, (variants, _) in enumerate(SYNONYMS):
        for variant in variants:
            said = tuple(variant.split())
            table.setdefault(said[0], []).append((said, group))
    return table


_VARIANTS = _by_first_word()


def _groups(text: str) -> list[int]:
    """The synonym groups (by position) one of whose variants the text says, word for word."""
    said = words(_YEAR_GROUP.sub(" pupils ", text))
    found: set[int] = set()
    for start, word in enumerate(said):
        for variant, group in _VARIANTS.get(word, ()):
            if group not in found and tuple(said[start : start + len(variant)]) == variant:
                found.add(group)
    return sorted(found)


def expansions(text: str) -> list[str]:
    """Policy words a question means but may not say (synonym groups it touches)."""
    added: list[str] = []
    for group in _groups(text):
        added.extend(w for w in SYNONYMS[group][1] if w not in added)
    return added


def expansion_groups(text: str) -> list[tuple[str, ...]]:
    """The policy words a question implies, one tuple per synonym group it touches."""
    return [SYNONYMS[group][1] for group in _groups(text)]


# What the policy is about: a question using none of these is rarely a question for it.
_TOPIC_TEXT = """
social media, social network, social networking, website, websites, blog, blogs, vlog, post,
posts, posting, posted, page, pages, account, accounts, profile, site, sites, webspace, message,
messages, messaging, dm, dms, group chat, media, press, journalist, reporter, newspaper,
publication, publish, logo, crest, brand, branding, slogan, copyright, trademark,
intellectual property, confidential, confidentiality, monitor, monitoring, privacy, photo,
photos, picture, pictures, video, videos, selfie, friend, friends, follow, follower, followers,
comment, comments, share, sharing, upload, tweet, retweet, wikipedia, moderate, moderator,
admin, reference, references, recommendation, endorse, disparage, defame, reputation, viral,
screenshot, hashtag, livestream, forum, networking, it resources, communications systems
"""
TOPIC_STEMS = frozenset(
    stem for phrase in _TOPIC_TEXT.replace("\n", " ").split(",") for stem in stems(phrase)
) | frozenset(stems(" ".join(PLATFORMS)))
# "this policy", "the sm policy": a question about the policy itself (not "a policy on parking").
_POLICY_ITSELF = re.compile(
    r"\b(?:this|the|our|sm|social media|social-media)\s+policy\b(?!\s+(?:on|for|about)\b)"
    r"|\bthe policy\s*\??$",
    re.IGNORECASE,
)


def topic(text: str) -> int:
    """How many of the policy's topic words (platforms included) the text uses.

    Naming the policy itself ("this policy", "the sm policy") counts as one.
    """
    return len(set(stems(text)) & TOPIC_STEMS) + bool(_POLICY_ITSELF.search(text))


def overlap(query_stems: Iterable[str], vocabulary: frozenset[str]) -> int:
    """How many distinct query stems the policy vocabulary contains."""
    return len({s for s in query_stems if s in vocabulary})
