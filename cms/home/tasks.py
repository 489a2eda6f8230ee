from celery import shared_task


@shared_task(name="cms.review_reminders")
def review_reminders() -> int:
    from .services import send_review_reminders

    return send_review_reminders()
