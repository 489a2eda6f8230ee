"""Celery tasks of the accounts app (thin wrappers over services)."""

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger("intranet.accounts.ldap")


@shared_task(name="accounts.ldap_sync", ignore_result=True)
def ldap_sync(verify: bool = False) -> dict | None:
    """Periodic directory sync (beat, every LDAP_SYNC_INTERVAL seconds). Idempotent; a no-op when not configured.
    Unchanged entries are skipped by fingerprint; the nightly `verify=True` run re-applies every entry, so a local edit
    of a field the directory owns lasts at most a day."""
    from .ldap.connection import DirectoryMisconfigured, DirectoryUnavailable
    from .ldap.provisioning import SyncAborted
    from .ldap.sync import SyncNotConfigured, run_sync

    if not getattr(settings, "LDAP_ENABLED", False) or not getattr(settings, "LDAP_SYNC_INTERVAL", 0):
        return None
    try:
        return run_sync(verify=verify).as_dict()
    except SyncNotConfigured:
        return None
    except DirectoryMisconfigured as exc:
        logger.error("directory sync skipped: %s (manage.py ldap_check explains)", exc.summary())
        return None
    except DirectoryUnavailable:
        logger.warning("directory sync skipped: the directory is unreachable")
        return None
    except SyncAborted as exc:
        logger.error("directory sync aborted: %s", exc)
        return None
