"""The terminal adapter: the whole assistant in one terminal.

Approver channels of a local run print in the same terminal; ``/as NAME`` switches who
you are, so one person can fill in the form and then decide each stage.
"""

from __future__ import annotations

import shlex
import textwrap
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from assistant.core import Core
from assistant.messages import (
    Action,
    Button,
    Effect,
    Identity,
    Incoming,
    Message,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)

WIDTH = 88
PLATFORM = "console"

COMMANDS_HELP = """\
Type a question or an answer to the form. Commands:
  /as NAME              act as another person (e.g. /as principal)
  /approve ID           approve the stage of request ID waiting for you
  /reject ID REASON     reject it, with a reason
  /sendback ID NOTE     send it back to the requester for changes, with a note
  /revise ID            edit and resubmit your request that was sent back
  /withdraw ID          withdraw your own pending request
  /helpful, /unhelpful  feedback on the last answer
  /home                 my requests and what waits for my decision
  /quit                 leave (an unfinished form is kept for next time)"""


def _wrap(text: str, indent: str = "") -> str:
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines.append(
            textwrap.fill(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent)
            if paragraph.strip()
            else ""
        )
    return "\n".join(lines)


def render(message: Message) -> str:
    """A message as terminal text: text, quoted clauses, facts, choices and buttons."""
    parts = [_wrap(message.text)] if message.text else []
    for citation in message.citations:
        parts.append(f"Clause {citation.clause_id} \u00b7 {citation.section}")
        parts.append(_wrap(f"\u201c{citation.quote}\u201d", "    "))
    for label, value in message.facts:
        parts.append(_wrap(f"{label}: {value}", "  "))
    if message.choices is not None:
        for number, option in enumerate(message.choices.options, start=1):
            parts.append(f"  {number}. {option.label}")
        if message.choices.multiple:
            parts.append("  (type the numbers or names, separated by commas)")
    # The whole-form dialog needs a platform with forms (Slack's modal); not a terminal.
    buttons = [b for b in message.buttons if b.action is not Action.FORM_WHOLE_OPEN]
    if buttons:
        parts.append("  " + "   ".join(f"[{_command_for(b)}]" for b in buttons))
    if message.context:
        parts.append(_wrap(message.context, "  \u2014 "))
    if message.attachment is not None:
        # A terminal cannot take a file: say where the same document comes from.
        request = message.attachment.filename.rsplit("-", 1)[-1].split(".")[0]
        parts.append(f"  [{message.attachment.title}: {_export_command(request)}]")
    return "\n".join(parts)


def _export_command(request: str) -> str:
    return f"assistant requests export {request} --format docx"


def _command_for(button: Button) -> str:
    action = button.action
    request = button.value.split(":", 1)[0]
    if action is Action.APPROVE:
        return f"/approve {request}"
    if action is Action.REJECT:
        return f"/reject {request} REASON"
    if action is Action.SEND_BACK:
        return f"/sendback {request} NOTE"
    if action is Action.FORM_REVISE:
        return f"/revise {request}"
    if action is Action.WITHDRAW:
        return f"/withdraw {request}"
    if action is Action.DOWNLOAD:
        return _export_command(request)
    if action is Action.HELPFUL:
        return "/helpful"
    if action is Action.NOT_HELPFUL:
        return "/unhelpful"
    if action is Action.FORM_EDIT and button.value:
        return f"edit {button.value}"
    return button.label.lower()


