import datetime as dt

from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries_search(*, actor: str = "", action: str = "", object_id: str = "", outcome: str = "",
                         since: dt.date | None = None, until: dt.date | None = None) -> QuerySet[AuditEntry]:
    """Auditors' search over the trail. Only auditors reach this (the view says so); newest first."""
    qs = AuditEntry.objects.all().order_by("-id")
    if actor:
        qs = qs.filter(actor_repr__icontains=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs
