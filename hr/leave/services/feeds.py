"""The private iCal feed token of a user."""


from django.db import transaction

from ..models import (
    CalendarFeedToken,
)


def feed_token_rotate(*, user) -> CalendarFeedToken:
    """Create or replace (revoke the old) the user's private iCal feed token."""
    import uuid

    with transaction.atomic():
        token, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
        if not created:
            token.token = uuid.uuid4()
            token.save(update_fields=["token"])
    return token


def feed_token_revoke(*, user) -> None:
    CalendarFeedToken.objects.filter(user=user).delete()
