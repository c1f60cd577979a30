"""The one error hierarchy of the assistant.

    AssistantError                 anything the assistant raises on purpose
    ├── ConfigError                settings or the TOML file are wrong (names the key)
    ├── CorpusError                a policy document cannot be read or parsed
    ├── IndexError_                the clause index is missing, corrupt or built otherwise
    ├── InputError                 what a person typed cannot be used (carries a message for them)
    │   └── ValidationError        a form answer breaks a rule (carries the clause behind it)
    ├── WorkflowError              an approval action cannot be carried out
    │   ├── NotFound               no such request / draft
    │   ├── NotAllowed             this person may not do this
    │   ├── AlreadyDecided         the stage was decided already (by whom, when)
    │   ├── AlreadySubmitted       the form's draft was submitted already (a double click)
    │   └── IllegalTransition      the request is not in a state that allows this
    ├── StorageError               the database failed or is not migrated
    └── AnswerTimeout              no answer in the time allowed (the answerer is restarted)

The core raises these; the edges (CLI, adapters) turn them into a friendly sentence for
staff and a log line with the traceback. Staff never see a traceback.
"""

from __future__ import annotations

from assistant.texts.policy import TOO_SLOW


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    def __init__(self, message: str, *, user_message: str | None = None) -> None:
        super().__init__(message)
        self.user_message = user_message or message


class ConfigError(AssistantError):
    """Settings or the configuration file are wrong; the message names the key."""


class CorpusError(AssistantError):
    """A policy document cannot be read or parsed."""


class IndexError_(AssistantError):  # noqa: N801 - the builtin IndexError is a different thing
    """The clause index is missing, corrupt, or was built with another model."""


class InputError(AssistantError):
    """What a person typed cannot be used."""


class ValidationError(InputError):
    """A form answer breaks a rule; ``clause`` names the policy clause behind the rule."""

    def __init__(self, message: str, *, clause: str | None = None) -> None:
        super().__init__(message)
        self.clause = clause


class WorkflowError(AssistantError):
    """An approval action cannot be carried out."""


class NotFound(WorkflowError):
    """No such request or draft."""


class NotAllowed(WorkflowError):
    """This person may not do this."""


class AlreadyDecided(WorkflowError):
    """The stage was decided already."""

    def __init__(self, message: str, *, decided_by: str, decision: str, decided_at: str) -> None:
        super().__init__(message)
        self.decided_by = decided_by
        self.decision = decision
        self.decided_at = decided_at


class AlreadySubmitted(WorkflowError):
    """The draft a submission came from was submitted (and deleted) already."""


class IllegalTransition(WorkflowError):
    """The request is not in a state that allows this action."""


class StorageError(AssistantError):
    """The database failed or is not migrated."""


class AnswerTimeout(AssistantError):
    """No answer came within the time allowed; the answerer is being restarted."""

    def __init__(self, message: str) -> None:
        super().__init__(message, user_message=TOO_SLOW)
