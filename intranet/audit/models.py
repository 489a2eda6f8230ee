"""Append-only audit trail. Each entry carries a hash of its content chained to the previous entry's hash, so
`manage.py audit_verify` can prove the chain intact or name the first entry that was changed."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        DENIED = "denied", _("denied")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor"), max_length=150, blank=True, default="")
    acting_for = models.CharField(_("acting for"), max_length=255, blank=True, default="")
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="", db_index=True)
    subject_employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("subject employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True, default="")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["subject_employee", "-created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_repr} {self.action} {self.object_type}:{self.object_id}"
        )

    def canonical(self) -> str:
        return json.dumps(
            {
                "created_at": self.created_at.isoformat(),
                "actor": self.actor_id,
                "actor_repr": self.actor_repr,
                "acting_for": self.acting_for,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "subject_employee": self.subject_employee_id,
                "ip": self.ip,
                "user_agent": self.user_agent,
                "outcome": self.outcome,
                "details": self.details,
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()


class AuditChainHead(models.Model):
    """One row holding the hash of the newest entry; locked while appending so the chain stays linear."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return self.last_hash


class AuditCheckpoint(models.Model):
    """Written by each retention prune (`manage.py audit_prune`): the hash of the newest removed entry, so
    verification of what remains starts from it instead of the genesis hash. The prune is itself an audit entry in the
    chain carrying the same figures; `audit_verify` checks that the newest checkpoint agrees with it, so moving the
    anchor to hide a deletion shows."""

    created_at = models.DateTimeField(_("time"))
    cutoff = models.DateTimeField(_("entries before"))
    last_pruned_id = models.BigIntegerField(_("newest removed entry"))
    last_pruned_hash = models.CharField(max_length=64)
    pruned_count = models.PositiveIntegerField(_("entries removed"))
    total_pruned = models.PositiveBigIntegerField(_("entries removed so far"))

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d} {self.pruned_count} → #{self.last_pruned_id}"
