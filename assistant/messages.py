"""What flows between the core and the adapters.

Adapters turn a platform's payload into an :class:`Incoming` and render the core's
:class:`Effect` list (each carrying a :class:`Message`) as Block Kit, Adaptive Cards or
terminal text. The core never builds platform JSON; adapters never decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Identity:
    """A person on one platform: ``slack:U0123``, ``teams:<aad object id>``, ``console:alice``."""

    platform: str
    user_id: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        platform, sep, user_id = text.strip().partition(":")
        if not sep or not platform or not user_id:
            raise ValueError(
                f"not a platform-qualified identity: {text!r} (expected e.g. slack:U0123)"
            )
        return cls(platform.lower(), user_id)

    def __str__(self) -> str:
        return f"{self.platform}:{self.user_id}"


class Action(StrEnum):
    """Every button or input the core can ask an adapter to show, and hear back."""

    FORM_START = "form.start"
    FORM_CHOOSE = "form.choose"  # value: the option's value
    FORM_CHOICES = "form.choices"  # values: the ticked options (a "Next" button)
    FORM_BACK = "form.back"
    FORM_SKIP = "form.skip"
    FORM_EDIT = "form.edit"  # value: field key, or empty for "which field?"
    FORM_SUBMIT = "form.submit"
    FORM_CANCEL = "form.cancel"
    # A button: an adapter with dialogs opens its "whole form" dialog; others send it on.
    FORM_WHOLE_OPEN = "form.whole_open"
    FORM_WHOLE = "form.whole"  # fields: every field's raw input at once
    APPROVE = "approval.approve"  # value: "<request id>:<stage>"
    REJECT = "approval.reject"  # value: "<request id>:<stage>", text: the reason
    SEND_BACK = "approval.send_back"  # value: "<request id>:<stage>", text: what to change
    FORM_REVISE = "form.revise"  # value: request id; opens a sent-back request's answers
    WITHDRAW = "approval.withdraw"  # value: request id
    DOWNLOAD = "approval.download"  # value: request id; sends its Appendix B document
    HELPFUL = "feedback.helpful"  # value: answer id
    NOT_HELPFUL = "feedback.not_helpful"  # value: answer id


# Everything that changes what others see or rely on: refused from anyone whose identity
# nobody vouches for (Incoming.verified false), such as the Teams trial without sign-in.
STATE_CHANGING_ACTIONS = frozenset(
    {
        Action.APPROVE,
        Action.REJECT,
        Action.SEND_BACK,
        Action.WITHDRAW,
        Action.HELPFUL,
        Action.NOT_HELPFUL,
        Action.FORM_SUBMIT,
    }
)


@dataclass(frozen=True)
class FieldInput:
    """One field's raw input when the whole form is sent at once (typed text, ticked
    option values, picked people written "@Name" in ``text`` in the same order)."""

    text: str = ""
    values: tuple[str, ...] = ()
    mentions: tuple[Identity, ...] = ()


@dataclass(frozen=True)
class Incoming:
    """Something a person typed or pressed, already translated from the platform."""

    user: Identity
    text: str = ""
    action: Action | None = None
    value: str = ""
    values: tuple[str, ...] = ()
    display_name: str = ""
    # True in a direct/personal chat; False for an @mention in a channel.
    direct: bool = True
    # Identities of people the message mentions, in order. In ``text`` each mention is
    # written "@Name" (or left as the platform's own tag), in the same order.
    mentions: tuple[Identity, ...] = ()
    # With Action.FORM_WHOLE: (field key, its input) for every field of the form.
    fields: tuple[tuple[str, FieldInput], ...] = ()
    # False when nobody vouches for ``user`` (the Teams trial without sign-in): the core then
    # changes nothing others rely on (no submit, withdraw, feedback or decision).
    verified: bool = True
    # The platform's conversation this came from (a Slack DM or thread, a Teams chat or reply
    # chain, a terminal session), so a follow-up can be read with the question before it.
    # Empty: none known, and every question is answered alone.
    conversation: str = ""


class Kind(StrEnum):
    """What a message is, so an adapter can choose its look."""

    ANSWER = "answer"
    REFUSAL = "refusal"
    QUESTION = "question"  # a form question
    REVIEW = "review"  # the form's review before submit
    APPROVAL = "approval"  # a stage posted to an approver channel
    DECIDED = "decided"  # an approval message after its decision
    NOTICE = "notice"
    ERROR = "error"


@dataclass(frozen=True)
class Citation:
    """One quoted clause: verbatim text with its id and section title."""

    clause_id: str
    section: str
    quote: str
    score: float
    document: str
    reviewed: str = ""
    source: str = ""  # the policy's file name, beside ``document`` (its title)


@dataclass(frozen=True)
class Button:
    """A button that sends ``action`` with ``value`` back to the core.

    ``needs_reason``: the adapter must collect a reason (modal, card input, or the
    words after the command) and send it as the Incoming's ``text``.
    """

    label: str
    action: Action
    value: str = ""
    style: str = ""  # "", "primary" or "danger"
    needs_reason: bool = False


@dataclass(frozen=True)
class Option:
    """One choice of a :class:`ChoiceSet`."""

    label: str
    value: str


@dataclass(frozen=True)
class ChoiceSet:
    """Choices for a form question: buttons when single, checkboxes plus Next when multiple."""

    options: tuple[Option, ...]
    multiple: bool = False

    @property
    def action(self) -> Action:
        return Action.FORM_CHOICES if self.multiple else Action.FORM_CHOOSE


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (the approved Appendix B as a Word document)."""

    filename: str
    title: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Message:
    """A reply made of plain text, quotes, label/value facts, choices and buttons.

    ``text`` is plain text (adapters escape it for their platform). ``facts`` are
    label/value rows such as a request summary. ``context`` is a small footer line.
    """

    text: str
    kind: Kind = Kind.NOTICE
    citations: tuple[Citation, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    choices: ChoiceSet | None = None
    buttons: tuple[Button, ...] = ()
    context: str = ""
    # The form field this question asks for (adapters may offer a user picker for people fields).
    field: str = ""
    people: bool = False
    # A refused whole form: (field key, what is wrong), shown under each field where possible.
    field_errors: tuple[tuple[str, str], ...] = ()
    # A file to send with the message, where the platform can (Slack direct messages).
    attachment: Attachment | None = None


# ---- effects: what the core asks an adapter to do -------------------------------------


@dataclass(frozen=True)
class Reply:
    """Answer the person in the conversation (thread) the Incoming came from."""

    message: Message


@dataclass(frozen=True)
class PrivateReply:
    """Tell only the person who acted (Slack ephemeral; a Teams personal reply)."""

    message: Message


@dataclass(frozen=True)
class PostToChannel:
    """Post to an approver channel; the adapter reports the posted message's reference
    back with ``Assistant.remember_post(anchor, ref)`` so that it can be updated later."""

    platform: str
    channel: str
    message: Message
    anchor: str


@dataclass(frozen=True)
class UpdatePost:
    """Replace a message posted earlier under ``anchor`` (e.g. remove its buttons)."""

    anchor: str
    message: Message


@dataclass(frozen=True)
class SendDirect:
    """Send a direct/personal message to someone who may not be in this conversation."""

    user: Identity
    message: Message


Effect = Reply | PrivateReply | PostToChannel | UpdatePost | SendDirect
