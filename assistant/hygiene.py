"""Text from outside made safe to store and show: bidi controls, terminal escapes, HTML.

A right-to-left override (U+202E) in a name or an answer makes a record read differently
from what it holds ("Trojan Source"); an escape sequence in a stored answer can rewrite a
terminal's screen when ``assistant requests show`` prints it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.messages import FieldInput, Incoming

# Embeddings, overrides, isolates and the implicit marks (LRM, RLM, ALM).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# CSI / OSC / other ESC sequences, then any C0 or C1 control but tab and newline.
_TERMINAL_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clear screen
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return BIDI_CONTROLS.sub("", text)


def clean_incoming(incoming: Incoming) -> Incoming:
    """The Incoming with bidi controls taken out of everything a person typed or is called."""
    fields = tuple(
        (
            key,
            replace(value, text=strip_bidi(value.text)) if isinstance(value, FieldInput) else value,
        )
        for key, value in incoming.fields
    )
    return replace(
        incoming,
        text=strip_bidi(incoming.text),
        display_name=strip_bidi(incoming.display_name),
        fields=fields,
    )


def for_terminal(text: str) -> str:
    """``text`` with escape sequences and control characters removed (tab and newline kept)."""
    return _TERMINAL_ESCAPES.sub("", text)


def escape_html(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` as entities, so Markdown viewers show it as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
