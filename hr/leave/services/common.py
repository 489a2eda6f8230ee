"""What every leave service shares: the status names, settings with defaults, and the one lock order (the
employee's row, then the request's)."""


from django.conf import settings
from django.db.models import Subquery
from django.utils.translation import gettext as _

from hr.org.models import Employee

from ..errors import LeaveError
from ..models import (
    ApprovalStep,
    LeaveRequest,
    LedgerEntry,
)

Status = LeaveRequest.Status
Outcome = ApprovalStep.Outcome
Stage = ApprovalStep.Stage
Kind = LedgerEntry.Kind


def setting(name: str, default):
    return getattr(settings, name, default)


def lock_employee(employee_id: int | Subquery | None, *related: str, user=None) -> Employee:
    """Lock the employee's row (only that row, whatever `related` joins in) and read it afresh; found by `user`'s
    account instead when the caller has not read the employee yet (Employee.DoesNotExist when there is none).
    `employee_id` may be a subquery that selects it (one round trip)."""
    rows = Employee.objects.select_for_update(of=("self",)).select_related(*related)
    return rows.get(pk=employee_id) if user is None else rows.get(user=user)


def lock_request(request_id: int) -> LeaveRequest:
    """Lock the employee's row, then the request's (one lock order for every service). Two round trips: the employee
    is found from the request inside its locking statement, and the request comes with that locked employee (read
    once, with its unit and account) instead of joining the employee's tables again."""
    owner = LeaveRequest.objects.filter(pk=request_id).values("employee_id")[:1]
    try:
        employee = lock_employee(Subquery(owner), "unit", "user")
    except Employee.DoesNotExist:
        raise LeaveError(_("This leave request does not exist.")) from None
    req = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("leave_type", "official_position")
        .get(pk=request_id)
    )
    req.employee = employee
    return req
