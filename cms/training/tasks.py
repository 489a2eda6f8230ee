from celery import shared_task


@shared_task(name="training.send_reminders")
def send_reminders() -> int:
    from .services import send_reminders as run

    return run()
