"""One record per official document Serambi issues (leave letter, leave form, payslip PDF, training certificate).

The record is written in the same transaction as the event that requires the document, before anything is rendered:
what must exist is known even when the broker is down or the first rendering fails, and the sweep renders it later.
The verification code is made when the file is signed and only its SHA-256 is kept: the database alone cannot be used
to verify, or to list, documents.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedDocument(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed, retrying")
        SUPERSEDED = "superseded", _("superseded")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("document type"), max_length=40)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    # The source object (a leave request, a payslip, an enrolment); its app registered the kind's renderer.
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=64)
    source = GenericForeignKey("source_type", "source_id")
    # The holder, as at issue: the verification page shows this, whatever later happens to the account.
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_nip = models.CharField(_("NIP"), max_length=30, blank=True)
    # The issuer: the unit that answers for the document, and the person who signs on its behalf.
    issuer_unit = models.CharField(_("issuer unit"), max_length=255)
    signer_name = models.CharField(max_length=200, blank=True)
    signer_nip = models.CharField(max_length=30, blank=True)
    signer_title = models.CharField(max_length=255, blank=True)
    # Rendering
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The issued file (in private storage, also recorded in core.StoredFile)
    code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # The document this one replaces (a correction, a re-issue); the old one is reached as `superseded_by` from it.
    # Kept on the new record so that a correction of thousands is written with the inserts, not row by row.
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    ended_at = models.DateTimeField(null=True, blank=True)  # superseded or cancelled at

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["source_type", "source_id", "kind"]),
        ]
        constraints = [
            # At most one live document per source and kind: a re-issue supersedes the live one first.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "kind"],
                condition=models.Q(state__in=["pending", "ready", "failed"]),
                name="issued_one_live_document",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.source_id} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in (self.State.PENDING, self.State.READY, self.State.FAILED)
