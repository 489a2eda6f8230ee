"""Ending a user's sessions at once (deactivation), with any server-side session engine.

Session keys are recorded at login (`UserSession`); ending sessions deletes each recorded key through the configured
engine's SessionStore (database, cache, cached_db, file). With a database-backed engine, sessions that were never
recorded (e.g. created before this feature) are found by decoding the live sessions too. Signed-cookie sessions cannot
be revoked server-side; an inactive user is still refused on the next request because the auth backends' `get_user`
returns no inactive user.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from .models import UserSession

DB_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def record_session(*, user, session_key: str | None) -> None:
    if session_key and user is not None and user.pk:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def forget_session(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def end_sessions(user_ids: Iterable[int]) -> int:
    """Delete every session of these users from the session store. Returns how many sessions were ended."""
    ids = {int(i) for i in user_ids}
    if not ids:
        return 0
    engine = import_module(settings.SESSION_ENGINE)
    keys = set(UserSession.objects.filter(user_id__in=ids).values_list("session_key", flat=True))
    if settings.SESSION_ENGINE in DB_ENGINES:
        from django.contrib.sessions.models import Session

        wanted = {str(i) for i in ids}
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
            if str(session.get_decoded().get(SESSION_KEY)) in wanted:
                keys.add(session.session_key)
    for key in keys:
        engine.SessionStore(session_key=key).delete()
    UserSession.objects.filter(user_id__in=ids).delete()
    return len(keys)
