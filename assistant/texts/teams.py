"""Every sentence the Teams adapter itself shows to staff (about Teams' own controls)."""

from __future__ import annotations

from assistant.texts import chat

NEXT = "Next"
REASON_LABEL = "Reason for rejecting"
REASON_PLACEHOLDER = "Say why, so the requester can put it right"
REASON_REQUIRED = "Please give a reason."
SEND_REJECTION = "Send rejection"
CHOOSE_ONE = "Choose one"
PEOPLE_HINT = "Type @ and the person's name to mention them (you can mention several)."
REVIEWED = "{document} · reviewed {reviewed}"
CLAUSE_TITLE = "Clause {clause_id} · {section}"
APPROVALS_NEED_REGISTRATION = (
    "Approvals can't be given here: this Teams bot is running without sign-in (a local trial). "
    "Ask your IT team to register the bot with Microsoft (MICROSOFT_APP_ID), then approve from Teams."
)
SOMETHING_WENT_WRONG = chat.SOMETHING_WENT_WRONG
