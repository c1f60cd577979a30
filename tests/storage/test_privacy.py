"""Retention, subject access and erasure, on real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from assistant.messages import Identity, Message, SendDirect
from assistant.retention import Retention, parse_retention
from assistant.storage import Store
from assistant.storage.outbox_repository import Outgoing
from assistant.storage.privacy import ANONYMISED, ErasureRefused
from assistant.workflow.stages import Stage, Status

LINDA_SLACK = Identity("slack", "ULINDA")
LINDA_TEAMS = Identity("teams", "aad-linda")
LINDA = (LINDA_SLACK, LINDA_TEAMS)
OMAR = Identity("slack", "UOMAR")
PAT = Identity("slack", "UPAT")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KEEP = Retention()
FOLLOWUP = timedelta(minutes=15)


def _request(store: Store, requester: Identity, name: str, **answers: str):
    return store.create_request(
        requester=requester,
        requester_name=name,
        answers={"department": "Art", "author": name, "aims": "Show pupils' art", **answers},
        platform=requester.platform,
        at=T0,
    )


def _decide(store: Store, request, stage: Stage, new: Status, who: Identity, name: str, **kw):
    store.record_decision(
        request, stage, new, approved=new != Status.REJECTED, decided_by=who,
        decided_by_name=name, at=T0 + timedelta(hours=1), **kw,
    )  # fmt: skip
    return store.get_request(request.id)


def _approved_by_all(store: Store, requester: Identity, name: str, **answers: str):
    request = _request(store, requester, name, **answers)
    request = _decide(
        store, request, Stage.LINE_MANAGER, Status.PENDING_SENIOR_MANAGER, OMAR, "Omar"
    )
    request = _decide(
        store, request, Stage.SENIOR_MANAGER, Status.PENDING_PRINCIPAL, LINDA_TEAMS, "Linda Lee"
    )
    return _decide(store, request, Stage.PRINCIPAL, Status.APPROVED, PAT, "Pat Principal")


# ---- retention -------------------------------------------------------------------------


def test_purge_removes_each_kind_only_after_its_period(store: Store) -> None:
    now = datetime.now(UTC)
    yesterday = now - timedelta(days=1)
    answer = store.record_answer(
        LINDA_SLACK, "a pupil told me something", ["6.3"], True, at=yesterday
    )
    store.record_feedback(answer, LINDA_SLACK, True)
    store.save_draft(OMAR, "{}")
    store.save_earlier(OMAR, "slack:D1", "can I friend a pupil?", keep=FOLLOWUP)
    store.first_delivery("slack:event:Ev1")
    store.remember("slack_thread", "slack:C1:1.0", {"joined": True})
    store.remember("post", "request:1:line_manager", {"channel": "C1", "ts": "1.0"})
    [sent] = store.outbox.add([Outgoing("slack", SendDirect(OMAR, Message("hi")), str(OMAR))])
    store.outbox.claim(sent)
    store.outbox.sent(sent)

    assert set(store.privacy.purge(KEEP, followup=FOLLOWUP, now=now).values()) == {0}
    assert store.load_draft(OMAR) == "{}"

    done = store.privacy.purge(KEEP, followup=FOLLOWUP, now=now + timedelta(days=31))
    assert done["questions"] == 0  # 32 days old: kept for 90
    assert done["drafts"] == 1 and done["earlier questions"] == 1
    assert done["delivery keys"] == 1 and done["Slack threads"] == 1
    assert done["delivered messages"] == 1 and store.outbox.entries() == []
    assert store.load_draft(OMAR) is None
    assert store.recall("slack_thread", "slack:C1:1.0") is None
    assert store.recall("post", "request:1:line_manager") is not None  # not a person's
    assert store.first_delivery("slack:event:Ev1") is True  # the key went
    assert (
        store.privacy.purge(KEEP, followup=FOLLOWUP, now=now + timedelta(days=90))["questions"] == 1
    )
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT asker, question, clause_ids FROM answers")).all()
        votes = connection.execute(text("SELECT identity, helpful FROM feedback")).all()
    assert [tuple(r) for r in rows] == [("", "", '["6.3"]')]  # statistics stay, nobody's
    assert [tuple(v) for v in votes] == [("", True)]
    assert store.feedback_counts().helpful == 1


def test_purge_anonymises_decided_requests_after_the_years_and_keeps_the_record(
    store: Store,
) -> None:
    old = _approved_by_all(store, LINDA_SLACK, "Linda Lee", administrators="Linda Lee, Omar")
    pending = _request(store, OMAR, "Omar")
    years = timedelta(days=6 * 365.25 + 1)

    done = store.privacy.purge(KEEP, followup=FOLLOWUP, now=T0 + years)
    again = store.privacy.purge(KEEP, followup=FOLLOWUP, now=T0 + years)

    assert done["requests anonymised"] == 1 and again["requests anonymised"] == 0
    request = store.get_request(old.id)
    assert str(request.requester) == ANONYMISED and request.requester_name == "(erased)"
    assert request.answers["author"] == request.answers["administrators"] == "(erased)"
    assert request.answers["aims"] == "Show pupils' art"  # what the site was stays
    assert request.status is Status.APPROVED
    decisions = store.decisions(old.id)
    assert [d.approved for d in decisions] == [True, True, True]
    assert {d.decided_by_name for d in decisions} == {"(erased)"}
    trail = store.audit(old.id)
    assert {e.actor for e in trail} <= {"erased:person", "assistant"}
    assert trail[-1].event_type == "anonymised"
    assert store.get_request(pending.id).requester == OMAR  # not decided: untouched


def test_the_audit_trail_still_refuses_every_edit_but_a_tombstone(store: Store) -> None:
    request = _request(store, LINDA_SLACK, "Linda Lee")
    refused = (
        "UPDATE audit_events SET comment = 'edited'",
        "UPDATE audit_events SET event_type = 'approved'",
        "UPDATE audit_events SET actor = 'slack:UEVE'",
        "UPDATE audit_events SET actor = 'erased:person', event_type = 'approved'",
        "DELETE FROM audit_events",
    )
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'erased:person'"))
    assert [(e.actor, e.event_type) for e in store.audit(request.id)] == [
        ("erased:person", "submitted")
    ]


# ---- subject access and erasure ----------------------------------------------------------


def _linda_everywhere(store: Store):
    store.record_answer(LINDA_SLACK, "a parent sent me a friend request", ["6.3"], True)
    store.record_answer(LINDA_TEAMS, "can I post photos of my class?", ["A.5.7"], True)
    store.record_answer(OMAR, "what about moderators?", ["A.4.2"], True)
    store.save_draft(LINDA_TEAMS, '{"step": "aims"}')
    store.save_earlier(LINDA_SLACK, "slack:D1", "a parent sent me a friend request", keep=FOLLOWUP)
    store.remember("slack_dm", "ULINDA", {"channel": "DLINDA"})
    store.remember("teams_conversation", "user:tenant-1:aad-linda", {"conversation": "x"})
    store.remember("teams_conversation", "user:tenant-1:aad-omar", {"conversation": "y"})
    mine = _approved_by_all(store, LINDA_SLACK, "Linda Lee")
    omars = _approved_by_all(store, OMAR, "Omar", moderators="Linda Lee and Sam")
    store.create_request(  # the form's shape: people as name and identity
        requester=PAT,
        requester_name="Pat Principal",
        answers={"administrators": [{"name": "L. Lee", "identity": "teams:aad-linda"}]},
        platform="slack",
        at=T0,
    )
    return mine, omars


def test_export_gathers_everything_about_the_person_on_every_platform(store: Store) -> None:
    mine, omars = _linda_everywhere(store)

    found = store.privacy.export_person(LINDA, ["Linda Lee"])

    assert json.loads(json.dumps(found)) == found  # JSON data throughout
    assert sorted(q["question"] for q in found["questions"]) == [
        "a parent sent me a friend request",
        "can I post photos of my class?",
    ]
    assert [d["identity"] for d in found["drafts"]] == ["teams:aad-linda"]
    assert len(found["earlier_questions"]) == 1
    assert [r["id"] for r in found["requests_made"]] == [mine.id]
    assert found["requests_made"][0]["answers"]["author"] == "Linda Lee"
    assert [(d["request"], d["stage"]) for d in found["decisions_given"]] == [
        (mine.id, "senior_manager"),
        (omars.id, "senior_manager"),
    ]
    assert found["named_on_requests"] == [omars.id, omars.id + 1]
    assert sorted(r["key"] for r in found["platform_references"]) == [
        "ULINDA",
        "user:tenant-1:aad-linda",
    ]
    assert "what about moderators?" not in json.dumps(found)  # nobody else's


def test_erasure_removes_the_person_and_leaves_tombstones_in_the_records(store: Store) -> None:
    mine, omars = _linda_everywhere(store)

    report = store.privacy.erase_person(LINDA, ["Linda Lee"])

    assert report.counts["questions"] == 2 and report.counts["drafts"] == 1
    assert report.counts["platform references"] == 2
    after = store.privacy.export_person(LINDA, ["Linda Lee"])
    assert all(not value for key, value in after.items() if key != "identities"), after
    everything = json.dumps(
        [store.get_request(mine.id).answers, store.get_request(omars.id).answers]
    ) + json.dumps([vars(e) for r in (mine, omars) for e in store.audit(r.id)], default=str)
    assert "Linda" not in everything and "ULINDA" not in everything
    assert "aad-linda" not in everything
    request = store.get_request(mine.id)
    assert str(request.requester) == "erased:requester"
    assert store.get_request(omars.id).answers["moderators"] == "(erased) and Sam"
    assert store.get_request(omars.id + 1).answers == {
        "administrators": [{"name": "L. Lee", "identity": "(erased)"}]  # another spelling stays
    }
    senior = store.decision(omars.id, Stage.SENIOR_MANAGER)
    assert senior is not None and senior.approved
    assert (str(senior.decided_by), senior.decided_by_name) == ("erased:senior_manager", "(erased)")
    assert store.decision(omars.id, Stage.LINE_MANAGER).decided_by == OMAR  # others untouched
    tombstone = store.audit(mine.id)[-1]
    assert (tombstone.actor, tombstone.event_type) == ("assistant", "erased")
    assert tombstone.comment == (
        "person named on the form, requester, senior_manager approver erased on "
        f"{tombstone.at.date().isoformat()}"
    )
    assert store.recall("teams_conversation", "user:tenant-1:aad-omar") is not None
    assert store.privacy.export_person([OMAR], ["Omar"])["questions"]  # Omar keeps his


def test_erasure_is_refused_while_a_request_of_theirs_is_in_progress(store: Store) -> None:
    request = _request(store, LINDA_TEAMS, "Linda Lee")
    store.save_draft(LINDA_SLACK, "{}")
    with pytest.raises(ErasureRefused, match=f"#{request.id}"):
        store.privacy.erase_person(LINDA, ["Linda Lee"])
    assert store.load_draft(LINDA_SLACK) == "{}"  # nothing changed
    decided = _decide(
        store, _request(store, OMAR, "Omar"), Stage.LINE_MANAGER, Status.PENDING_SENIOR_MANAGER,
        LINDA_SLACK, "Linda Lee",
    )  # fmt: skip
    store.change_status(
        store.get_request(request.id), Status.WITHDRAWN, actor=LINDA_TEAMS, event_type="withdrawn"
    )
    with pytest.raises(ErasureRefused, match=f"#{decided.id}"):  # she decided its first stage
        store.privacy.erase_person(LINDA, ["Linda Lee"])


# ---- settings ----------------------------------------------------------------------------


def test_retention_settings_have_defaults_and_name_every_wrong_key() -> None:
    assert parse_retention({}) == (Retention(), [])
    assert parse_retention({"questions_days": 30})[0].questions_days == 30
    _, problems = parse_retention(
        {"questions_days": 0, "drafts_days": "a month", "requests_years": True, "forever": 1}
    )
    assert problems == [
        "retention.forever: unknown key (expected one of questions_days, drafts_days, "
        "deliveries_days, threads_days, requests_years)",
        "retention.questions_days: must be a number of days, at least 1",
        "retention.drafts_days: must be a number of days, at least 1",
        "retention.requests_years: must be a number of years, at least 1",
    ]


# ---- the SQLite file -----------------------------------------------------------------------


def test_a_new_sqlite_database_and_its_backup_are_readable_by_the_owner_only(tmp_path) -> None:
    from assistant.storage.admin import backup

    path = tmp_path / "var" / "assistant.db"
    store = Store.open(f"sqlite:///{path}")
    store.save_draft(OMAR, "{}")  # the -wal and -shm files exist now
    modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    backup(f"sqlite:///{path}", tmp_path / "backup.db")
    store.close()
    assert modes == {"assistant.db": 0o600, "assistant.db-wal": 0o600, "assistant.db-shm": 0o600}
    assert (tmp_path / "backup.db").stat().st_mode & 0o777 == 0o600


def test_an_existing_database_others_could_read_is_tightened(tmp_path, caplog) -> None:
    path = tmp_path / "assistant.db"
    Store.open(f"sqlite:///{path}").close()
    path.chmod(0o644)
    Store.open(f"sqlite:///{path}").close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert "could be read by others (mode 644): now 0600" in caplog.text