@dataclass
class ConsoleChat:
    """A read-eval-print loop over the core for one terminal."""

    core: Core
    user: str
    out: TextIO
    # the last buttons seen, by action, so /approve 12 finds "12:<stage>"
    _buttons: dict[Action, list[Button]] = field(default_factory=dict)
    # One terminal session is one conversation: a follow-up is read with the question before.
    session: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def identity(self) -> Identity:
        return Identity(PLATFORM, self.user)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, effects: Iterable[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Reply | PrivateReply):
                self._remember_buttons(effect.message)
                self.say(render(effect.message) + "\n")
            elif isinstance(effect, PostToChannel):
                self.core.remember(
                    "post", effect.anchor, {"platform": PLATFORM, "channel": effect.channel}
                )
                self._remember_buttons(effect.message)
                self.say(_wrap(f"[{effect.channel}]") + "\n" + render(effect.message) + "\n")
            elif isinstance(effect, UpdatePost):
                ref = self.core.recall("post", effect.anchor) or {}
                channel = ref.get("channel", "channel")
                self.say(f"[{channel}] (message updated)\n" + render(effect.message) + "\n")
            elif isinstance(effect, SendDirect):
                self._remember_buttons(effect.message)
                self.say(
                    f"[direct message to {effect.user.user_id}]\n" + render(effect.message) + "\n"
                )

    def _remember_buttons(self, message: Message) -> None:
        for button in message.buttons:
            kept = self._buttons.setdefault(button.action, [])
            kept[:] = [b for b in kept if b.value != button.value] + [button]

    def _button_value(self, action: Action, request: str) -> str:
        for button in reversed(self._buttons.get(action, [])):
            if button.value.split(":", 1)[0] == request:
                return button.value
        return request

    def incoming_for(self, line: str) -> Incoming | None:
        """Turn a typed line into an Incoming (None for a local command already handled)."""
        if not line.startswith("/"):
            return Incoming(
                user=self.identity,
                text=line,
                display_name=self.user,
                conversation=f"console:{self.session}",
            )
        try:
            words = shlex.split(line[1:])
        except ValueError:
            words = line[1:].split()
        command, args = (words[0].lower(), words[1:]) if words else ("help", [])
        by_command: dict[str, Callable[[], Incoming | None]] = {
            "approve": lambda: self._decision(Action.APPROVE, args),
            "reject": lambda: self._decision(Action.REJECT, args),
            "sendback": lambda: self._decision(Action.SEND_BACK, args),
            "revise": lambda: Incoming(
                user=self.identity, action=Action.FORM_REVISE, value=args[0] if args else ""
            ),
            "withdraw": lambda: Incoming(
                user=self.identity, action=Action.WITHDRAW, value=args[0] if args else ""
            ),
            "helpful": lambda: self._feedback(Action.HELPFUL),
            "unhelpful": lambda: self._feedback(Action.NOT_HELPFUL),
            "home": lambda: Incoming(
                user=self.identity, text="my requests", display_name=self.user
            ),
        }
        if command == "as" and args:
            self.user = args[0]
            self.say(f"You are now {self.identity}.\n")
            return None
        if command in by_command:
            return by_command[command]()
        self.say(COMMANDS_HELP + "\n")
        return None

    def _decision(self, action: Action, args: list[str]) -> Incoming | None:
        if not args:
            self.say("Which request? For example: /approve 3\n")
            return None
        value = self._button_value(action, args[0])
        if ":" not in value:
            # not seen in this terminal: let the core pick the stage waiting for this person
            value = f"{args[0]}:"
        return Incoming(
            user=self.identity,
            action=action,
            value=value,
            text=" ".join(args[1:]),
            display_name=self.user,
        )

    def _feedback(self, action: Action) -> Incoming | None:
        kept = self._buttons.get(action)
        if not kept:
            self.say("There is no answer to give feedback on yet.\n")
            return None
        return Incoming(
            user=self.identity, action=action, value=kept[-1].value, display_name=self.user
        )

    def run(self, lines: Iterable[str]) -> None:
        """Handle typed lines until /quit or the end of input."""
        self.say(f"You are {self.identity}. Type /help for commands, /quit to leave.\n")
        self.show(self.core.handle(Incoming(user=self.identity, text="", display_name=self.user)))
        for raw in lines:
            line = raw.rstrip("\n")
            if line.strip() in ("/quit", "/exit"):
                break
            incoming = self.incoming_for(line.strip())
            if incoming is not None:
                self.show(self.core.handle(incoming))
