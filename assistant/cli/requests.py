"""``assistant requests list|show|export`` and ``assistant feedback``: the office's view."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assistant.config import load_settings
from assistant.hygiene import for_terminal
from assistant.storage import Store
from assistant.texts import workflow as texts
from assistant.workflow.service import ApprovalService
from assistant.workflow.stages import current_stage


def register(subparsers: Any) -> None:
    """Add the ``requests`` group and the ``feedback`` command."""
    requests = subparsers.add_parser("requests", help="site-creation requests and their approval")
    actions = requests.add_subparsers(dest="requests_command", metavar="ACTION")
    listing = actions.add_parser("list", help="every request: id, requester, status, stage")
    listing.set_defaults(func=list_requests)
    show = actions.add_parser("show", help="one request: answers, decisions and audit trail")
    show.add_argument("id", type=int, help="request number")
    show.set_defaults(func=show_request)
    export = actions.add_parser(
        "export", help="one request laid out like Appendix B (Word or Markdown), or all as CSV"
    )
    export.add_argument("id", type=int, nargs="?", help="request number")
    export.add_argument("--all", action="store_true", help="every request (with --format csv)")
    export.add_argument("--format", choices=("md", "docx", "csv"), default="md")
    export.add_argument(
        "--out", type=Path, help="file to write (docx default: appendix-b-request-ID.docx)"
    )
    export.set_defaults(func=export_request)
    requests.set_defaults(func=lambda _args: requests.print_help() or 2)
    feedback = subparsers.add_parser("feedback", help="helpful / not helpful votes on answers")
    feedback.set_defaults(func=show_feedback)


def _service() -> ApprovalService:
    settings = load_settings()
    return ApprovalService(store=Store.open(settings.database_url), settings=settings)


def _table(headings: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headings, *rows, strict=True)]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        for row in [headings, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def list_requests(_args: argparse.Namespace) -> int:
    """Print every request, oldest first."""
    service = _service()
    rows: list[tuple[str, ...]] = []
    for request in service.list_requests():
        stage = current_stage(request.status)
        rows.append(
            (
                str(request.id),
                f"{request.requester_name} ({request.requester})",
                texts.STATUS_NAMES[request.status.value],
                texts.when(request.created_at),
                texts.STAGE_TITLES[stage.value] if stage else "-",
            )
        )
    print(for_terminal(_table(texts.CLI_LIST_HEADINGS, rows) if rows else texts.CLI_NO_REQUESTS))
    service.store.close()
    return 0


def show_request(args: argparse.Namespace) -> int:
    """Print one request's summary, decisions and audit trail."""
    service = _service()
    request = service.get(args.id)
    lines = [
        f"{texts.FACT_REQUEST} {texts.REQUEST_REF.format(id=request.id)}",
        f"{texts.FACT_REQUESTED_BY}: {request.requester_name} ({request.requester})",
        f"{texts.FACT_SUBMITTED}: {texts.when(request.created_at)}",
        f"{texts.FACT_STATUS}: {texts.STATUS_NAMES[request.status.value]}",
        f"{texts.FACT_REFERENCE}: {service.reference(request)}",
        "",
    ]
    lines += [f"{label}: {value}" for label, value in service.summary(request)]
    lines += ["", texts.CLI_DECISIONS]
    decisions = service.decisions(request.id)
    for decision in decisions:
        verdict = texts.VERDICTS[decision.approved]
        reason = f": {decision.reason}" if decision.reason else ""
        lines.append(
            f"  {texts.STAGE_TITLES[decision.stage.value]}: {verdict} by "
            f"{decision.decided_by_name} ({decision.decided_by}) at "
            f"{texts.when(decision.decided_at)}{reason}"
        )
    if not decisions:
        lines.append(f"  {texts.CLI_NO_DECISIONS}")
    lines += ["", texts.CLI_AUDIT]
    for event in service.audit(request.id):
        comment = f" ({event.comment})" if event.comment else ""
        lines.append(f"  {texts.when(event.at)}  {event.actor}  {event.event_type}{comment}")
    # Staff typed these answers: no escape sequence of theirs reaches the terminal.
    print(for_terminal("\n".join(lines)))
    service.store.close()
    return 0


def export_request(args: argparse.Namespace) -> int:
    """Write one request as Appendix B (Markdown or Word), or every request as CSV."""
    if args.format == "csv" and args.id is None:
        args.all = True
    if args.all != (args.format == "csv") or (args.id is None) != args.all:
        print(texts.CLI_EXPORT_USAGE, file=sys.stderr)
        return 2
    service = _service()
    try:
        if args.format == "docx":
            out = args.out or Path(texts.EXPORT_FILENAME.format(id=args.id))
            out.write_bytes(service.export_docx(args.id))
            print(texts.CLI_EXPORT_WROTE.format(path=out))
            return 0
        text = service.export_csv() if args.all else service.export_markdown(args.id)
        if args.out:
            args.out.write_text(text, encoding="utf-8", newline="")
            print(texts.CLI_EXPORT_WROTE.format(path=args.out))
        else:
            print(for_terminal(text), end="")
        return 0
    finally:
        service.store.close()


def show_feedback(_args: argparse.Namespace) -> int:
    """Print helpful / not helpful totals and per clause."""
    settings = load_settings()
    store = Store.open(settings.database_url)
    counts = store.feedback_counts()
    store.close()
    if not counts.helpful and not counts.not_helpful:
        print(texts.CLI_NO_FEEDBACK)
        return 0
    lines = [texts.CLI_FEEDBACK.format(helpful=counts.helpful, not_helpful=counts.not_helpful)]
    for clause, (helpful, not_helpful) in counts.by_clause.items():
        lines.append(
            texts.CLI_FEEDBACK_CLAUSE.format(
                clause=clause, helpful=helpful, not_helpful=not_helpful
            )
        )
    print("\n".join(lines))
    return 0
