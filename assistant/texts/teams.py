"""Every sentence the Teams adapter itself shows to staff (about Teams' own controls)."""

from __future__ import annotations

from assistant.texts import chat

NEXT = "Next"
REASON_LABEL = "Reason for rejecting"
REASON_PLACEHOLDER = "Say why, so the requester can put it right"
REASON_REQUIRED = "Please give a reason."
SEND_REJECTION = "Send rejection"
NOTE_LABEL = "What should the requester change?"
NOTE_PLACEHOLDER = "They see this note, edit the request and submit it again"
SEND_BACK = "Send back"
CHOOSE_ONE = "Choose one"
PEOPLE_HINT = "Type @ and the person's name to mention them (you can mention several)."
REVIEWED = "{document} · reviewed {reviewed}"
CLAUSE_TITLE = "Clause {clause_id} · {section}"
NO_FILE_HERE = (
    "Teams can't receive the file from me here: the school office can give you {title} as a "
    "Word document."
)
APPROVALS_NEED_REGISTRATION = (
    "That can't be done here: this Teams bot is running without sign-in (a local trial), so "
    "it answers questions and walks through the form but submits, withdraws, records feedback "
    "and approves nothing. Ask your IT team to register the bot with Microsoft "
    "(MICROSOFT_APP_ID), then do it from Teams."
)
SOMETHING_WENT_WRONG = chat.SOMETHING_WENT_WRONG
