"""Home page panel: recent documents shared with me or added to my personnel file, access requests and verifications
waiting for me. A fixed, small number of queries."""

from hr.org.selectors import employee_for_user
from intranet.core.queries import count_many

from . import selectors


def panel(request) -> dict | None:
    user = request.user
    if not selectors.is_active_staff(user):
        return None
    emp = employee_for_user(user)
    recent = selectors.recent_personnel_documents(user, limit=3) if emp else []
    if selectors.is_hr_officer(user):
        to_decide, to_verify = count_many(selectors.requests_to_decide(user), selectors.pending_verifications(user))
    else:
        to_decide, to_verify = selectors.requests_to_decide(user).count(), 0
    if not (recent or to_decide or to_verify):
        return None
    return {
        "template": "documents/dashboard_panel.html",
        "context": {"documents_recent": recent, "documents_to_decide": to_decide, "documents_to_verify": to_verify},
        "order": 40,
    }
