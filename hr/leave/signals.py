"""Drop the cached list of ledger leave types when HR edits one (now and after commit)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from intranet.core.caching import cache_delete

from .models import LeaveType
from .selectors import LEDGER_TYPES_CACHE_KEY


def _forget() -> None:
    cache_delete(LEDGER_TYPES_CACHE_KEY)


@receiver([post_save, post_delete], sender=LeaveType)
def _leave_type_changed(sender, **kwargs):
    _forget()
    transaction.on_commit(_forget)
