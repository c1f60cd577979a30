"""Shared helpers for the form tests: a person, a clock, and a driver for conversations."""

from __future__ import annotations

from datetime import date

from assistant.form import FormState, StepResult, start_form, step
from assistant.messages import Action, Identity, Incoming

TODAY = date(2026, 3, 2)
ME = Identity("slack", "U0AUTHOR")

# One answer per question for a form that takes every branch.
FULL_ANSWERS: dict[str, str] = {
    "department": "PE department",
    "author": "me",
    "line_manager": "Sam Smith",
    "aims": "Share fixtures and results with families.",
    "content": "Fixture lists, match reports, photos without names.",
    "audience": "pupils, staff, parents, other schools, others",
    "audience_age_range": "Year 7-11",
    "audience_schools": "Hillside Academy",
    "audience_others": "local sports club coaches",
    "contributors": "pupils, staff, others",
    "contributors_age_range": "11 to 16",
    "contributors_others": "visiting coaches",
    "administrators": "Alice Adams, Bob Brown",
    "moderators": "Carol Cole and Dan Dale",
    "vetting": "Head of PE checks every request",
    "host": "third party",
    "host_name": "Facebook",
    "go_live": "1/9/2026",
    "closure": "31 July 2027",
    "advertising": "A letter home",
    "consent": "Consent form sent home",
    "security": "Private group; join requests approved by two moderators.",
}


def said(text: str = "", **kwargs: object) -> Incoming:
    """What the author typed (or pressed, with ``action=``)."""
    return Incoming(user=ME, text=text, display_name="Lena Lowe", **kwargs)  # type: ignore[arg-type]


def pressed(action: Action, value: str = "", values: tuple[str, ...] = ()) -> Incoming:
    """A button the author pressed."""
    return Incoming(user=ME, action=action, value=value, values=values, display_name="Lena Lowe")


class Conversation:
    """Drives the form like a person would, keeping the latest state and result."""

    def __init__(self, *, today: date = TODAY) -> None:
        self.today = today
        self.state, self.messages = start_form(today=today)
        self.result: StepResult | None = None

    def send(self, incoming: Incoming | str) -> StepResult:
        if isinstance(incoming, str):
            incoming = said(incoming)
        self.result = step(self.state, incoming, today=self.today)
        assert FormState.from_json(self.result.state.to_json()) == self.result.state
        self.state = self.result.state
        self.messages = self.result.messages
        return self.result

    def answer_until(self, stop: str) -> None:
        """Answer from FULL_ANSWERS until the current step is ``stop``."""
        for _ in range(40):
            if self.state.step.value == stop:
                return
            self.send(FULL_ANSWERS[self.state.step.value])
            assert self.messages[-1].kind.value != "error", self.messages
        raise AssertionError(f"never reached {stop}")

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)
