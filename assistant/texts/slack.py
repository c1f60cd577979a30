"""Every sentence the Slack adapter itself says (about Slack's own controls: modals, pickers)."""

from __future__ import annotations

from assistant.texts import chat

SOMETHING_WENT_WRONG = chat.SOMETHING_WENT_WRONG
COULD_NOT_SEND = "Sorry, I could not send my full reply. Please try again in a minute."
REASON_MODAL_TITLE = "Reason for rejecting"
REASON_MODAL_SUBMIT = "Reject"
REASON_MODAL_CLOSE = "Cancel"
REASON_LABEL = "Why is this request rejected?"
REASON_HINT = "The requester sees this reason."
REASON_REQUIRED = "Please give a reason: the requester needs to know what to change."
NOTE_MODAL_TITLE = "Send back for changes"
NOTE_MODAL_SUBMIT = "Send back"
NOTE_LABEL = "What should the requester change?"
NOTE_HINT = "The requester sees this note, edits the request and submits it again."
PEOPLE_PLACEHOLDER = "Choose people"
PEOPLE_NEXT = "Next"
CHOICES_NEXT = "Next"
NOTHING_TICKED = "Tick at least one option, then press Next."
NOBODY_CHOSEN = "Choose at least one person, then press Next."
REVIEWED = "reviewed {date}"
MORE_OMITTED = "Some of the reply was left out because it was too long for Slack."
HOME_EMPTY = 'Nothing here yet. Send me a question, or say "start the form" to ask for a new site.'
CHOSEN = "You chose: {labels}"
CLAUSE_HEADING = "*Clause {clause_id} · {section}*"
WHOLE_TITLE = "Site approval form"
WHOLE_SUBMIT = "Check answers"
WHOLE_CLOSE = "Cancel"
WHOLE_INTRO = (
    "The Social Media Site Creation Approval Form (Appendix B) in one go. Your answers are "
    "checked when you press Check answers; nothing is sent for approval until you press "
    "Submit on the review in your messages with me."
)
WHOLE_NAMES_LABEL = "Anyone not in Slack"
WHOLE_NAMES_HINT = "Names separated by commas, in addition to the people picked above."

# /policy, the shortcuts and App Home's buttons
POLICY_USAGE = (
    "Ask a question after the command, e.g. `/policy Can I friend a parent on Facebook?` "
    "Only you see the answer."
)
SHARE_BUTTON = "Share in channel"
SHARED_BY = "Shared by {user}, who asked: {question}"
SHARE_FAILED = "Sorry, I could not share that answer here. You can ask me with an @mention."
CHECK_EMPTY = "That message has no text I can check against the policy."
HOME_ASK = "Ask a question"
HOME_REQUEST = "Request a site"
HOME_WHOLE_FORM = "Fill in the whole form"
ASK_TITLE = "Ask a question"
ASK_SUBMIT = "Ask"
ASK_CLOSE = "Cancel"
ASK_LABEL = "Your question about the policy"
ASK_HINT = "The answer comes to our direct messages, with the policy's own words."
ASK_REQUIRED = "Please type a question."
YOU_ASKED = "You asked: {question}"

# Slack's "Are you sure?" dialog on consequential buttons: (title, text, confirm, deny).
CONFIRMS = {
    "approval.approve": (
        "Approve this request?",
        "Your approval is recorded with your name and the time, and the request moves on to "
        "the next stage.",
        "Approve",
        "Not yet",
    ),
    "approval.reject": (
        "Reject this request?",
        "Next you give a reason; the requester sees it and the request stops here.",
        "Reject",
        "Not yet",
    ),
    "approval.withdraw": (
        "Withdraw your request?",
        "The approvers will not be asked about it any more. You can start a new request later.",
        "Withdraw",
        "Keep it",
    ),
    "form.submit": (
        "Send for approval?",
        "Your answers go to your line manager, then a senior manager and the Principal.",
        "Send",
        "Not yet",
    ),
}

# assistant slack manifest
MANIFEST_NEEDS_HTTPS = (
    "{url!r} is not an https:// address: Slack sends events only to HTTPS, e.g. "
    "--url https://assistant.school.example"
)
MANIFEST_JUST_HOST = (
    "give only the scheme and host in {url!r} (e.g. https://assistant.school.example); "
    "/slack/events is added for you"
)
