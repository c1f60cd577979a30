"""People, not platform identities: one member of staff may be on Slack, Teams and the terminal.

The configuration names each person once (``[people.<key>]``) with every identity they use.
Everything that asks "is this the same person?" (deciding, approver lists, withdrawing,
"waiting for me") compares :class:`Person` keys through a :class:`Directory`, never raw
identities, so one person cannot request on Teams and approve on Slack.

An identity the configuration does not list is a person of its own, keyed by the identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.messages import Identity


@dataclass(frozen=True)
class Person:
    """One member of staff with the identities they use on each platform.

    ``key`` is the configuration's name for them (``[people.linda]`` -> ``"linda"``); for an
    identity nobody configured it is the identity itself (``"slack:U0123"``). ``line_manager``
    is the key of this person's line manager when the school keeps that map.
    """

    key: str
    name: str
    identities: tuple[Identity, ...]
    line_manager: str = ""
    configured: bool = True

    def on(self, platform: str) -> tuple[Identity, ...]:
        """This person's identities on ``platform``."""
        return tuple(i for i in self.identities if i.platform == platform)

    def label(self) -> str:
        """The name as records show it: the configured name, else the identity."""
        return self.name or self.key


def _normalise(name: str) -> str:
    return " ".join(name.casefold().split())


class Directory:
    """Everyone the configuration names, looked up by identity, key or name."""

    def __init__(
        self,
        persons: Iterable[Person] = (),
        *,
        names: Mapping[Identity, str] | None = None,
        roles: Mapping[str, Iterable[Identity]] | None = None,
    ) -> None:
        self._by_key: dict[str, Person] = {}
        self._by_identity: dict[Identity, Person] = {}
        for person in persons:
            self._add(person)
        # Settings built without person tables (``people`` as identity -> name only): each
        # named identity is a person of its own.
        for identity, name in (names or {}).items():
            if identity not in self._by_identity:
                self._add(Person(str(identity), name, (identity,)))
        self._roles = {role: tuple(members) for role, members in (roles or {}).items()}

    def _add(self, person: Person) -> None:
        self._by_key[person.key] = person
        for identity in person.identities:
            self._by_identity[identity] = person

    # ---- look-ups ---------------------------------------------------------------------

    def person(self, identity: Identity) -> Person:
        """The person who uses ``identity`` (a person of its own when nobody configured it)."""
        found = self._by_identity.get(identity)
        if found is not None:
            return found
        return Person(str(identity), "", (identity,), configured=False)

    def by_key(self, key: str) -> Person | None:
        """The configured person called ``key``, if any."""
        return self._by_key.get(key)

    def by_name(self, name: str) -> list[Person]:
        """Configured people whose name is ``name`` (any case and spacing)."""
        wanted = _normalise(name)
        return [p for p in self._by_key.values() if p.name and _normalise(p.name) == wanted]

    def same(self, a: Identity, b: Identity) -> bool:
        """True when ``a`` and ``b`` belong to one person."""
        return a == b or self.person(a).key == self.person(b).key

    def name(self, identity: Identity) -> str:
        """The configured name of whoever uses ``identity``, or "" when not configured."""
        return self.person(identity).name

    def line_manager_of(self, identity: Identity) -> Person | None:
        """The line manager the configuration gives for ``identity``'s person, if any."""
        key = self.person(identity).line_manager
        return self._by_key.get(key) if key else None

    def role(self, role: str) -> tuple[Person, ...]:
        """Everyone holding ``role``, each once, in the configured order."""
        found: dict[str, Person] = {}
        for identity in self._roles.get(role, ()):
            person = self.person(identity)
            found.setdefault(person.key, person)
        return tuple(found.values())

    def holds(self, role: str, person: Person) -> bool:
        """True when ``person`` holds ``role``."""
        return any(p.key == person.key for p in self.role(role))

    def everyone(self) -> tuple[Person, ...]:
        """Every configured person."""
        return tuple(self._by_key.values())


# ---- the configuration's [people] table ---------------------------------------------------

PERSON_KEYS = ("name", "identities", "line_manager")


def parse_people(raw: object, platforms: Iterable[str]) -> tuple[dict[str, Person], list[str]]:
    """Read ``[people]``: ``[people.<key>]`` tables, or ``"platform:id" = "Name"`` lines.

    Returns the people by key and every problem found, each naming its key.
    """
    known_platforms = tuple(platforms)
    problems: list[str] = []
    persons: dict[str, Person] = {}
    if not isinstance(raw, dict):
        return {}, ["people: must be a table of [people.<key>] tables (name, identities)"]
    owner: dict[Identity, str] = {}

    def claim(identity: Identity, key: str, where: str) -> bool:
        if identity.platform not in known_platforms:
            problems.append(f"{where}: unknown platform {identity.platform!r}")
            return False
        if identity in owner and owner[identity] != key:
            problems.append(f"{where}: {identity} already belongs to people.{owner[identity]}")
            return False
        owner[identity] = key
        return True

    for key, value in raw.items():
        if isinstance(value, str):
            # The one-line form: one identity, one name.
            try:
                identity = Identity.parse(key)
            except ValueError as exc:
                problems.append(f"people.{key}: {exc}")
                continue
            if claim(identity, str(identity), f"people.{key}"):
                persons[str(identity)] = Person(str(identity), value, (identity,))
            continue
        if not isinstance(value, dict):
            problems.append(f"people.{key}: must be a table with name and identities")
            continue
        if ":" in key:
            problems.append(f"people.{key}: a person's key is a short name without ':'")
            continue
        for extra in sorted(set(value) - set(PERSON_KEYS)):
            problems.append(
                f"people.{key}.{extra}: unknown key (expected {', '.join(PERSON_KEYS)})"
            )
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"people.{key}.name: needed (the name records show)")
            name = ""
        raw_ids = value.get("identities", [])
        if not isinstance(raw_ids, list) or not raw_ids:
            problems.append(f'people.{key}.identities: a list like ["slack:U0123", "teams:<id>"]')
            raw_ids = []
        identities: list[Identity] = []
        for i, text in enumerate(raw_ids):
            try:
                identity = Identity.parse(str(text))
            except ValueError as exc:
                problems.append(f"people.{key}.identities[{i}]: {exc}")
                continue
            if claim(identity, key, f"people.{key}.identities[{i}]"):
                identities.append(identity)
        manager = value.get("line_manager", "")
        if not isinstance(manager, str):
            problems.append(f"people.{key}.line_manager: the key of another person")
            manager = ""
        persons[key] = Person(key, name.strip(), tuple(identities), line_manager=manager.strip())
    for key, person in persons.items():
        if not person.line_manager:
            continue
        if person.line_manager == key:
            problems.append(f"people.{key}.line_manager: a person is not their own line manager")
        elif person.line_manager not in persons:
            problems.append(
                f"people.{key}.line_manager: no person {person.line_manager!r} in [people]"
            )
    return persons, problems
