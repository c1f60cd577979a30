"""Every sentence the site-approval form (Appendix B) says to staff."""

from __future__ import annotations

SCHOOL = "Wootton Academy Trust"
FORM_TITLE = "Social Media Site Creation Approval Form (Appendix B)"

# ---- opening -----------------------------------------------------------------------------

OPENING = (
    "Let's fill in the " + FORM_TITLE + " together, one question at a time.\n"
    "The policy requires it before any site is created:\n"
    '• 8.1: speaking for the Trust on social media, "you must still seek approval via the '
    'social media site creation Approval form".\n'
    '• A.3.2: approval for work sites "must be obtained from the Principal or other '
    'nominated senior staff member".\n'
    '• A.3.6: "Staff must complete the Social Media Site Creation Approval Form (Appendix B) '
    '... before site creation."\n'
    "Nothing is sent until you review your answers and press Submit."
)
OPENING_CONTEXT = "You can say back, skip, edit <question>, help or cancel at any time."

# Short verbatim quotes shown as citations with the opening.
OPENING_QUOTES: tuple[tuple[str, str, str], ...] = (
    (
        "8.1",
        "8. Business use of social media",
        "If your duties require you to speak on behalf of Wootton Academy Trust in a social "
        "media environment, you must still seek approval via the social media site creation "
        "Approval form (Appendix A).",
    ),
    (
        "A.3.2",
        "A.3 Approval for creation of or participation in webspace",
        "Approval for creation of sites for work purposes, whether hosted by the school or "
        "hosted by a third party such as a social networking site, must be obtained from the "
        "Principal or other nominated senior staff member.",
    ),
    (
        "A.3.6",
        "A.3 Approval for creation of or participation in webspace",
        "Staff must complete the Social Media Site Creation Approval Form (Appendix B) and "
        "forward it to the school's Principal or other nominated Senior Manager (i.e. Deputy "
        "Head or Finance Director) before site creation.",
    ),
)
POLICY_DOCUMENT = "Wootton Academy Trust Social Media Policy"

# ---- sections and questions (question, hint) ----------------------------------------------

SECTIONS = {
    "team": "Team details",
    "purpose": "Purpose of setting up the site",
    "audience": "Proposed audience of the site",
    "contributors": "Proposed contributors to the site",
    "administration": "Administration of the site",
}

