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
DATE_PLACEHOLDER = "Pick a date"
ANSWER_PLACEHOLDER = "Type your answer"
YOU_ENTERED = "You entered: {answer}"
ANSWER_REQUIRED = "Please give an answer, or use Skip where there is one."
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
WELCOME = (
    "Hello! I'm the Policy Assistant. I can:\n"
    "\u2022 answer your questions about the Social Media Policy with the policy's own words, "
    "quoting the clauses, for example \u201cCan I friend a former pupil?\u201d;\n"
    "\u2022 take you through the Social Media Site Creation Approval Form (Appendix B): say "
    "\u201cstart the approval form\u201d;\n"
    "\u2022 let approvers approve, reject or send back a request for changes right here in "
    "Teams.\n"
    "Say \u201cmy requests\u201d to see your requests and anything waiting for your decision."
)
SOMETHING_WENT_WRONG = chat.SOMETHING_WENT_WRONG
