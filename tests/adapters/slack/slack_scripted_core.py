"""A small scripted implementation of the Core protocol for the Slack adapter's tests."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from assistant.errors import InputError
from assistant.form.whole import WholeField, whole_fields
from assistant.messages import (
    Action,
    Button,
    ChoiceSet,
    Citation,
    Effect,
    Identity,
    Incoming,
    Kind,
    Message,
    Option,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)

STAGES = ("line_manager", "senior_manager", "principal")
APPROVERS = {
    "line_manager": Identity("slack", "ULINE1"),
    "senior_manager": Identity("slack", "USENIOR1"),
    "principal": Identity("slack", "UPRINCIPAL1"),
}
CHANNELS = {"line_manager": "CAPPROVE1", "senior_manager": "CAPPROVE2", "principal": "CAPPROVE3"}
AUDIENCES = tuple(Option(f"Audience {i}", f"aud{i}") for i in range(12))
CLAUSE_6_3 = Citation(
    clause_id="6.3",
    section="Personal use of social media",
    quote="Staff must not use social media during working hours <unless authorised> & must keep it separate.",
    score=0.9,
    document="Wootton Academy Trust Social Media Policy",
    reviewed="December 2012",
)


class ScriptedCore:
    """Answers one question, runs a three-question form and a three-stage approval."""

    def __init__(self) -> None:
        self.incoming: list[Incoming] = []
        self.seen: set[str] = set()
        self.refs: dict[tuple[str, str], dict[str, Any]] = {}
        self.form: dict[str, Any] = {}
        self.stage = 0
        self.requester: Identity | None = None
        self.decisions: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def first_delivery(self, key: str) -> bool:
        with self._lock:
            if key in self.seen:
                return False
            self.seen.add(key)
            return True

    def remember(self, kind: str, key: str, value: Mapping[str, Any]) -> None:
        self.refs[(kind, key)] = dict(value)

    def recall(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.refs.get((kind, key))

    def due_reminders(self) -> list[Effect]:
        return []

    def purge(self) -> list[Effect]:
        return []

    def needs_answerer(self, incoming: Incoming) -> bool:
        return incoming.action is None

    def ready(self) -> bool:
        return True

    def whole_form(self, user: Identity) -> tuple[WholeField, ...]:
        return whole_fields()

    def home(self, user: Identity) -> list[Message]:
        return [
            Message(text="My requests", facts=(("R1", f"stage {self.stage + 1} of 3"),)),
            Message(text="Waiting for my decision"),
        ]

    def handle(self, incoming: Incoming) -> list[Effect]:
        self.incoming.append(incoming)
        action = incoming.action
        if action is None:
            return self._typed(incoming)
        if action is Action.FORM_CHOOSE:
            self.form["platform"] = incoming.value
            return [
                Reply(
                    Message(
                        text="Who is the audience?",
                        kind=Kind.QUESTION,
                        field="audience",
                        choices=ChoiceSet(AUDIENCES, multiple=True),
                        buttons=(Button("Back", Action.FORM_BACK),),
                    )
                )
            ]
        if action is Action.FORM_CHOICES:
            self.form["audience"] = incoming.values
            return [
                Reply(
                    Message(
                        text="Who will run the site?",
                        kind=Kind.QUESTION,
                        field="administrators",
                        people=True,
                    )
                )
            ]
        if action is Action.FORM_SUBMIT:
            self.requester = incoming.user
            return [Reply(Message(text="Submitted for approval.")), self._post_stage()]
        if action in (Action.APPROVE, Action.REJECT):
            return self._decide(incoming)
        if action is Action.HELPFUL:
            return [PrivateReply(Message(text="Thanks for the feedback."))]
        return [Reply(Message(text=f"Not scripted: {action.value}"))]

    def _typed(self, incoming: Incoming) -> list[Effect]:
        text = incoming.text
        if "boom" in text:
            raise RuntimeError("scripted failure")
        if "bad input" in text:
            raise InputError("bad input", user_message="Please say it another way.")
        if "form" in text:
            return [
                Reply(
                    Message(
                        text="Which platform?",
                        kind=Kind.QUESTION,
                        field="platform",
                        choices=ChoiceSet(
                            (Option("Facebook", "facebook"), Option("Instagram", "instagram"))
                        ),
                        buttons=(Button("Cancel", Action.FORM_CANCEL),),
                    )
                )
            ]
        if "administrators" in self.form or self.form.get("audience") is not None:
            self.form["administrators"] = incoming.mentions
            facts = tuple((k, str(v)) for k, v in self.form.items())
            return [
                Reply(
                    Message(
                        text="Please check your request.",
                        kind=Kind.REVIEW,
                        facts=facts,
                        buttons=(
                            Button("Submit", Action.FORM_SUBMIT, style="primary"),
                            Button("Edit", Action.FORM_EDIT),
                        ),
                    )
                )
            ]
        if "social media" in text or "Instagram" in text:
            return [
                Reply(
                    Message(
                        text=f"You asked: {text}",
                        kind=Kind.ANSWER,
                        citations=(CLAUSE_6_3,),
                        buttons=(
                            Button("Helpful", Action.HELPFUL, "A1"),
                            Button("Not helpful", Action.NOT_HELPFUL, "A1"),
                        ),
                    )
                )
            ]
        return [
            Reply(
                Message(
                    text=f"I cannot find that in the policy: {text}. Ask the Principal.",
                    kind=Kind.REFUSAL,
                )
            )
        ]

    def _post_stage(self) -> PostToChannel:
        stage = STAGES[self.stage]
        value = f"R1:{stage}"
        message = Message(
            text=f"Site request R1 needs the {stage} decision.",
            kind=Kind.APPROVAL,
            buttons=(
                Button("Approve", Action.APPROVE, value, style="primary"),
                Button("Reject", Action.REJECT, value, style="danger", needs_reason=True),
            ),
        )
        return PostToChannel(
            platform="slack", channel=CHANNELS[stage], message=message, anchor=value
        )

    def _decide(self, incoming: Incoming) -> list[Effect]:
        stage = STAGES[self.stage]
        if incoming.user != APPROVERS[stage] or incoming.value != f"R1:{stage}":
            return [
                PrivateReply(
                    Message(text="Only the approver for this stage can decide.", kind=Kind.ERROR)
                )
            ]
        assert self.requester is not None
        verdict = "approved" if incoming.action is Action.APPROVE else "rejected"
        self.decisions.append((stage, verdict, incoming.text))
        decided = UpdatePost(
            anchor=incoming.value,
            message=Message(
                text=f"R1 {verdict} by {incoming.display_name}: {incoming.text}", kind=Kind.DECIDED
            ),
        )
        if verdict == "rejected":
            return [decided, SendDirect(self.requester, Message(text=f"Rejected: {incoming.text}"))]
        self.stage += 1
        if self.stage == len(STAGES):
            return [decided, SendDirect(self.requester, Message(text="Your site is approved."))]
        return [decided, self._post_stage()]
