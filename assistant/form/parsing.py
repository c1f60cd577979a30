"""Turn what a person typed into form answers: text, choices, people, dates and age ranges.

Every parser returns a JSON-friendly value or raises :class:`ValidationError` with a
message for the person (and the clause behind the rule, where there is one).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from assistant.errors import ValidationError
from assistant.form.fields import (
    HOSTS,
    MAX_AGE,
    MAX_ANSWER_CHARS,
    MAX_YEARS_AHEAD,
    MIN_AGE,
    PARTIES,
    FieldKind,
    Step,
    kind_of,
)
from assistant.form.flow import is_optional
from assistant.messages import Identity
from assistant.texts import form as texts

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def clean(text: str) -> str:
    """Strip control characters (keeping newlines) and surrounding blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def parse_text(text: str, *, required: bool = True) -> str:
    """A free-text answer: cleaned, not empty when required, at most 2,000 characters."""
    value = clean(text)
    if not value and required:
        raise ValidationError(texts.EMPTY)
    if len(value) > MAX_ANSWER_CHARS:
        raise ValidationError(texts.TOO_LONG.format(length=len(value), limit=MAX_ANSWER_CHARS))
    return value


# ---- choices -----------------------------------------------------------------------------

_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\n|\band\b|\bor\b|\bplus\b)\s*", re.IGNORECASE)
_ALL = {"all", "all of them", "all of the above", "everything", "all options"}
# Checked in order: the first pattern found in a part decides its option.
_PARTY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (value, re.compile(pattern))
    for value, pattern in (
        ("other_schools", r"other schools?|another school|partner schools?|feeder schools?"),
        ("families", r"famil|parent|carer|guardian|mums?\b|dads?\b|relatives"),
        ("staff", r"staff|teachers?|colleagues|employees|governors"),
        ("external_orgs", r"organi[sz]ations?|orgs?\b|charit|business|compan|clubs?\b|external"),
        ("public", r"public|everyone|everybody|anyone|anybody|community|world|open"),
        ("others", r"^others?\b|^other (people|groups)|^someone else"),
        ("pupils", r"pupils?|students?|children|child|kids|learners|young people|class|choir"),
    )
)


def _options_list(values: Sequence[str], labels: dict[str, str]) -> str:
    return "; ".join(f"{i}. {labels[v]}" for i, v in enumerate(values, start=1))


def parse_parties(text: str = "", values: Sequence[str] = ()) -> list[str]:
    """Several audience/contributor options from ticked ``values`` or typed words/numbers."""
    options = _options_list(PARTIES, texts.PARTY_OPTIONS)
    chosen: set[str] = set()
    for value in values:
        if value not in PARTIES:
            raise ValidationError(texts.CHOICE_UNKNOWN.format(words=f'"{value}"', options=options))
        chosen.add(value)
    text = clean(text)
    if len(text) > MAX_ANSWER_CHARS:
        raise ValidationError(texts.TOO_LONG.format(length=len(text), limit=MAX_ANSWER_CHARS))
    unknown: list[str] = []
    for raw in _SPLIT.split(text.lower()):
        part = re.sub(r"[^\w\s]", "", raw.replace("'", "")).strip()
        part = re.sub(r"^(the|our|some|any|just|only)\s+", "", part)
        if not part:
            continue
        if part in _ALL:
            chosen.update(PARTIES)
            continue
        if part.isascii() and part.isdigit():
            number = int(part)
            if not 1 <= number <= len(PARTIES):
                raise ValidationError(texts.CHOICE_NUMBER.format(number=number, options=options))
            chosen.add(PARTIES[number - 1])
            continue
        match = next((value for value, pattern in _PARTY_WORDS if pattern.search(part)), None)
        if match is None:
            unknown.append(f'"{raw.strip()[:60]}"')
        else:
            chosen.add(match)
    if unknown:
        raise ValidationError(
            texts.CHOICE_UNKNOWN.format(words=", ".join(unknown), options=options)
        )
    if not chosen:
        raise ValidationError(texts.CHOICE_NONE.format(options=options))
    return [value for value in PARTIES if value in chosen]


