"""The steps of the Appendix B form, the kind of answer each field takes, and its choices."""

from __future__ import annotations

from enum import StrEnum

from assistant.texts import form as texts


class Step(StrEnum):
    """Where a person is in the form: one step per field, then review and the two ends."""

    DEPARTMENT = "department"
    AUTHOR = "author"
    LINE_MANAGER = "line_manager"
    AIMS = "aims"
    CONTENT = "content"
    AUDIENCE = "audience"
    AUDIENCE_AGE_RANGE = "audience_age_range"
    AUDIENCE_SCHOOLS = "audience_schools"
    AUDIENCE_OTHERS = "audience_others"
    CONTRIBUTORS = "contributors"
    CONTRIBUTORS_AGE_RANGE = "contributors_age_range"
    CONTRIBUTORS_SCHOOLS = "contributors_schools"
    CONTRIBUTORS_OTHERS = "contributors_others"
    ADMINISTRATORS = "administrators"
    MODERATORS = "moderators"
    VETTING = "vetting"
    HOST = "host"
    HOST_NAME = "host_name"
    GO_LIVE = "go_live"
    CLOSURE = "closure"
    ADVERTISING = "advertising"
    CONSENT = "consent"
    SECURITY = "security"
    REVIEW = "review"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"

    @property
    def is_field(self) -> bool:
        return self not in (Step.REVIEW, Step.SUBMITTED, Step.CANCELLED)


FIELD_STEPS: tuple[Step, ...] = tuple(s for s in Step if s.is_field)
FIELD_KEYS: tuple[str, ...] = tuple(s.value for s in FIELD_STEPS)


class FieldKind(StrEnum):
    """What sort of answer a field takes (decides parsing and how the question is shown)."""

    TEXT = "text"
    PERSON = "person"  # exactly one person
    PEOPLE = "people"  # two or more distinct people
    PARTIES = "parties"  # several of the audience/contributor options
    HOST = "host"  # one of the host options
    DATE = "date"
    AGE_RANGE = "age_range"


KINDS: dict[Step, FieldKind] = {
    Step.AUTHOR: FieldKind.PERSON,
    Step.LINE_MANAGER: FieldKind.PERSON,
    Step.AUDIENCE: FieldKind.PARTIES,
    Step.AUDIENCE_AGE_RANGE: FieldKind.AGE_RANGE,
    Step.CONTRIBUTORS: FieldKind.PARTIES,
    Step.CONTRIBUTORS_AGE_RANGE: FieldKind.AGE_RANGE,
    Step.ADMINISTRATORS: FieldKind.PEOPLE,
    Step.MODERATORS: FieldKind.PEOPLE,
    Step.HOST: FieldKind.HOST,
    Step.GO_LIVE: FieldKind.DATE,
    Step.CLOSURE: FieldKind.DATE,
}


def kind_of(step: Step) -> FieldKind:
    """The kind of answer ``step`` takes (free text unless listed)."""
    return KINDS.get(step, FieldKind.TEXT)


SECTION_OF: dict[Step, str] = {
    **dict.fromkeys((Step.DEPARTMENT, Step.AUTHOR, Step.LINE_MANAGER), "team"),
    **dict.fromkeys((Step.AIMS, Step.CONTENT), "purpose"),
    **dict.fromkeys(
        (Step.AUDIENCE, Step.AUDIENCE_AGE_RANGE, Step.AUDIENCE_SCHOOLS, Step.AUDIENCE_OTHERS),
        "audience",
    ),
    **dict.fromkeys(
        (
            Step.CONTRIBUTORS,
            Step.CONTRIBUTORS_AGE_RANGE,
            Step.CONTRIBUTORS_SCHOOLS,
            Step.CONTRIBUTORS_OTHERS,
        ),
        "contributors",
    ),
}


def section_of(step: Step) -> str:
    """The Appendix B section heading of a field."""
    return texts.SECTIONS[SECTION_OF.get(step, "administration")]


# Audience / contributor options, in Appendix B's order.
PARTIES: tuple[str, ...] = tuple(texts.PARTY_OPTIONS)
HOSTS: tuple[str, ...] = tuple(texts.HOST_OPTIONS)
# Contributors who are not pupils or staff of the school.
EXTERNAL_PARTIES = frozenset({"families", "other_schools", "external_orgs", "public", "others"})
CHILD_PARTIES = frozenset({"pupils", "other_schools"})

MAX_ANSWER_CHARS = 2000
MIN_AGE, MAX_AGE = 3, 19
MAX_YEARS_AHEAD = 10

# Friendly names accepted by "edit <name>" besides the key and the short name.
ALIASES: dict[str, Step] = {
    "dept": Step.DEPARTMENT,
    "team": Step.DEPARTMENT,
    "name": Step.AUTHOR,
    "author name": Step.AUTHOR,
    "manager": Step.LINE_MANAGER,
    "linemanager": Step.LINE_MANAGER,
    "purpose": Step.AIMS,
    "aim": Step.AIMS,
    "proposed content": Step.CONTENT,
    "audiences": Step.AUDIENCE,
    "age range": Step.AUDIENCE_AGE_RANGE,
    "ages": Step.AUDIENCE_AGE_RANGE,
    "contributor": Step.CONTRIBUTORS,
    "contributor ages": Step.CONTRIBUTORS_AGE_RANGE,
    "admins": Step.ADMINISTRATORS,
    "admin": Step.ADMINISTRATORS,
    "administrator": Step.ADMINISTRATORS,
    "moderator": Step.MODERATORS,
    "mods": Step.MODERATORS,
    "vet": Step.VETTING,
    "vetter": Step.VETTING,
    "hosting": Step.HOST,
    "host site": Step.HOST,
    "platform": Step.HOST_NAME,
    "go live": Step.GO_LIVE,
    "golive": Step.GO_LIVE,
    "live date": Step.GO_LIVE,
    "start date": Step.GO_LIVE,
    "closure": Step.CLOSURE,
    "close date": Step.CLOSURE,
    "closing date": Step.CLOSURE,
    "end date": Step.CLOSURE,
    "advertise": Step.ADVERTISING,
    "adverts": Step.ADVERTISING,
    "parental consent": Step.CONSENT,
    "security measures": Step.SECURITY,
}


def find_step(name: str) -> Step | None:
    """The field step a person means by ``name`` (key, short name or alias), or None."""
    wanted = " ".join(name.lower().replace("_", " ").replace("-", " ").split())
    wanted = wanted.removeprefix("the ").removesuffix(" date") if wanted not in _NAMES else wanted
    if wanted in _NAMES:
        return _NAMES[wanted]
    return None


def _names() -> dict[str, Step]:
    names: dict[str, Step] = {}
    for step in FIELD_STEPS:
        names[step.value.replace("_", " ")] = step
        names[texts.SHORT_NAMES[step.value].replace("-", " ")] = step
    for alias, step in ALIASES.items():
        names[alias] = step
    return names


_NAMES = _names()
