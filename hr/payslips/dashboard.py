"""Home page panel: my latest payslip (period, net, link). One query."""

from . import selectors


def panel(request) -> dict | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    slip = selectors.latest_own_payslip(user)
    if slip is None:
        return None
    return {"template": "payslips/dashboard_panel.html", "context": {"slip": slip}, "order": 30}
