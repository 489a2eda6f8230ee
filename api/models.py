"""Interoperability API: the clients other agency systems use (hashed bearer tokens with endpoint, field and unit
scope, an expiry and a rate limit) and the webhook outbox (subscriptions, events, signed deliveries retried with
back-off)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hr.org.models import OrgUnit


class Endpoint(models.TextChoices):
    """What a client may call. Each API route belongs to exactly one of these."""

    UNITS = "units", _("Organisation units")
    EMPLOYEES = "employees", _("Employees (work fields)")
    LEAVE = "leave", _("Approved leave")
    HOLIDAYS = "holidays", _("Holiday calendar")
    WEBHOOKS = "webhooks", _("Webhook subscriptions")
    EXPORTS = "exports", _("Leave exports (CSV/XLSX)")


class RestrictedField(models.TextChoices):
    """Fields returned only to clients granted them (personal data under UU 27/2022)."""

    NIP = "nip", _("NIP")


class WebhookEventName(models.TextChoices):
    LEAVE_APPROVED = "leave.approved", _("Leave approved")
    LEAVE_CANCELLED = "leave.cancelled", _("Leave cancelled")


class ApiClient(models.Model):
    """Another agency system. Its token is stored only as a SHA-256 hash; the token itself is shown once."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    contact_email = models.EmailField(_("technical contact e-mail"), blank=True, default="")
    token_prefix = models.CharField(_("token prefix"), max_length=16, editable=False, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    endpoints = models.JSONField(
        _("allowed endpoints"), default=list, blank=True, help_text=_("Keys of the endpoints this client may call.")
    )
    fields = models.JSONField(
        _("granted restricted fields"), default=list, blank=True, help_text=_('e.g. ["nip"]; empty: work fields only.')
    )
    units = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("unit scope (with sub-units)"),
        related_name="+",
        blank=True,
        help_text=_("The client sees only these units and everything below them. None: it sees nothing."),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=60)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def allows(self, endpoint: str) -> bool:
        return endpoint in (self.endpoints or [])

    def has_field(self, field: str) -> bool:
        return field in (self.fields or [])


class WebhookSubscription(models.Model):
    """A client's receiver URL for some events. The secret signs every delivery (HMAC-SHA256) and is shown once."""

    client = models.ForeignKey(ApiClient, verbose_name=_("client"), on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("receiver URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=128, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["client__name", "pk"]

    def __str__(self):
        return f"{self.client} → {self.url}"


class WebhookEvent(models.Model):
    """Something that happened, once. Its id is the idempotency key receivers de-duplicate on."""

    event_id = models.UUIDField(_("event id"), unique=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("event"), max_length=40, choices=WebhookEventName.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), null=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} {self.event_id}"


class WebhookDelivery(models.Model):
    """The outbox: one row per (event, subscription), retried with exponential back-off until delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    event = models.ForeignKey(
        WebhookEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="api_delivery_once_per_subscription")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.subscription_id} ({self.status})"
