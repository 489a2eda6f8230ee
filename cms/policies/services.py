from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Acknowledgement, AcknowledgementRound, PolicyPage


class AcknowledgementError(Exception):
    pass


def acknowledge(*, page: PolicyPage, user, now=None) -> Acknowledgement:
    """Record that `user` has read and understood the live revision of `page` (idempotent per revision)."""
    with transaction.atomic():
        page = PolicyPage.objects.select_for_update().get(pk=page.pk)
        if not page.live or not page.requires_acknowledgement or not page.live_revision_id:
            raise AcknowledgementError(_("This policy does not ask for an acknowledgement."))
        ack, _created = Acknowledgement.objects.get_or_create(
            page=page,
            user=user,
            revision_id=page.live_revision_id,
            defaults={"acknowledged_at": now or timezone.now()},
        )
        from .dashboard import forget_pending

        forget_pending(user)
        transaction.on_commit(lambda: forget_pending(user))
        return ack


def on_published(*, page: PolicyPage, revision) -> AcknowledgementRound | None:
    """Called when a policy revision goes live: the first publication and every revision flagged as a material change
    start a new acknowledgement round. The flag is then cleared so the next edit starts unticked."""
    if revision is None:
        return None
    with transaction.atomic():
        first = not AcknowledgementRound.objects.filter(page=page).exists()
        if not (first or page.material_change):
            return None
        rnd, _created = AcknowledgementRound.objects.get_or_create(
            page=page, revision=revision, defaults={"material_change": page.material_change}
        )
        if page.material_change:
            PolicyPage.objects.filter(pk=page.pk).update(material_change=False)
            page.material_change = False
            if isinstance(revision.content, dict):
                revision.content["material_change"] = False
                type(revision).objects.filter(pk=revision.pk).update(content=revision.content)
        return rnd
