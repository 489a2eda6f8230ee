"""Celery tasks: thin wrappers over services, taking primary keys."""

from celery import shared_task

from . import services


@shared_task(name="issued.render_document", acks_late=True)
def render_document(doc_id: int) -> str:
    doc = services.render(doc_id)
    return doc.state if doc else ""


@shared_task(name="issued.sweep")
def sweep() -> int:
    """Beat: queue again every document still pending (broker was down) or failed (disk full) whose time has come."""
    ids = services.sweep()
    for doc_id in ids:
        render_document.delay(doc_id)
    return len(ids)
