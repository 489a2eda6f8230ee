"""Append-only audit trail. Each entry is numbered (`seq`, no gaps) and sealed with an HMAC of its content and of the
previous entry's seal, under a key kept outside the database (intranet.audit.keys), so `manage.py audit_verify` can
prove the chain intact or name the first entry that was changed. The seal covers immutable copies of the actor's and
subject's identity (`actor_key`, `subject_key`), never the foreign keys, which deleting a user sets to NULL."""

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def canonical_text(entry) -> str:
    """The sealed text of an entry (a model instance, or a historical one in a migration)."""
    return json.dumps(
        {
            "seq": entry.seq,
            "created_at": entry.created_at.isoformat(),
            "actor": entry.actor_key,
            "actor_repr": entry.actor_repr,
            "acting_for": entry.acting_for,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "subject_employee": entry.subject_key,
            "ip": entry.ip,
            "user_agent": entry.user_agent,
            "outcome": entry.outcome,
            "details": entry.details,
            "prev_hash": entry.prev_hash,
            "key_id": entry.key_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


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
    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    actor_key = models.CharField(max_length=64, blank=True, default="")
    subject_key = models.CharField(max_length=64, blank=True, default="")
    key_id = models.CharField(max_length=16)
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
        return canonical_text(self)

    def compute_hash(self) -> str | None:
        """The entry's seal under the key it names; None when that key is not configured."""
        from .keys import seal

        return seal(self.canonical(), self.key_id)

    def seal_matches(self) -> bool:
        from .keys import matches

        return matches(self.canonical(), self.key_id, self.entry_hash)


class AuditChainHead(models.Model):
    """One row holding the seal and number of the newest entry; locked while appending so the chain stays linear."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_seq = models.PositiveBigIntegerField(default=0)

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
    last_pruned_seq = models.PositiveBigIntegerField(_("newest removed sequence number"), default=0)
    pruned_count = models.PositiveIntegerField(_("entries removed"))
    total_pruned = models.PositiveBigIntegerField(_("entries removed so far"))

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d} {self.pruned_count} → #{self.last_pruned_id}"
