"""The one exception a leave rule raises."""


class LeaveError(Exception):
    """A domain rule refused the action; `message` is translated and shown to the user, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
