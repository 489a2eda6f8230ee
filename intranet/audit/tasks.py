from celery import shared_task


@shared_task(name="audit.prune")
def prune() -> int:
    """Daily retention prune (beat); see services.audit_prune."""
    from .services import audit_prune

    return audit_prune().pruned


@shared_task(name="audit.checkpoint")
def checkpoint() -> int:
    """Periodic external anchor of the chain's head (beat, AUDIT_CHECKPOINT_INTERVAL); see anchor.write_anchor."""
    from .anchor import write_anchor

    return write_anchor()["seq"]
