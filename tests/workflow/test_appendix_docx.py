"""Appendix B as a Word document and the CSV register, read back and checked field by field."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from assistant.cli import requests as cli
from assistant.form.summary import party_ticks
from assistant.texts import workflow as texts
from assistant.workflow.service import ApprovalService
from tests.workflow.conftest import ANNA, BEN, PAT, SUE, Clock, answers


def _approved(service: ApprovalService, clock: Clock) -> int:
    service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    request_id = service.list_requests(requester=ANNA)[-1].id
    clock.advance(hours=2)  # 11:00 UTC in March: 11:00 GMT
    service.decide(request_id, "line_manager", BEN, "Ben", True)
    clock.now = datetime(2025, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 BST
    service.decide(request_id, "senior_manager", SUE, "Sue", True)
    clock.advance(days=1)
    service.decide(request_id, "principal", PAT, "Pat", True)
    return request_id


def _cells(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_the_word_document_carries_every_answer_and_decision(service, clock) -> None:
    request_id = _approved(service, clock)
    request = service.get(request_id)
    document = Document(io.BytesIO(service.export_docx(request_id)))
    paragraphs = [p.text for p in document.paragraphs]
    rows = _cells(document)
    assert paragraphs[0] == texts.EXPORT_TITLE
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings == [h for h, _ in texts.EXPORT_SECTIONS] + [texts.EXPORT_APPROVAL]
    for label, value in service.summary(request):
        if label in ("Proposed audience of the site", "Proposed contributors to the site"):
            continue  # tick boxes, below
        assert [label, value] in rows, label
    for key in ("audience", "contributors"):
        for ticked, label in party_ticks(key, request.answers):
            assert f"{'☒' if ticked else '☐'} {label}" in paragraphs
    assert "☒ Pupils' family members" in paragraphs and "☐ Members of the public" in paragraphs
    signatures = {row[0].split("\n")[0]: row[1] for row in rows[-3:]}
    assert signatures == {
        "Line Manager": "Approved electronically in Slack by Ben Brown (slack:UBEN)"
        " on 03 Mar 2025 11:00 GMT",
        "Other Senior Manager": "Approved electronically in Slack by Sue Smith (slack:USUE)"
        " on 01 Jul 2025 09:30 BST",
        "Principal": "Approved electronically in Slack by Pat Patel (slack:UPAT)"
        " on 02 Jul 2025 09:30 BST",
    }
    assert texts.STAGE_STATEMENTS["principal"] in rows[-1][0]
    footer = document.sections[0].footer.paragraphs[0].text
    reference = service.reference(request)
    assert footer.startswith(f"Request #{request_id} · Audit reference {reference} · Generated")
    assert (
        reference.startswith(f"AR-{request_id}-")
        and len(reference) == len(f"AR-{request_id}-") + 10
    )


def test_a_rejection_and_an_open_stage_read_as_such(service, clock) -> None:
    service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    request_id = service.list_requests(requester=ANNA)[-1].id
    before = service.reference(service.get(request_id))
    service.decide(request_id, "line_manager", BEN, "Ben", False, "Needs a second moderator")
    assert service.reference(service.get(request_id)) != before  # the trail moved on
    rows = _cells(Document(io.BytesIO(service.export_docx(request_id))))
    assert rows[-3][1] == (
        "Rejected electronically in Slack by Ben Brown (slack:UBEN) on 03 Mar 2025 09:00 GMT."
        " Reason: Needs a second moderator"
    )
    assert rows[-2][1] == rows[-1][1] == "Not yet decided"


def test_the_register_lists_every_request_and_defuses_formulas(service, clock) -> None:
    first = _approved(service, clock)
    sneaky = {**answers(), "department": '=HYPERLINK("http://evil")'}
    service.submit(ANNA, "Anna Adams", sneaky, platform="slack")
    rows = list(csv.reader(io.StringIO(service.export_csv())))
    assert tuple(rows[0]) == texts.CSV_HEADINGS
    one = dict(zip(rows[0], rows[1], strict=True))
    assert one["Request"] == str(first) and one["Status"] == "approved"
    assert one["Department"] == "Art" and one["Going live"] == "1 April 2025"
    assert one["Principal"] == "approved by Pat Patel, 02 Jul 2025"
    assert one["Audit reference"] == service.reference(service.get(first))
    two = dict(zip(rows[0], rows[2], strict=True))
    assert two["Department"] == '\'=HYPERLINK("http://evil")'
    assert two["Status"] == "waiting for the Line Manager" and two["Line Manager"] == ""


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="assistant")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_the_export_command_writes_word_markdown_and_csv(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from assistant.config import load_settings
    from assistant.storage import Store

    config = tmp_path / "assistant.toml"
    config.write_text('[roles]\nline_manager = ["slack:ULINDA"]\n', encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    store = Store.open(db_url)
    ApprovalService(store=store, settings=load_settings(), clock=Clock()).submit(
        ANNA, "Anna Adams", answers(), platform="slack"
    )
    store.close()

    assert _run("requests", "export", "1", "--format", "docx") == 0
    assert capsys.readouterr().out.strip() == "Wrote appendix-b-request-1.docx"
    document = Document(str(tmp_path / "appendix-b-request-1.docx"))
    assert ["Department", "Art"] in _cells(document)
    assert _run("requests", "export", "1") == 0
    assert capsys.readouterr().out.startswith("# " + texts.EXPORT_TITLE)
    assert _run("requests", "export", "--all", "--format", "csv", "--out", "all.csv") == 0
    capsys.readouterr()
    assert (tmp_path / "all.csv").read_text(encoding="utf-8").startswith("Request,Status,")
    assert _run("requests", "export", "--all") == 2  # --all is for csv
    assert _run("requests", "export", "1", "--format", "csv") == 2
    assert "--format csv" in capsys.readouterr().err
