"""A request as Markdown laid out like Appendix B, its audit reference, and the CSV register."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC

from assistant.form.summary import party_ticks
from assistant.hygiene import escape_html
from assistant.storage.records import ApprovalRequest, AuditEvent, Decision
from assistant.texts import workflow as texts
from assistant.workflow.stages import STAGES

Row = tuple[str, str]


def _cell(text: str) -> str:
    """Make text safe inside a Markdown table cell (HTML in it shows as text)."""
    return " ".join(escape_html(text).replace("|", "\\|").split()) or " "


def _key(label: str) -> str:
    return " ".join(label.casefold().split())


def group_rows(rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
    """Put each answer row under its Appendix B heading; an unknown label stays with the
    row before it (the form asks in Appendix B's order)."""
    section_of = {
        _key(label): heading for heading, labels in texts.EXPORT_SECTIONS for label in labels
    }
    grouped: dict[str, list[Row]] = {heading: [] for heading, _ in texts.EXPORT_SECTIONS}
    current = texts.EXPORT_SECTIONS[0][0]
    for label, value in rows:
        current = section_of.get(_key(label), current)
        grouped[current].append((label, value))
    return list(grouped.items())


def render_markdown(
    request: ApprovalRequest, decisions: Sequence[Decision], rows: Sequence[Row]
) -> str:
    """The filled-in Appendix B form; approval names and dates stay blank while pending."""
    lines = [
        f"# {texts.EXPORT_TITLE}",
        "",
        texts.EXPORT_INTRO,
        "",
        texts.EXPORT_META.format(
            id=request.id,
            name=escape_html(" ".join(request.requester_name.split())),
            identity=request.requester,
            date=texts.day(request.created_at),
            status=texts.STATUS_NAMES[request.status.value],
        ),
    ]
    for heading, section_rows in group_rows(rows):
        lines += ["", f"## {heading}", ""]
        ticks_of = texts.EXPORT_TICK_SECTIONS.get(heading)
        if ticks_of and isinstance(request.answers.get(ticks_of), list):
            # Appendix B's tick boxes: every option, ticked or not.
            lines += [texts.EXPORT_TICK_NOTE, ""]
            lines += [
                f"- [{'x' if ticked else ' '}] {_cell(label)}"
                for ticked, label in party_ticks(ticks_of, request.answers)
            ]
            continue
        lines += [f"| {texts.EXPORT_QUESTION} | {texts.EXPORT_ANSWER} |", "| --- | --- |"]
        lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in section_rows]
    lines += ["", f"## {texts.EXPORT_APPROVAL}", "", texts.EXPORT_APPROVAL_NOTE, ""]
    by_stage = {d.stage: d for d in decisions}
    head = (texts.EXPORT_NAME, texts.EXPORT_DATE, texts.EXPORT_DECISION)
    lines += [f"| | {' | '.join(head)} |", "| --- | --- | --- | --- |"]
    for stage in STAGES:
        title = f"**{texts.STAGE_TITLES[stage.value]}**<br>{texts.STAGE_STATEMENTS[stage.value]}"
        decision = by_stage.get(stage)
        if decision is None:
            cells = (" ", " ", " ")
        else:
            verdict = (
                texts.VERDICTS[True]
                if decision.approved
                else texts.EXPORT_REJECTED.format(reason=decision.reason)
            )
            signed = texts.EXPORT_SIGNED_BY.format(
                name=decision.decided_by_name, identity=decision.decided_by
            )
            cells = (signed, texts.day(decision.decided_at), verdict)
        lines.append(f"| {title} | {' | '.join(_cell(c) for c in cells)} |")
    return "\n".join(lines) + "\n"


def audit_reference(
    request: ApprovalRequest, decisions: Sequence[Decision], audit: Sequence[AuditEvent]
) -> str:
    """A short reference that changes if the answers, a decision or the audit trail does.

    The office can recompute it with ``assistant requests show`` to check that a filed
    document matches the record.
    """
    record = {
        "id": request.id,
        "requester": str(request.requester),
        "answers": request.answers,
        "decisions": [
            [d.stage.value, d.approved, str(d.decided_by), d.decided_at.astimezone(UTC).isoformat(),
             d.reason]
            for d in decisions
        ],
        "audit": [
            [e.id, e.at.astimezone(UTC).isoformat(), e.actor, e.event_type, e.comment]
            for e in audit
        ],
    }  # fmt: skip
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()
    return f"AR-{request.id}-{digest[:10].upper()}"


def _spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (answers are typed by staff)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def register_csv(
    entries: Iterable[tuple[ApprovalRequest, Sequence[Decision], Sequence[Row], str]],
) -> str:
    """Every request as one CSV row (for the annual review of the school's sites)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(texts.CSV_HEADINGS)
    for request, decisions, rows, reference in entries:
        answers = {_key(label): value for label, value in rows}
        by_stage = {d.stage: d for d in decisions}

        def answer(label: str, answers: dict[str, str] = answers) -> str:
            return answers.get(_key(label), "")

        stages = []
        for stage in STAGES:
            decision = by_stage.get(stage)
            stages.append(
                ""
                if decision is None
                else f"{texts.VERDICTS[decision.approved]} by {decision.decided_by_name}, "
                f"{texts.day(decision.decided_at)}"
            )
        row = [
                request.id,
                texts.STATUS_NAMES[request.status.value],
                request.requester_name,
                texts.day(request.created_at),
                answer("Department"),
                answer("What are the aims you propose to achieve by setting up this site?"),
                answer("Who will host the site?"),
                answer("Proposed date of going live"),
                answer("Proposed date for site closure"),
                answer("Names of administrators"),
                answer("Names of moderators"),
                *stages,
                reference,
        ]  # fmt: skip
        writer.writerow([_spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
