"""Ending users' sessions at once (directory deactivation), with the database or the cache session engine.

- Database-backed engines (db, cached_db, Serambi's `intranet.security.session_store`: any built on Django's db
  engine): the live sessions are decoded and those of the users are deleted, so even sessions created before any
  tracking existed are ended.
- Every engine: the per-user session index kept by `intranet.security` (its `UserSession`, recorded at login) gives the
  keys to delete through the configured engine's SessionStore (cache, file, ...).

Signed-cookie sessions cannot be revoked server-side; an inactive user is still refused on the next request because
the auth backends' `get_user` returns no inactive user.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone

SESSION_INDEX = ("security", "UserSession")  # app label, model: the login-time session index


def _index_model():
    try:
        return apps.get_model(*SESSION_INDEX)
    except LookupError:
        return None


def end_sessions(user_ids: Iterable[int]) -> int:
    """Delete every session of these users from the session store. Returns how many sessions were ended."""
    ids = {int(i) for i in user_ids}
    if not ids:
        return 0
    engine = import_module(settings.SESSION_ENGINE)
    keys: set[str] = set()
    index = _index_model()
    if index is not None:
        keys |= set(index.objects.filter(user_id__in=ids).values_list("session_key", flat=True))
    if issubclass(engine.SessionStore, DBStore):  # db, cached_db and engines built on them
        from django.contrib.sessions.models import Session

        wanted = {str(i) for i in ids}
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
            if str(session.get_decoded().get(SESSION_KEY)) in wanted:
                keys.add(session.session_key)
    for key in keys:
        engine.SessionStore(session_key=key).delete()
    if index is not None:
        index.objects.filter(user_id__in=ids).delete()
    return len(keys)
