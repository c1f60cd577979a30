"""Greetings, help and errors shared by every platform."""

from __future__ import annotations

GREETING = (
    "Hello! I answer questions from the trust's Social Media Policy with the policy's own "
    "words, and I can take you through the Social Media Site Creation Approval Form."
)

HELP = (
    "Ask me a question about the Social Media Policy, for example "
    "\u201cCan I friend a former pupil?\u201d or \u201cWhat does 6.3 say?\u201d. "
    "To request approval for an official school social media site, say "
    "\u201cstart the approval form\u201d. Say \u201cmy requests\u201d to see your requests "
    "and anything waiting for your decision."
)

EMPTY = "I didn't catch a question there. " + HELP
YOU_ARE_WELCOME = "You're welcome. Ask me about the Social Media Policy any time."
GOODBYE = "Bye for now. Ask me about the Social Media Policy any time."

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side and I couldn't finish that. Nothing you "
    "entered has been lost: please try again in a moment."
)

STORAGE_FAILED = (
    "Sorry, I couldn't save that just now: the database did not answer. Nothing you entered "
    "before has been lost: please try again in a moment."
)

FEEDBACK_THANKS = "Thanks for the feedback."
FEEDBACK_UNKNOWN = "I couldn't find that answer any more, so the feedback was not recorded."

SENT_PRIVATELY = (
    "I've replied to you in a direct message, so your details stay out of this channel."
)
FORM_IN_DIRECT_MESSAGES = (
    "Your approval form carries on in our direct messages, not in a channel. "
    "Picking up where you left off:"
)

BACK_TO_FORM = "Back to your approval form:"
FINISH_OTHER_FORM = (
    "You have another approval form in progress: submit or cancel it first, then press Edit "
    "and resubmit again."
)
RESUMING_FORM = "You have an approval form in progress. Picking up where you left off:"
NO_FORM = "You don't have an approval form in progress. Say \u201cstart the approval form\u201d to begin one."
ALREADY_SUBMITTED = (
    "That form was already submitted, so nothing more was sent. Say \u201cstatus\u201d to see "
    "where your requests stand."
)
UNKNOWN_ACTION = "That button is no longer in use. Please try again from a newer message."
# Said where the platform cannot prove who is typing (the Teams trial without sign-in).
UNVERIFIED = (
    "This chat can't prove who you are (a trial without sign-in), so I can answer questions "
    "and go through the form with you, but I can't submit, withdraw, record feedback or decide "
    "anything here. Your form is kept as it is."
)

MY_REQUESTS = "My requests"
NO_REQUESTS = "You have no site requests."
DOWNLOAD_BUTTON = "Download Appendix B #{id}"
DOWNLOAD_SENT = "Here is Appendix B for request #{id} as a Word document."
DOWNLOAD_NOT_YOURS = (
    "Only the person who made request #{id}, those who decided it and those who may decide "
    "it now can download its form."
)
WAITING_FOR_ME = "Waiting for my decision"
NOTHING_WAITING = "Nothing is waiting for your decision."
