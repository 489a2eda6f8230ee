from django.utils import timezone

from cms.home.pages import localize_pages


def panel(request):
    """Policies waiting for my acknowledgement (not cached: it changes the moment I acknowledge)."""
    from .selectors import pending_for

    pending = list(pending_for(request.user)[:5])
    if not pending:
        return None
    return {
        "template": "policies/dashboard_panel.html",
        "context": {"policies": localize_pages(pending), "today": timezone.localdate()},
        "order": 30,
    }
