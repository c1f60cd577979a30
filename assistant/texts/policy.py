"""Sentences of policy answers and refusals (reviewed by the school)."""

from __future__ import annotations

ANSWER_LEAD = "Here is what the policy says:"
ANSWER_LEAD_NAMED = "Here is clause {clause_id} of the policy:"
ANSWER_LEAD_NAMED_MANY = "Here are clauses {clause_ids} of the policy:"

REFUSAL = (
    "The {title} doesn't cover that, so I can't answer it from the policy. "
    "Please ask {contact}{clause_note}."
)
REFUSAL_CLAUSE_NOTE = " (clause {clause_id} says questions about the policy go to them)"
REFUSAL_COPYRIGHT = (
    "The {title} doesn't answer that exactly. Questions about copyright or trademarks go to "
    "the Finance Director, who checks with the trust's legal advisers (clause {clause_id})."
)
REFUSAL_UNKNOWN_CLAUSE = (
    "The {title} has no clause {clause_id}. Ask me about a topic, or name a clause such as "
    "6.3 or A.5.7."
)

# A follow-up read with the person's earlier question in the same conversation.
READ_WITH_EARLIER = "Reading this with your earlier question, \u201c{earlier}\u201d:"
NEW_QUESTION_READY = (
    "Fine, a new question: I'll read your next message on its own. What would you like to ask?"
)

CONTEXT = "From the {title}, last reviewed {reviewed}."
CONTEXT_UNDATED = "From the {title}."
CLAUSE_HEADING = "Clause {clause_id} \u00b7 {section}"

EMPTY_QUESTION = (
    "I didn't catch a question there. Ask me something about the Social Media Policy, for "
    "example \u201cCan I friend a former pupil?\u201d or \u201cWhat does 6.3 say?\u201d."
)
NO_WORDS = (
    "I couldn't find any words to look up in that. Please ask your question in a sentence, "
    "for example \u201cCan I post photos of a school trip?\u201d."
)
TOO_LITTLE = (
    "I need a little more to go on. Ask me a question about the {title} in a few words, for "
    "example \u201cCan I friend a former pupil?\u201d or \u201cWhat does 6.3 say?\u201d."
)
TOO_LONG = (
    "That question is too long for me ({length:,} characters; the limit is {limit:,}). "
    "Please ask it in a sentence or two."
)
NOT_READY = (
    "The policy index isn't ready yet, so I can't answer policy questions just now. "
    "Please try again in a few minutes."
)
TOO_SLOW = "That question took too long to answer; please try again in a moment."

# Words that stand for the contact when the policy names a role.
COPYRIGHT_CONTACT = "the Finance Director"
COPYRIGHT_CLAUSE = "10.3(d)"
# A refusal over several documents, when the next nearest document has another contact.
REFUSAL_ALSO = "For the {title}, ask {contact}."
# After the lead of a reply quoting two documents or more, one for each document.
FROM_DOCUMENT = "{clause_ids} from the {title}"
