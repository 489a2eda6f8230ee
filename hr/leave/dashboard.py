"""Home page panel: my balances, my pending requests, approvals waiting for me. A fixed, small number of queries."""

from django.utils import timezone

from hr.org.selectors import employee_for_user

from . import selectors
from .models import LeaveRequest


def panel(request) -> dict | None:
    employee = employee_for_user(request.user)
    if employee is None:
        return None
    today = timezone.localdate()
    pending = list(
        selectors.my_requests(employee).filter(status__in=LeaveRequest.PENDING).order_by("start_date", "pk")[:5]
    )
    awaiting = selectors.awaiting_action(request.user, today)
    return {
        "template": "leave/dashboard_panel.html",
        "context": {
            "leave_balances": selectors.balances(employee, today.year),
            "leave_pending": pending,
            "leave_awaiting": list(awaiting[:5]),
            "leave_awaiting_count": awaiting.count(),
        },
        "order": 20,
    }
