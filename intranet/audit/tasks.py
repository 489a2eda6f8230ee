from celery import shared_task


@shared_task(name="audit.prune")
def prune() -> int:
    """Daily retention prune (beat); see services.audit_prune."""
    from .services import audit_prune

    return audit_prune().pruned
