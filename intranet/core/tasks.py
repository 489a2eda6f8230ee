from celery import shared_task
from django.core.management import call_command


@shared_task(name="core.publish_scheduled")
def publish_scheduled() -> None:
    """Run Wagtail's scheduler: publish and unpublish pages whose go-live / expiry time has come."""
    call_command("publish_scheduled", verbosity=0)
