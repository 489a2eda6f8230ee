"""The one exception a leave rule raises."""


class LeaveError(Exception):
    """A domain rule refused the action; `message` is translated and shown to the user, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LeaveDenied(LeaveError):
    """The user holds no authority for this act on this request; `reason` names it for the audit trail."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason
