"""Loaded only by the worker that test_faults.py starts (`celery worker --include ...`): a test-only hook that holds
the first attempt of the leave-letter task in the middle of its transaction, after the letter row and its number
exist and before the PDF is rendered, so the test can SIGKILL the worker there. Later attempts run normally.

The hook does not replace any code path: the task, the service and the database are the real ones."""

import os
import time
from pathlib import Path

from django.db.models.signals import post_save

MARKER = os.environ.get("SERAMBI_TEST_HOLD_MARKER", "")


def _hold_first_attempt(sender, instance, created, **kwargs):
    if not MARKER or not created:
        return
    marker = Path(MARKER)
    if marker.exists():
        return  # the retry: let it finish
    marker.write_text(f"{os.getpid()} letter {instance.number}\n")
    time.sleep(120)  # the test kills us long before this ends


def _connect():
    from hr.leave.models import LeaveLetter

    post_save.connect(_hold_first_attempt, sender=LeaveLetter, dispatch_uid="serambi-test-hold-letter")


_connect()
