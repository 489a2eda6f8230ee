"""Enqueue Celery work only after the surrounding transaction commits.

Without a broker (the first-run default) CELERY_TASK_ALWAYS_EAGER makes `.delay()` run the task inline, still after
commit, so nothing a user sees depends on a worker being up. If the broker is down, the failure is logged and the
durable record (an outbox row, a pending batch) stays for the periodic sweeper to pick up: nothing is lost.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    def _send():
        try:
            task.delay(*args, **kwargs)
        except Exception:  # broker unreachable: the periodic sweep retries from the durable record
            logger.warning(
                "could not enqueue %s; it stays queued in the database for the next sweep", task.name, exc_info=True
            )

    transaction.on_commit(_send)
