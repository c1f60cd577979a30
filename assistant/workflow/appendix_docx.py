"""A request as a Word document laid out like the paper Appendix B, for the office to file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from docx import Document
from docx.shared import Pt

from assistant.form.summary import party_ticks
from assistant.storage.records import ApprovalRequest, Decision
from assistant.texts import workflow as texts
from assistant.workflow.export import group_rows
from assistant.workflow.stages import STAGES

Row = tuple[str, str]


def signature(decision: Decision | None) -> str:
    """A stage's Name / Signature / Date cell: who decided, where, and when in UK time."""
    if decision is None:
        return texts.EXPORT_NOT_DECIDED
    values = {
        "platform": texts.PLATFORM_NAMES.get(
            decision.decided_by.platform, decision.decided_by.platform
        ),
        "name": decision.decided_by_name,
        "identity": str(decision.decided_by),
        "when": texts.when(decision.decided_at),
    }
    if decision.approved:
        return texts.EXPORT_APPROVED_BY.format(**values)
    return texts.EXPORT_REJECTED_BY.format(**values, reason=decision.reason)


def render_docx(
    request: ApprovalRequest,
    decisions: Sequence[Decision],
    rows: Sequence[Row],
    *,
    reference: str,
    generated: datetime,
) -> bytes:
    """The .docx bytes: team details, purpose, tick boxes, administration, approval, footer."""
    document = Document()
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(texts.EXPORT_TITLE, level=1)
    document.add_paragraph(texts.EXPORT_INTRO)
    document.add_paragraph(
        texts.EXPORT_META.format(
            id=request.id,
            name=request.requester_name,
            identity=request.requester,
            date=texts.day(request.created_at),
            status=texts.STATUS_NAMES[request.status.value],
        )
    )
    for heading, section_rows in group_rows(rows):
        document.add_heading(heading, level=2)
        ticks_of = texts.EXPORT_TICK_SECTIONS.get(heading)
        if ticks_of and isinstance(request.answers.get(ticks_of), list):
            document.add_paragraph(texts.EXPORT_TICK_NOTE)
            for ticked, label in party_ticks(ticks_of, request.answers):
                box = texts.EXPORT_TICKED if ticked else texts.EXPORT_UNTICKED
                document.add_paragraph(f"{box} {label}")
            continue
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in section_rows:
            cells = table.add_row().cells
            cells[0].text = label
            cells[1].text = value
    document.add_heading(texts.EXPORT_APPROVAL, level=2)
    document.add_paragraph(texts.EXPORT_APPROVAL_NOTE)
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[1].text = texts.EXPORT_SIGNATURE
    by_stage = {d.stage: d for d in decisions}
    for stage in STAGES:
        cells = table.add_row().cells
        title = cells[0].paragraphs[0]
        title.add_run(texts.STAGE_TITLES[stage.value]).bold = True
        cells[0].add_paragraph(texts.STAGE_STATEMENTS[stage.value])
        cells[1].text = signature(by_stage.get(stage))
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = texts.EXPORT_FOOTER.format(
        id=request.id, reference=reference, when=texts.when(generated)
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
