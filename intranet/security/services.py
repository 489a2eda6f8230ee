from importlib import import_module

from django.conf import settings
from django.db import transaction

from intranet.audit.services import audit_record

from .client_address import client_address
from .models import UserSession


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_track(*, user, request) -> None:
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    row = UserSession(
        session_key=key,
        user=user,
        ip=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:255],
    )
    # one INSERT … ON CONFLICT (the key is new at every login) instead of update_or_create's six statements
    UserSession.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["session_key"], update_fields=["user", "ip", "user_agent"]
    )


def sessions_end(*, user, keep_session_key: str | None = None, request=None, reason: str = "") -> int:
    """End the user's sessions (all, or all but one) in whatever session engine is configured. Returns how many."""
    store = _store()
    with transaction.atomic():
        rows = list(UserSession.objects.select_for_update().filter(user=user).exclude(session_key=keep_session_key or ""))
        for row in rows:
            store(session_key=row.session_key).delete()
        UserSession.objects.filter(pk__in=[r.pk for r in rows]).delete()
        if rows:
            audit_record(action="session.ended", request=request, obj=user, details={"count": len(rows), "reason": reason})
    return len(rows)
