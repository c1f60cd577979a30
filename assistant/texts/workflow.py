"""Every sentence the approval workflow says (policy 8.1, A.3.2, A.3.5, A.3.6, Appendix B)."""

from __future__ import annotations

from datetime import datetime

from assistant.uktime import uk

# Appendix B's names for the three approvers, and what each signs.
STAGE_TITLES = {
    "line_manager": "Line Manager",
    "senior_manager": "Other Senior Manager",
    "principal": "Principal",
}
STAGE_STATEMENTS = {
    "line_manager": "I approve the aims and content of the proposed site.",
    "senior_manager": (
        "I approve the aims and content of the proposed site and the use of school brand and logo."
    ),
    "principal": "I give final approval for the site to be created.",
}
# Who decides a stage, as told to someone who may not.
STAGE_DECIDERS = {
    "line_manager": "the author's line manager",
    "senior_manager": "a nominated senior manager",
    "principal": "the Principal",
}
STATUS_NAMES = {
    "PENDING_LINE_MANAGER": "waiting for the Line Manager",
    "PENDING_SENIOR_MANAGER": "waiting for the Other Senior Manager",
    "PENDING_PRINCIPAL": "waiting for the Principal",
    "APPROVED": "approved",
    "REJECTED": "rejected",
    "WITHDRAWN": "withdrawn",
}
POLICY_CONTEXT = (
    "Social Media Policy 8.1, A.3.2, A.3.5 and A.3.6: the site may only be created once the "
    "Line Manager, a senior manager and the Principal have approved it."
)

# ---- facts shown with a request --------------------------------------------------------
FACT_REQUEST = "Request"
FACT_REQUESTED_BY = "Requested by"
FACT_SUBMITTED = "Submitted"
FACT_STATUS = "Status"
FACT_REFERENCE = "Audit reference"
REQUEST_REF = "#{id}"
SIGNED = "{name}, {date}"
NOT_YET_SIGNED = "not yet decided"

# ---- submitting ------------------------------------------------------------------------
SUBMITTED = (
    "Thank you, {name}. Your request #{id} is saved and is being sent to the {stage} for "
    "approval. I'll message you as each stage is decided, and straight away if it cannot "
    "reach them."
)
# From the outbox: how the posts asking a stage to decide were delivered.
REACHED = "Your request #{id} has reached the {stage}. I'll message you when they decide."
NOT_REACHED = (
    "I could not deliver your request #{id} to the {stage}: {why}. Your request is kept, and "
    "the school office has been told so they can fix it and send it again."
)
NOT_REACHED_NO_OFFICE = (
    "I could not deliver your request #{id} to the {stage}: {why}. Your request is kept; "
    "please tell the school office, so they can fix it and send it again."
)
NOT_REACHED_ADMIN = (
    "Request #{id} could not be delivered to the {stage}: {why} ({code}). Fix that, then run "
    "`assistant outbox retry --request {id}` on the server to send it again."
)
NO_CHANNEL = (
    "No approval channel is set up for the {stage} stage here, so I sent request #{id} "
    "directly to the approvers. Your request is kept either way."
)
ONLY_YOU = (
    "You are the only approver set up for the {stage} stage here, and nobody may approve their "
    "own request. Your request #{id} is kept; please ask the school office to add another "
    "approver for this stage."
)
NO_APPROVER = (
    "Nobody who can approve the {stage} stage can be reached here yet. Your request #{id} is "
    "kept; please ask the school office to set up approvers for this stage."
)
# Appendix B needs three different people; said at submit time when they cannot be found.
THREE_PEOPLE_MISSING = (
    "Request #{id} needs three different people to approve it (Line Manager, another Senior "
    "Manager and the Principal), none of them its requester or the site's author, and "
    "nobody else holds the {stages} role. Your request is kept; please ask the school office "
    "to add another approver."
)
THREE_PEOPLE_MISSING_MEMBERS = (
    "Request #{id} from {requester} will need {stages} approval from someone who is not its "
    "requester, the site's author or an approver of another stage, and nobody else holds that "
    "role. Please ask the school office to add another approver."
)

# ---- the message to approvers ----------------------------------------------------------
APPROVAL_REQUEST = (
    "Request #{id} from {requester} needs {stage} approval: a new social media site.\n{statement}"
)
BUTTON_APPROVE = "Approve"
BUTTON_REJECT = "Reject"
BUTTON_SEND_BACK = "Send back for changes"
BUTTON_FULL_REQUEST = "Full request (Word)"
BUTTON_REVISE = "Edit and resubmit #{id}"
DECIDED_APPROVED = "Approved by {name} at {when}"
DECIDED_REJECTED = "Rejected by {name}: {reason}"
ACTING_FOR = "{name} acting for {absent}"
DECIDED_SENT_BACK = "Sent back for changes by {name}: {note}"
DECIDED_WITHDRAWN = "Withdrawn by {name} at {when}"
REMINDER = (
    "Reminder: request #{id} from {requester} has waited {days} school days for {stage} approval."
)
ESCALATED = (
    "Request #{id} from {requester} has waited {days} school days for {stage} approval, with "
    "{reminders} reminders and no decision. Please follow it up with {deciders}."
)
NOBODY = "nobody yet (no approver is set up for this stage)"

# ---- told to someone deciding ----------------------------------------------------------
NO_SUCH_REQUEST = "I can't find request #{id}."
BAD_DECISION_VALUE = "That approval button is not one I recognise ({value!r})."
NOT_YOURS = "The {stage} stage of request #{id} is not yours to decide: it is for {deciders}."
OWN_REQUEST = "You can't decide on your own request (#{id}); another approver must do it."
AUTHOR_CANNOT_DECIDE = (
    "You are named as the site's author on request #{id}, so you can't decide its {stage} "
    "stage; it waits for another approver."
)
DECIDED_EARLIER = (
    "You already decided the {earlier} stage of request #{id}, and Appendix B needs three "
    "different people: its {stage} stage waits for another approver."
)
CONSOLE_CANNOT_DECIDE = (
    "Request #{id} was made in {platform}, so it can only be decided there, not from the terminal."
)
REASON_TOO_LONG = (
    "That reason is {length} characters long; please shorten it to at most {limit} and "
    "reject again. Nothing was changed."
)
REASON_NEEDED = "Please give a reason for rejecting request #{id}; {requester} will see it."
NOTE_NEEDED = (
    "Please say what should change before request #{id} can be approved; {requester} will "
    "see your note."
)
SENT_BACK_DONE = "Request #{id} is back with {requester} for changes, with your note."
SENT_BACK_ALREADY = "Request #{id} is already back with its requester for changes."
SENT_BACK_TO_REQUESTER = (
    "The {stage} ({name}) sent your request #{id} back for changes: {note}\n"
    "Press Edit and resubmit to change your answers. It keeps its number, and goes back to "
    "the {stage} when you submit it again."
)
SENT_BACK_WAITING = (
    "Request #{id} was sent back for changes by {name} at {when}; it can be decided once "
    "{requester} resubmits it."
)
SENT_BACK_STATUS = "sent back to you for changes"
NOT_SENT_BACK = "Request #{id} is not waiting for your changes, so there is nothing to edit."
NOT_YOURS_TO_REVISE = "Request #{id} is not yours to edit."
REVISING = (
    "Editing request #{id}, sent back by the {stage} ({name}): {note}\n"
    "Change what is needed, then submit it again."
)
RESUBMITTED = "Thank you. Request #{id} is resubmitted and is being sent to the {stage} again."
ALREADY_DECIDED = "Request #{id} was already {decision} at the {stage} stage by {name} at {when}."
NOT_THIS_STAGE = (
    "Request #{id} is not waiting for the {stage} stage; it is {status}. Nothing was changed."
)
FINISHED = "Request #{id} is {status}, so it can no longer be decided. Nothing was changed."
VERDICTS = {True: "approved", False: "rejected"}
PLATFORM_NAMES = {"slack": "Slack", "teams": "Microsoft Teams", "console": "the terminal"}

# ---- told to the requester -------------------------------------------------------------
STAGE_APPROVED = (
    "{name} approved your request #{id} at the {stage} stage. It now goes to the {next} "
    "for approval."
)
STAGE_REJECTED = (
    "Your request #{id} was rejected at the {stage} stage by {name}. Reason: {reason}\n"
    "Please don't create the site. You can start a new request once the concerns are addressed."
)
FULLY_APPROVED = (
    "Your request #{id} is fully approved: you may now create the site. Here is the approved "
    "record; please keep it."
)
PRINCIPAL_CONFIRMED = (
    "You gave final approval to request #{id} from {requester}. The signed Appendix B is "
    "attached for the school's records."
)
WITHDRAWN = "Request #{id} is withdrawn; the approvers will not be asked about it any more."
WITHDRAW_NOT_YOURS = "Only the person who submitted request #{id} can withdraw it."
WITHDRAW_FINISHED = "Request #{id} is {status} and can no longer be withdrawn."

# ---- the Appendix B export -------------------------------------------------------------
EXPORT_TITLE = "Wootton Academy Trust Social Media Site Creation Approval Form"
EXPORT_INTRO = (
    "Use of social media on behalf of Wootton Academy Trust must be approved prior to "
    "setting up sites."
)
EXPORT_META = "Request #{id}, submitted by {name} ({identity}) on {date}; status: {status}."
EXPORT_SIGNED_BY = "{name} ({identity})"
EXPORT_SECTIONS = (
    ("TEAM DETAILS", ("Department", "Name of author of site", "Author's line manager")),
    (
        "PURPOSE OF SETTING UP SOCIAL MEDIA SITE",
        (
            "What are the aims you propose to achieve by setting up this site?",
            "What is the proposed content of the site?",
        ),
    ),
    ("PROPOSED AUDIENCE OF THE SITE", ("Proposed audience of the site",)),
    ("PROPOSED CONTRIBUTORS TO THE SITE", ("Proposed contributors to the site",)),
    (
        "ADMINISTRATION OF THE SITE",
        (
            "Names of administrators",
            "Names of moderators",
            "Who will vet external contributors?",
            "Who will host the site?",
            "Proposed date of going live",
            "Proposed date for site closure",
            "How do you propose to advertise for external contributors?",
            "If contributors include children or adults with learning disabilities how do you "
            "propose to inform and obtain consent of parents or responsible adults?",
            "What security measures will you take to prevent unwanted or unsuitable "
            "individuals from contributing or becoming 'friends' of the site?",
        ),
    ),
)
# Sections shown as Appendix B's tick boxes, and the form answer that ticks them.
EXPORT_TICK_SECTIONS = {
    "PROPOSED AUDIENCE OF THE SITE": "audience",
    "PROPOSED CONTRIBUTORS TO THE SITE": "contributors",
}
EXPORT_TICK_NOTE = "Please tick all that apply."
EXPORT_APPROVAL = "APPROVAL"
EXPORT_APPROVAL_NOTE = (
    "(approval from relevant people must be obtained before the site can be created)"
)
EXPORT_QUESTION = "Question"
EXPORT_ANSWER = "Answer"
EXPORT_NAME = "Name"
EXPORT_DATE = "Date"
EXPORT_DECISION = "Decision"
EXPORT_REJECTED = "Rejected: {reason}"
# The Word document (Appendix B as the office files it).
EXPORT_SIGNATURE = "Name / Signature / Date"
EXPORT_APPROVED_BY = "Approved electronically in {platform} by {name} ({identity}) on {when}"
EXPORT_REJECTED_BY = (
    "Rejected electronically in {platform} by {name} ({identity}) on {when}. Reason: {reason}"
)
EXPORT_NOT_DECIDED = "Not yet decided"
EXPORT_FOOTER = "Request #{id} · Audit reference {reference} · Generated {when}"
EXPORT_TICKED = "\u2612"  # ☒
EXPORT_UNTICKED = "\u2610"  # ☐
EXPORT_FILENAME = "appendix-b-request-{id}.docx"
EXPORT_FILE_TITLE = "Appendix B, request #{id}"
CSV_HEADINGS = (
    "Request",
    "Status",
    "Requested by",
    "Submitted",
    "Department",
    "Aims",
    "Host",
    "Going live",
    "Closure",
    "Administrators",
    "Moderators",
    "Line Manager",
    "Other Senior Manager",
    "Principal",
    "Audit reference",
)

# ---- the command line ------------------------------------------------------------------
CLI_NO_REQUESTS = "No requests yet."
CLI_EXPORT_USAGE = (
    "Give a request number with --format md or docx, or --all with --format csv "
    "(e.g. assistant requests export 12 --format docx; assistant requests export --all "
    "--format csv)."
)
CLI_EXPORT_WROTE = "Wrote {path}"
CLI_LIST_HEADINGS = ("ID", "Requester", "Status", "Created", "Current stage")
CLI_DECISIONS = "Decisions"
CLI_AUDIT = "Audit trail"
CLI_NO_DECISIONS = "No decisions yet."
CLI_FEEDBACK = "Feedback on answers: {helpful} helpful, {not_helpful} not helpful."
CLI_FEEDBACK_CLAUSE = "  {clause}: {helpful} helpful, {not_helpful} not helpful"
CLI_NO_FEEDBACK = "No feedback yet."


def when(moment: datetime) -> str:
    """A moment in UK time as staff read it, e.g. "24 Nov 2026 06:27 GMT", "01 Jul 2026 13:00 BST"."""
    return uk(moment).strftime("%d %b %Y %H:%M %Z")


def day(moment: datetime) -> str:
    """A date in UK time as on the paper form, e.g. "24 Nov 2026"."""
    return uk(moment).strftime("%d %b %Y")
