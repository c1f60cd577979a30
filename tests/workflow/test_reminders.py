"""Reminders count school days and go in school hours; a stuck stage is escalated once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.errors import ConfigError
from assistant.messages import Identity, PostToChannel, SendDirect
from assistant.school_calendar import Escalation, SchoolCalendar, parse_school
from assistant.storage import Store
from assistant.workflow.service import ApprovalService
from tests.workflow.conftest import ANNA, BEN, Clock, answers, make_settings

OFFICE = Identity("slack", "UOFFICE")


def _uk(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    """A moment in May/June 2025, given in UK summer time (BST = UTC+1)."""
    return datetime(2025, month, day, hour - 1, minute, tzinfo=UTC)


def _service(store: Store, tmp_path: Path, clock: Clock, **settings) -> ApprovalService:
    return ApprovalService(store=store, settings=make_settings(tmp_path, **settings), clock=clock)


def test_weekends_and_bank_holidays_do_not_count_and_nights_send_nothing(store, tmp_path):
    clock = Clock(_uk(22, 10))  # Thursday 22 May 2025; Monday 26 May is a bank holiday
    escalation = Escalation(after_reminders=1, channels={"slack": "C-OFFICE"})
    service = _service(store, tmp_path, clock, escalation=escalation)
    service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    request_id = service.list_requests()[-1].id
    # Friday (1), the weekend and the bank holiday (0), Tuesday (2): not yet.
    for moment in (_uk(23, 12), _uk(24, 12), _uk(26, 12), _uk(27, 16)):
        assert service.due_reminders(moment) == [], moment
    # Wednesday is the third school day, but the school opens at 08:00 UK time.
    assert service.due_reminders(_uk(28, 7, 59)) == []
    (reminder,) = service.due_reminders(_uk(28, 8, 0))
    assert isinstance(reminder, PostToChannel) and reminder.channel == "C-LM"
    assert (
        f"request #{request_id} from Anna Adams has waited 3 school days" in reminder.message.text
    )
    assert service.due_reminders(_uk(28, 9)) == []  # once a period
    # Thursday 4, Friday 5, the weekend, Monday 2 June 6: the second reminder escalates.
    assert service.due_reminders(_uk(31, 10)) == []
    assert service.due_reminders(_uk(30, 16, 59)) == []
    again, escalated = service.due_reminders(_uk(2, 8, 30, month=6))
    assert again.anchor.endswith(":reminder:2")
    assert isinstance(escalated, PostToChannel) and escalated.channel == "C-OFFICE"
    assert escalated.anchor == f"request:{request_id}:line_manager:escalation"
    assert "1 reminders and no decision" in escalated.message.text
    assert "follow it up with Ben Brown" in escalated.message.text
    # The third reminder does not escalate again.
    third = service.due_reminders(_uk(5, 9, month=6))
    assert [e.anchor for e in third] == [f"request:{request_id}:line_manager:reminder:3"]
    # A decision restarts the count for the next stage.
    clock.now = _uk(5, 10, month=6)
    service.decide(request_id, "line_manager", BEN, "Ben", True)
    assert service.due_reminders(_uk(9, 9, month=6)) == []  # Fri, Mon: two school days
    (senior,) = service.due_reminders(_uk(10, 9, month=6))
    assert senior.channel == "C-SM"


def test_days_out_of_term_and_closures_do_not_count(store, tmp_path):
    school = SchoolCalendar(
        terms=((date(2025, 4, 22), date(2025, 5, 23)), (date(2025, 6, 2), date(2025, 7, 22))),
        closed=frozenset({date(2025, 6, 2)}),  # an INSET day
    )
    escalation = Escalation(after_reminders=1, people=(OFFICE,))
    service = _service(
        store, tmp_path, Clock(_uk(22, 10)), school=school, escalation=escalation, channels={}
    )
    service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    # Friday 23 May (1); half term; the INSET day; Tuesday 3 June (2); Wednesday (3).
    assert service.due_reminders(_uk(3, 12, month=6)) == []
    (direct,) = service.due_reminders(_uk(4, 12, month=6))
    assert isinstance(direct, SendDirect) and direct.user == BEN  # no channel: the approver
    second = service.due_reminders(_uk(9, 12, month=6))  # Thu 5, Fri 6, Mon 9: 6 days
    assert [type(e) for e in second] == [SendDirect, SendDirect]
    assert second[1].user == OFFICE and "waited 6 school days" in second[1].message.text


def test_the_calendar_reads_uk_time_and_school_hours():
    calendar = SchoolCalendar(opens=time(8, 30), closes=time(15, 30))
    assert not calendar.is_school_day(date(2025, 12, 25))
    assert not calendar.is_school_day(date(2025, 12, 27))  # a Saturday
    assert calendar.is_school_day(date(2025, 12, 29))
    # 08:00 UTC in winter is 08:00 GMT (closed); in summer 09:00 BST (open).
    assert not calendar.in_school_hours(datetime(2025, 12, 29, 8, 0, tzinfo=UTC))
    assert calendar.in_school_hours(datetime(2025, 6, 30, 8, 0, tzinfo=UTC))
    scotland, problems = parse_school({"bank_holidays": "scotland"})
    assert problems == [] and not scotland.is_school_day(date(2025, 8, 4))  # Scottish only
    assert SchoolCalendar().is_school_day(date(2025, 8, 4))


def test_bad_school_settings_are_all_named(tmp_path):
    config = tmp_path / "assistant.toml"
    config.write_text(
        '[school]\nhours = ["17:00", "8am"]\nbank_holidays = "mars"\n'
        'terms = [["2025-09-01"]]\nclosed = ["someday"]\nweekends = true\n'
        "[escalation]\nafter_reminders = 2\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings({"ASSISTANT_CONFIG": str(config)}, root=tmp_path)
    message = str(caught.value)
    for fault in (
        "school.hours[1]",
        "school.bank_holidays",
        "school.terms[0]",
        "school.closed[0]",
        "school.weekends: unknown key",
        "escalation: give a channel",
    ):
        assert fault in message, fault