_THIRD_PARTY_HOSTS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "twitter": "X (Twitter)",
    "x": "X (Twitter)",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "linkedin": "LinkedIn",
    "wordpress": "WordPress.com",
    "blogger": "Blogger",
    "flickr": "Flickr",
    "threads": "Threads",
    "bluesky": "Bluesky",
    "padlet": "Padlet",
    "seesaw": "Seesaw",
}


def parse_host(text: str = "", value: str = "") -> tuple[str, str | None]:
    """The host option, plus the third party's name when the text already names one."""
    options = _options_list(HOSTS, texts.HOST_OPTIONS)
    if value:
        if value not in HOSTS:
            raise ValidationError(texts.CHOICE_SINGLE.format(options=options))
        return value, None
    words = re.sub(r"[^\w\s]", " ", clean(text).lower()).split()
    phrase = " ".join(words)
    for word in words:
        if word in _THIRD_PARTY_HOSTS:
            return "third_party", _THIRD_PARTY_HOSTS[word]
    if phrase in {"2", "third party", "3rd party", "a third party", "thirdparty"} or (
        "third" in words or "3rd" in words or "external" in words
    ):
        return "third_party", None
    school_words = {"school", "us", "we", "ourselves", "trust", "academy", "inhouse", "own"}
    if phrase == "1" or school_words.intersection(words) or phrase == texts.SCHOOL.lower():
        return "school", None
    raise ValidationError(texts.CHOICE_SINGLE.format(options=options))


# ---- people ------------------------------------------------------------------------------

Person = dict[str, str | None]
_SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_TEAMS_MENTION = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_PEOPLE_SPLIT = re.compile(r"\s*(?:,|;|\n|&|\band\b|\+)\s*", re.IGNORECASE)
_ME = {"me", "myself", "i", "i am", "i will", "mine", "me myself"}


def parse_people(
    text: str,
    mentions: Sequence[Identity] = (),
    *,
    me: Identity | None = None,
    my_name: str = "",
) -> list[Person]:
    """People as ``{"name", "identity"}``, from names, mentions and "me", without duplicates."""
    text = clean(text)
    if len(text) > MAX_ANSWER_CHARS:
        raise ValidationError(texts.TOO_LONG.format(length=len(text), limit=MAX_ANSWER_CHARS))
    people: list[Person] = []
    pending = list(mentions)

    def take(user_id: str | None) -> Identity | None:
        for identity in pending:
            if user_id is None or identity.user_id == user_id:
                pending.remove(identity)
                return identity
        return None

    def slack(match: re.Match[str]) -> str:
        # Mention syntax in the text proves nothing: anyone can type "<@U0PRINCIPAL|Pat>".
        # Only an identity the adapter read from the platform's own mentions is kept.
        identity = take(match.group(1))
        label = (match.group(2) or "").strip()
        if identity is None:
            label = label or match.group(1)  # plain text, as typed
        people.append({"name": label, "identity": str(identity) if identity else None})
        return ","

    def teams(match: re.Match[str]) -> str:
        identity = take(None)
        people.append(
            {"name": match.group(1).strip(), "identity": str(identity) if identity else None}
        )
        return ","

    text = _TEAMS_MENTION.sub(teams, _SLACK_MENTION.sub(slack, text))
    for part in _PEOPLE_SPLIT.split(text):
        written = part.strip().strip(".")
        name = " ".join(written.lstrip("@").split())
        if not name:
            continue
        if written.startswith("@") and pending:
            # Adapters write each mention as "@Name" and pass its identity, in the same order.
            people.append({"name": name[:200], "identity": str(pending.pop(0))})
        elif name.lower() in _ME and me is not None:
            people.append({"name": my_name, "identity": str(me)})
        else:
            people.append({"name": name[:200], "identity": None})
    for identity in pending:
        people.append({"name": "", "identity": str(identity)})
    return dedupe(people)