QUESTIONS: dict[str, tuple[str, str]] = {
    "department": (
        "Which department or team will run the site?",
        "For example: PE department, Music, Year 9 pastoral team.",
    ),
    "author": (
        "What is the name of the author of the site?",
        'Usually you: say "me", type a name or mention the person.',
    ),
    "line_manager": (
        "Who is the author's line manager?",
        "One person: type their name or mention them.",
    ),
    "aims": (
        "What are the aims you propose to achieve by setting up this site?",
        'A sentence or two on why, e.g. "Share fixtures and results with families and '
        "celebrate pupils' achievements.\"",
    ),
    "content": (
        "What is the proposed content of the site?",
        'What will be posted, e.g. "Fixture lists, match reports, photos without names."',
    ),
    "audience": (
        "Who is the proposed audience of the site? Tick all that apply.",
        'Choose the options, or type e.g. "staff and parents" or numbers like "1,3".',
    ),
    "audience_age_range": (
        "What is the age range of the pupils in the audience?",
        'Ages like "11-16" or "11 to 16", or year groups like "Year 7-11".',
    ),
    "audience_schools": (
        "Which other schools' pupils are in the audience?",
        'Names of the schools, e.g. "Ashby Primary, Hillside Academy".',
    ),
    "audience_others": (
        "Who else is in the audience?",
        'Describe them, e.g. "local sports club coaches".',
    ),
    "contributors": (
        "Who will contribute to the site (post, comment or upload)? Tick all that apply.",
        'Choose the options, or type e.g. "pupils, staff" or numbers like "1,2".',
    ),
    "contributors_age_range": (
        "What is the age range of the pupils who will contribute?",
        'Ages like "11-16" or "11 to 16", or year groups like "Year 7-11".',
    ),
    "contributors_schools": (
        "Which other schools' pupils will contribute?",
        'Names of the schools, e.g. "Ashby Primary, Hillside Academy".',
    ),
    "contributors_others": (
        "Who else will contribute?",
        'Describe them, e.g. "visiting authors".',
    ),
    "administrators": (
        "Who will be the site's administrators? The site needs at least 2.",
        'Two or more people: names separated by commas or "and", or mention them.',
    ),
    "moderators": (
        "Who will be the site's moderators? The site needs at least 2.",
        'Two or more people: names separated by commas or "and", or mention them.',
    ),
    "vetting": (
        "Who will vet external contributors?",
        'A name or role, e.g. "Head of PE checks every request".',
    ),
    "host": (
        "Who will host the site?",
        "The school, or a third party such as Facebook or Instagram.",
    ),
    "host_name": (
        "Which third party will host the site?",
        "The host's name, e.g. Facebook, Instagram, WordPress.com.",
    ),
    "go_live": (
        "What is the proposed date of going live?",
        "A date such as 1/9/2026 or 1 September 2026 (day first).",
    ),
    "closure": (
        "What is the proposed date for site closure?",
        "A date after going live, such as 31/7/2027. The policy asks for an exit plan (A.1.6).",
    ),
    "advertising": (
        "How do you propose to advertise for external contributors?",
        'E.g. "a letter home and a post on the school website". Advertising on social media '
        "needs approval (A.5.8).",
    ),
    "consent": (
        "Contributors include children: how will you inform and obtain consent of parents or "
        "responsible adults?",
        'E.g. "consent form sent home; only pupils with a returned form can post".',
    ),
    "security": (
        "What security measures will you take to prevent unwanted or unsuitable individuals "
        "from contributing or becoming 'friends' of the site?",
        'E.g. "private group, join requests approved by two moderators, comments held for review".',
    ),
}

CURRENT_ANSWER = "Current answer: {value}"
OPTIONAL_NOTE = "(optional: say skip to leave it blank)"

# ---- choice labels -----------------------------------------------------------------------

PARTY_OPTIONS: dict[str, str] = {
    "pupils": f"Pupils of {SCHOOL}",
    "staff": f"{SCHOOL} staff",
    "families": "Pupils' family members",
    "other_schools": "Pupils from other schools",
    "external_orgs": "External organisations",
    "public": "Members of the public",
    "others": "Others",
}
HOST_OPTIONS: dict[str, str] = {
    "school": SCHOOL,
    "third_party": "Third party",
}

# ---- summary labels (Appendix B's wording and order) --------------------------------------

LABELS: dict[str, str] = {
    "department": "Department",
    "author": "Name of author of site",
    "line_manager": "Author's line manager",
    "aims": "What are the aims you propose to achieve by setting up this site?",
    "content": "What is the proposed content of the site?",
    "audience": "Proposed audience of the site",
    "contributors": "Proposed contributors to the site",
    "administrators": "Names of administrators",
    "moderators": "Names of moderators",
    "vetting": "Who will vet external contributors?",
    "host": "Who will host the site?",
    "go_live": "Proposed date of going live",
    "closure": "Proposed date for site closure",
    "advertising": "How do you propose to advertise for external contributors?",
    "consent": (
        "If contributors include children or adults with learning disabilities how do you "
        "propose to inform and obtain consent of parents or responsible adults?"
    ),
    "security": (
        "What security measures will you take to prevent unwanted or unsuitable individuals "
        "from contributing or becoming 'friends' of the site?"
    ),
}
# Short names used in "edit <name>" lists and buttons.
SHORT_NAMES: dict[str, str] = {
    "department": "department",
    "author": "author",
    "line_manager": "line manager",
    "aims": "aims",
    "content": "content",
    "audience": "audience",
    "audience_age_range": "audience age range",
    "audience_schools": "audience schools",
    "audience_others": "audience others",
    "contributors": "contributors",
    "contributors_age_range": "contributor age range",
    "contributors_schools": "contributor schools",
    "contributors_others": "contributor others",
    "administrators": "administrators",
    "moderators": "moderators",
    "vetting": "vetting",
    "host": "host",
    "host_name": "host name",
    "go_live": "go-live date",
    "closure": "closure date",
    "advertising": "advertising",
    "consent": "consent",
    "security": "security",
}
AGE_RANGE_VALUE = "ages {low}-{high}"
SCHOOLS_VALUE = "schools: {schools}"
OTHERS_VALUE = "details: {details}"
THIRD_PARTY_VALUE = "Third party: {name}"
NOT_GIVEN = "Not given"
NOT_APPLICABLE = "Not applicable"
UNNAMED_PERSON = "(mentioned person)"

