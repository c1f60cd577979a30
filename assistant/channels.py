"""What the core says in a channel: policy answers, and a pointer to the direct messages.

Typing ``status`` in a channel, or mentioning the assistant with a form draft open, must not
post request details (pupils' ages, consent arrangements, staff names) where others see them.
"""

from __future__ import annotations

from assistant.messages import Effect, Identity, Kind, Message, Reply, SendDirect
from assistant.texts import chat as texts

# What may be said in a channel besides policy answers: nothing in these is about anyone.
_PUBLIC_TEXTS = frozenset(
    {
        texts.HELP,
        texts.GREETING + " " + texts.HELP,
        texts.YOU_ARE_WELCOME,
        texts.GOODBYE,
        texts.SOMETHING_WENT_WRONG,
        texts.STORAGE_FAILED,
        texts.SENT_PRIVATELY,
    }
)


def is_public(message: Message) -> bool:
    """True for a message fit for a channel: a policy answer or a sentence about no one."""
    if message.kind in (Kind.ANSWER, Kind.REFUSAL):
        return True
    bare = not (message.facts or message.buttons or message.choices or message.people)
    return bare and message.text in _PUBLIC_TEXTS


def privately(user: Identity, effects: list[Effect]) -> list[Effect]:
    """Effects for a message from a channel: form steps, reviews, home and status go to
    ``user``'s direct messages, with one short pointer left in the channel."""
    out: list[Effect] = []
    pointed = False
    for effect in effects:
        if isinstance(effect, Reply) and not is_public(effect.message):
            if not pointed:
                out.append(Reply(Message(text=texts.SENT_PRIVATELY, kind=Kind.NOTICE)))
                pointed = True
            out.append(SendDirect(user, effect.message))
        else:
            out.append(effect)
    return out