def person_key(person: Person) -> str:
    """What makes two people the same: the platform identity, else the name (any case)."""
    return str(person.get("identity") or "") or "name:" + (person.get("name") or "").casefold()


def dedupe(people: Sequence[Person]) -> list[Person]:
    """Drop repeats (same identity, or same name ignoring case), keeping the first."""
    seen: set[str] = set()
    out: list[Person] = []
    for person in people:
        keys = {person_key(person)}
        if person.get("name"):
            keys.add("name:" + str(person["name"]).casefold())
        if keys & seen:
            continue
        seen |= keys
        out.append(person)
    return out


# ---- dates -------------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_WORDED = re.compile(
    r"^(?:[a-z]+day,?\s+)?(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]+)\.?,?\s+(\d{2,4})$"
)
_US_WORDED = re.compile(
    r"^(?:[a-z]+day,?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{2,4})$"
)


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) <= 2 else year


def parse_date(text: str) -> date:
    """A date in a UK form (day first); ISO ``2026-12-25`` too. Impossible dates are refused."""
    raw = clean(text)
    phrase = " ".join(raw.lower().replace(",", " ").split())
    day = month = year = None
    if m := _NUMERIC.match(phrase.replace(" ", "")):
        a, b, c = m.groups()
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        elif len(c) in (2, 4):
            day, month, year = int(a), int(b), _year(c)
    elif (m := _WORDED.match(phrase)) and m.group(2) in _MONTHS:
        day, month, year = int(m.group(1)), _MONTHS[m.group(2)], _year(m.group(3))
    elif (m := _US_WORDED.match(phrase)) and m.group(1) in _MONTHS:
        day, month, year = int(m.group(2)), _MONTHS[m.group(1)], _year(m.group(3))
    if day is None or month is None or year is None or not 1 <= month <= 12 or year < 1900:
        raise ValidationError(texts.DATE_UNREADABLE.format(text=raw[:40]))
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValidationError(
            texts.DATE_IMPOSSIBLE.format(
                text=raw[:40], day=day, month=f"{calendar.month_name[month]} {year}"
            )
        )
    return date(year, month, day)


def format_date(value: date) -> str:
    """A date as the school writes it: 25 December 2026."""
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


# ---- age ranges --------------------------------------------------------------------------

_AGES = re.compile(
    r"^(?:ages?|aged)?\s*(\d{1,2})\s*(?:-|–|—|to|until|through)\s*(\d{1,2})(?:\s*(?:years?\s*old|yrs?|y/?o))?$"
)
_SINGLE_AGE = re.compile(r"^(?:ages?|aged)?\s*(\d{1,2})(?:\s*(?:years?\s*old|yrs?|y/?o))?$")
_YEARS = re.compile(
    r"^(?:(?:years?|yrs?|y)\s*(\d{1,2})|(reception))\s*(?:-|–|—|to|until|through)\s*"
    r"(?:years?|yrs?|y)?\s*(\d{1,2})$"
)
_SINGLE_YEAR = re.compile(r"^(?:year|yr|y)\s*(\d{1,2})$")