# ---- buttons -----------------------------------------------------------------------------

BUTTON_BACK = "Back"
BUTTON_SKIP = "Skip"
BUTTON_CANCEL = "Cancel"
BUTTON_SUBMIT = "Submit for approval"
BUTTON_EDIT = "Edit an answer"

# ---- review, submit, cancel --------------------------------------------------------------

REVIEW = (
    "Here are your answers. Press Submit to send the form for approval (line manager, "
    "then a senior manager, then the Principal), or edit any answer first."
)
REVIEW_CONTEXT = 'Say "edit moderators" (or any question\'s name) to change an answer.'
REVIEW_UNCLEAR = 'Please press Submit, say "edit <question>" to change an answer, or cancel.'
CANCELLED = "Form cancelled. Your answers were discarded and nothing was sent."
FINISHED = 'This form is already {state}. Say "start the approval form" to begin a new one.'
FINISHED_STATES = {"submitted": "submitted", "cancelled": "cancelled"}
SUBMIT_NOT_YET = "You can submit once every question is answered; let's carry on."
ANSWER_SAVED_REVIEW = "Updated."

# ---- commands ----------------------------------------------------------------------------

BACK_AT_START = "This is the first question, there is nothing to go back to."
SKIP_REQUIRED = '"{name}" is required, so it cannot be skipped.'
SKIP_REQUIRED_CLAUSE = '"{name}" is required here, so it cannot be skipped: {reason}'
EDIT_WHICH = 'Which answer would you like to change? Say e.g. "edit moderators". Answers: {names}.'
EDIT_UNKNOWN = 'I don\'t know a question called "{name}". Answers you can change: {names}.'
EDIT_NOT_YET = "You haven't reached \"{name}\" yet; we'll get there."
EDIT_NOT_APPLICABLE = '"{name}" does not apply with your current answers.'
HELP = (
    "Answer in your own words. Commands: back (previous question), skip (optional questions "
    "only), edit <question> (change an earlier answer), cancel (discard the form)."
)

CLAUSE_FOOTER = "Policy clause {clause}"
STALE_BUTTON = "That button belongs to another question. Here is the current one again."
CLOSURE_CLEARED = (
    "Your closure date {closure} is no longer after the new go-live date, so please give it again."
)

# ---- validation --------------------------------------------------------------------------

