"""Home page panel: approvals waiting for me, my balances, my pending requests. A fixed, small number of queries.
An approver with decisions waiting finds the panel first on the dashboard, the waiting decisions at its top."""

from django.db.models import Count, Window
from django.utils import timezone

from hr.org.selectors import employee_for_user

from . import selectors
from .models import LeaveRequest

AWAITING_ORDER = 0  # before every other panel (news is 10)


def panel(request) -> dict | None:
    employee = employee_for_user(request.user)
    if employee is None:
        return None
    today = timezone.localdate()
    pending = list(
        selectors.my_requests(employee).filter(status__in=LeaveRequest.PENDING).order_by("start_date", "pk")[:5]
    )
    # the first five and how many in all, in one query (the count is a window over the unsliced rows)
    awaiting = list(selectors.awaiting_action(request.user, today).annotate(total=Window(Count("pk")))[:5])
    return {
        "template": "leave/dashboard_panel.html",
        "context": {
            "leave_balances": selectors.balances(employee, today.year),
            "leave_pending": pending,
            "leave_awaiting": awaiting,
            "leave_awaiting_count": awaiting[0].total if awaiting else 0,
        },
        "order": AWAITING_ORDER if awaiting else 20,
    }