def parse_age_range(text: str) -> dict[str, int]:
    """Ages ``11-16`` / ``11 to 16`` / ``14``, or year groups ``Year 7-11`` (ages 11 to 16).

    Year N pupils are aged N+4 to N+5 (Reception is year 0); ages must lie in 3-19.
    """
    raw = clean(text)
    phrase = " ".join(raw.lower().replace("+", "").split())
    if m := _AGES.match(phrase):
        low, high = int(m.group(1)), int(m.group(2))
    elif m := _SINGLE_AGE.match(phrase):
        low = high = int(m.group(1))
    elif m := _YEARS.match(phrase):
        first = 0 if m.group(2) else int(m.group(1))  # Reception is year 0
        low, high = first + 4, int(m.group(3)) + 5
    elif m := _SINGLE_YEAR.match(phrase):
        low, high = int(m.group(1)) + 4, int(m.group(1)) + 5
    else:
        raise ValidationError(texts.AGE_UNREADABLE.format(text=raw[:40]))
    for age in (low, high):
        if not MIN_AGE <= age <= MAX_AGE:
            raise ValidationError(texts.AGE_BOUNDS.format(low=MIN_AGE, high=MAX_AGE, given=age))
    if low > high:
        raise ValidationError(texts.AGE_ORDER.format(low=low, high=high))
    return {"low": low, "high": high}


# ---- one field, by the form's rules ----------------------------------------------------------

# Fields required only in some cases: why, and the clause behind it.
REQUIRED_REASONS: dict[Step, tuple[str, str | None]] = {
    Step.VETTING: (texts.VETTING_REASON, "A.2.6"),
    Step.ADVERTISING: (texts.ADVERTISING_REASON, "A.5.8"),
    Step.CONSENT: (texts.CONSENT_REASON, None),
}


def parse_answer(
    step: Step,
    *,
    text: str = "",
    values: Sequence[str] = (),
    mentions: Sequence[Identity] = (),
    me: Identity | None = None,
    my_name: str = "",
    answers: Mapping[str, Any],
    today: date,
) -> dict[str, Any]:
    """The answers one field's input gives (``{key: value}``, the host also its name), checked
    by every rule of the form given the other ``answers``; ValidationError otherwise."""
    kind, key = kind_of(step), step.value
    if kind is FieldKind.TEXT:
        return {key: parse_text(text, required=not is_optional(step, answers))}
    if kind in (FieldKind.PERSON, FieldKind.PEOPLE):
        found = parse_people(text, mentions, me=me, my_name=my_name)
        if not found:
            raise ValidationError(texts.PEOPLE_NONE)
        if kind is FieldKind.PERSON and len(found) > 1:
            one = texts.PEOPLE_ONE_AUTHOR if step is Step.AUTHOR else texts.PEOPLE_ONE
            raise ValidationError(one.format(count=len(found)))
        if kind is FieldKind.PEOPLE and len(found) < 2:
            role = texts.SHORT_NAMES[key]
            raise ValidationError(texts.PEOPLE_TWO.format(role=role, count=1), clause="A.5.4")
        return {key: found}
    if kind is FieldKind.PARTIES:
        return {key: parse_parties(text, values)}
    if kind is FieldKind.HOST:
        host, name = parse_host(text, values[0] if values else "")
        return {key: host, "host_name": name} if name else {key: host}
    if kind is FieldKind.AGE_RANGE:
        return {key: parse_age_range(text)}
    return {key: check_date(step, parse_date(text), answers, today).isoformat()}


def check_date(step: Step, value: date, answers: Mapping[str, Any], today: date) -> date:
    """Not absurdly far ahead; go-live not in the past (A.3.6); closure after go-live (A.1.6)."""
    if value > today + timedelta(days=366 * MAX_YEARS_AHEAD):
        raise ValidationError(
            texts.DATE_TOO_FAR.format(date=format_date(value), years=MAX_YEARS_AHEAD)
        )
    if step is Step.GO_LIVE and value < today:
        raise ValidationError(
            texts.DATE_PAST.format(date=format_date(value), today=format_date(today)),
            clause="A.3.6",
        )
    go_live = answers.get("go_live")
    if step is Step.CLOSURE and go_live and value <= date.fromisoformat(go_live):
        raise ValidationError(
            texts.DATE_CLOSURE_ORDER.format(
                closure=format_date(value), go_live=format_date(date.fromisoformat(go_live))
            ),
            clause="A.1.6",
        )
    return value
