from celery import shared_task

from . import services


@shared_task(name="documents.revoke_expired_grants")
def revoke_expired_grants() -> int:
    """Beat task (every 5 minutes): delete expired document grants; each revocation is audited. Idempotent."""
    return services.revoke_expired_grants()
