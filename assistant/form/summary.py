"""Review rows and export helpers: the answers in Appendix B's wording and order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from assistant.form.fields import FIELD_STEPS, FieldKind, Step, kind_of
from assistant.form.flow import applies
from assistant.form.parsing import format_date
from assistant.texts import form as texts

# Follow-up fields are shown inside their parent's row.
_FOLLOW_UPS: dict[str, tuple[str, str, str]] = {
    # parent option -> (age range key, schools key, others key) by parent field
    "audience": ("audience_age_range", "audience_schools", "audience_others"),
    "contributors": ("contributors_age_range", "contributors_schools", "contributors_others"),
}


def person_text(person: Mapping[str, Any]) -> str:
    """A person's name, or their platform identity when only a mention is known."""
    return str(person.get("name") or person.get("identity") or texts.UNNAMED_PERSON)


def display(step: Step, value: Any) -> str:
    """One answer as plain text (for "Current answer" and the review)."""
    if value is None or value == "" or value == []:
        return texts.NOT_GIVEN
    kind = kind_of(step)
    if kind in (FieldKind.PERSON, FieldKind.PEOPLE):
        return ", ".join(person_text(p) for p in value)
    if kind is FieldKind.PARTIES:
        return "; ".join(texts.PARTY_OPTIONS.get(v, str(v)) for v in value)
    if kind is FieldKind.HOST:
        return texts.HOST_OPTIONS.get(value, str(value))
    if kind is FieldKind.DATE:
        return format_date(date.fromisoformat(value))
    if kind is FieldKind.AGE_RANGE:
        return texts.AGE_RANGE_VALUE.format(low=value["low"], high=value["high"])
    return str(value)


def _party_labels(key: str, answers: Mapping[str, Any]) -> dict[str, str]:
    """The ticked options of ``key`` (audience or contributors), each with its details."""
    ages, schools, others = _FOLLOW_UPS[key]
    labels: dict[str, str] = {}
    for value in answers.get(key) or []:
        label = texts.PARTY_OPTIONS.get(value, str(value))
        if value == "pupils" and answers.get(ages):
            label += f" ({display(Step(ages), answers[ages])})"
        elif value == "other_schools" and answers.get(schools):
            label += f" ({texts.SCHOOLS_VALUE.format(schools=answers[schools])})"
        elif value == "others" and answers.get(others):
            label += f" ({texts.OTHERS_VALUE.format(details=answers[others])})"
        labels[str(value)] = label
    return labels


def _parties(key: str, answers: Mapping[str, Any]) -> str:
    return "; ".join(_party_labels(key, answers).values()) or texts.NOT_GIVEN


def party_ticks(key: str, answers: Mapping[str, Any]) -> list[tuple[bool, str]]:
    """Every audience (or contributor) option of Appendix B, ticked or not, with its details."""
    chosen = _party_labels(key, answers)
    return [
        (value in chosen, chosen.get(value, label)) for value, label in texts.PARTY_OPTIONS.items()
    ]


def summary_rows(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for every Appendix B field, in the form's order and wording."""
    rows: list[tuple[str, str]] = []
    for key, label in texts.LABELS.items():
        step = Step(key)
        if key in _FOLLOW_UPS:
            value = _parties(key, answers)
        elif step is Step.HOST and answers.get("host") == "third_party":
            value = texts.THIRD_PARTY_VALUE.format(name=answers.get("host_name") or texts.NOT_GIVEN)
        elif not applies(step, answers):
            value = texts.NOT_APPLICABLE
        else:
            value = display(step, answers.get(key))
        rows.append((label, value))
    return rows


def summary_text(answers: Mapping[str, Any]) -> str:
    """The review as plain text, one "label: value" line each (for exports and logs)."""
    lines = [texts.FORM_TITLE]
    lines += [f"{label}: {value}" for label, value in summary_rows(answers)]
    return "\n".join(lines)


def final_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that apply, in field order (what a submitted form carries)."""
    return {
        step.value: answers[step.value]
        for step in FIELD_STEPS
        if step.value in answers and applies(step, answers)
    }


def people(answers: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The people given for ``key`` (author, line_manager, administrators, moderators)."""
    return [dict(p) for p in answers.get(key) or []]