EMPTY = "Please give an answer: this question is required."
TOO_LONG = "That answer is {length} characters long; please keep it under {limit} characters."
CHOICE_UNKNOWN = "I didn't recognise {words}. Please choose from: {options}."
CHOICE_NONE = "Please choose at least one option: {options}."
CHOICE_SINGLE = "Please choose one option: {options}."
CHOICE_NUMBER = "There is no option {number}. Please choose from: {options}."
PEOPLE_NONE = "Please give a name, or mention the person."
PEOPLE_ONE = "Please give just one line manager (you gave {count})."
PEOPLE_ONE_AUTHOR = "Please give just one author (you gave {count})."
PEOPLE_TWO = (
    'The site needs at least two different {role}; you gave {count}. Policy A.5.4: "The team '
    'must designate at least two approved Administrators" and have "enough approved '
    'moderators to provide cover during leave and absences".'
)
DATE_UNREADABLE = (
    'I couldn\'t read "{text}" as a date. Please write it day first, e.g. 25/12/2026, '
    "25 December 2026 or 2026-12-25."
)
DATE_IMPOSSIBLE = "{text} is not a real date (there is no day {day} in {month}). Please check it."
DATE_PAST = (
    "The go-live date {date} is in the past (today is {today}). Policy A.3.6: the form must be "
    'forwarded for approval "before site creation", so please give today or a later date.'
)
DATE_CLOSURE_ORDER = (
    'The closure date {closure} must be after the go-live date {go_live}. Policy A.1.6: "There '
    "must be a careful exit strategy and a clear plan from the outset about how long the site "
    'will last."'
)
DATE_TOO_FAR = "{date} is more than {years} years away; please check the year."
AGE_UNREADABLE = (
    'I couldn\'t read "{text}" as an age range. Please write ages like 11-16 or year groups '
    "like Year 7-11."
)
AGE_BOUNDS = "Ages must be between {low} and {high}; you gave {given}."
AGE_ORDER = "The lowest age ({low}) must not be above the highest ({high})."
HOST_NAME_REQUIRED = "Please name the third-party host, e.g. Facebook or Instagram."
CONSENT_REASON = (
    "contributors include children, and Appendix B asks how parents or responsible adults "
    "will be informed and give consent."
)
VETTING_REASON = (
    "external contributors are proposed, and A.2.6 requires that \"contributors or 'friends' "
    'to the site are vetted".'
)
ADVERTISING_REASON = (
    'external contributors are proposed, and A.5.8 requires approval of "Any proposal to use '
    'social media to advertise for contributors".'
)

# ---- warnings (do not block) -------------------------------------------------------------

WARNINGS: dict[str, str] = {
    "A.2.5": (
        "Please note A.2.5: sites on third-party hosts must \"comply with the site owner's "
        'minimum age requirements (this is often set at 13 years)", and the audience includes '
        "pupils under 13. Check the host's rules and how you will stop under-age access."
    ),
    "A.5.2": (
        'Please note A.5.2: "Sites created for and contributed to by pupils must have the '
        "strongest privacy settings to prevent breaches of confidentiality. Pupils and other "
        'participants in sites must not be able to be identified."'
    ),
}

# ---- the whole form at once (a dialog) ------------------------------------------------------

BUTTON_WHOLE_FORM = "Fill in the whole form"
WHOLE_FORM_NOT_HERE = (
    "Filling in the whole form at once needs a dialog, which this chat does not have. "
    "Let's carry on one question at a time."
)
WHOLE_FORM_ERRORS = "Please correct {count} of your answers:"
WHOLE_FORM_REQUIRED_CLAUSE = '"{name}" is required here: {reason}'
# When a follow-up field (or one required only sometimes) must be filled in.
WHOLE_FORM_WHEN: dict[str, str] = {
    "audience_age_range": f"Needed if the audience includes {PARTY_OPTIONS['pupils']}.",
    "audience_schools": f"Needed if the audience includes {PARTY_OPTIONS['other_schools']}.",
    "audience_others": f"Needed if the audience includes {PARTY_OPTIONS['others']}.",
    "contributors_age_range": f"Needed if contributors include {PARTY_OPTIONS['pupils']}.",
    "contributors_schools": f"Needed if contributors include {PARTY_OPTIONS['other_schools']}.",
    "contributors_others": f"Needed if contributors include {PARTY_OPTIONS['others']}.",
    "vetting": "Needed if anyone other than the school's pupils and staff will contribute.",
    "host_name": "Needed if a third party hosts the site.",
    "advertising": "Needed if anyone other than the school's pupils and staff will contribute.",
    "consent": "Needed if contributors include children or adults with learning disabilities.",
}
WHOLE_FORM_FOLLOW_UP_REQUIRED: dict[str, str] = {
    "audience_age_range": "You ticked pupils of the school: please give their age range.",
    "audience_schools": "You ticked pupils from other schools: please name the schools.",
    "audience_others": "You ticked others: please say who they are.",
    "contributors_age_range": "You ticked pupils of the school: please give their age range.",
    "contributors_schools": "You ticked pupils from other schools: please name the schools.",
    "contributors_others": "You ticked others: please say who they are.",
    "host_name": HOST_NAME_REQUIRED,
}
