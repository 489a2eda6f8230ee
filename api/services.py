"""Writes for the interoperability API: client credentials (tokens shown once, stored as SHA-256), webhook
subscriptions, events and their signed deliveries (the outbox), retried with exponential back-off."""

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.models import OrgUnit
from intranet.audit.services import audit_record
from intranet.core.background import enqueue

from . import egress
from .models import (
    ApiClient,
    Endpoint,
    RestrictedField,
    WebhookDelivery,
    WebhookEvent,
    WebhookEventName,
    WebhookSubscription,
)

logger = logging.getLogger("serambi.api")

TOKEN_PREFIX = "srb_"  # noqa: S105 (a marker, not a secret)
EVENT_NAMESPACE = uuid.UUID("6f1b7a52-0d0c-4d4e-9a39-3b0b1c5e2f10")  # uuid5 namespace for deterministic event ids


class ApiClientError(Exception):
    """A domain error with a translated message."""


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- tokens and clients ----------------------------------------------------------------------------------------------
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_generate() -> str:
    """256 bits of randomness; the prefix makes leaked tokens easy to recognise by secret scanners."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _validate_scope(endpoints, fields) -> None:
    unknown = set(endpoints) - set(Endpoint.values)
    if unknown:
        raise ApiClientError(_("Unknown endpoints: %(names)s") % {"names": ", ".join(sorted(unknown))})
    unknown = set(fields) - set(RestrictedField.values)
    if unknown:
        raise ApiClientError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})


def api_client_create(
    *,
    name: str,
    endpoints: list[str],
    units: list[OrgUnit],
    fields: list[str] | None = None,
    expires_at: dt.datetime | None = None,
    rate_limit: int = 60,
    description: str = "",
    contact_email: str = "",
    created_by=None,
) -> tuple[ApiClient, str]:
    """Create a client and return it with its token. The token is not stored and cannot be shown again."""
    fields = list(fields or [])
    _validate_scope(endpoints, fields)
    if rate_limit < 1:
        raise ApiClientError(_("The rate limit must be at least 1 request per minute."))
    token = token_generate()
    with transaction.atomic():
        if ApiClient.objects.filter(name=name).exists():
            raise ApiClientError(_("An API client with this name already exists."))
        client = ApiClient.objects.create(
            name=name,
            description=description,
            contact_email=contact_email,
            endpoints=sorted(set(endpoints)),
            fields=sorted(set(fields)),
            expires_at=expires_at,
            rate_limit=rate_limit,
            token_prefix=token[:12],
            token_hash=token_hash(token),
            created_by=created_by if created_by is not None and created_by.pk else None,
        )
        client.units.set(units)
        audit_record(
            action="api.client_created",
            actor=client.created_by,
            obj=client,
            details={"endpoints": client.endpoints, "fields": client.fields, "units": [u.code for u in units]},
        )
    return client, token


def api_client_set_token(*, client: ApiClient, actor=None, request=None) -> str:
    """Issue a new token for `client` (initial issue or rotation); the old one stops working at once."""
    token = token_generate()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        locked.token_prefix = token[:12]
        locked.token_hash = token_hash(token)
        locked.save(update_fields=["token_prefix", "token_hash"])
        audit_record(action="api.client_token_issued", actor=actor, request=request, obj=locked)
    client.token_prefix, client.token_hash = locked.token_prefix, locked.token_hash
    return token


def api_client_revoke(*, client: ApiClient, actor=None, request=None) -> ApiClient:
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(action="api.client_revoked", actor=actor, request=request, obj=locked)
    client.revoked_at = locked.revoked_at
    return client


def api_client_touch(*, client: ApiClient) -> None:
    """Record use, at most once a minute (keeps the hot path to one cheap UPDATE now and then)."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > dt.timedelta(seconds=60):
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


# --- webhooks: subscriptions ----------------------------------------------------------------------------------------
def check_receiver_url(url: str) -> None:
    """Refuse a receiver URL that is malformed or resolves to a non-public address (egress.resolve)."""
    try:
        egress.resolve(url)
    except egress.UnsafeReceiver as exc:
        raise ApiClientError(str(exc)) from None


def webhook_subscribe(*, client: ApiClient, url: str, events: list[str]) -> tuple[WebhookSubscription, str]:
    """Subscribe `client` to `events` at `url`. Returns the subscription and its signing secret (shown once)."""
    events = sorted(set(events))
    if not events or set(events) - set(WebhookEventName.values):
        raise ApiClientError(_("Choose events among: %(names)s") % {"names": ", ".join(WebhookEventName.values)})
    check_receiver_url(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        sub = WebhookSubscription.objects.create(client=client, url=url, events=events, secret=secret)
    return sub, secret


def webhook_unsubscribe(*, subscription: WebhookSubscription) -> None:
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)


# --- webhooks: events and the outbox --------------------------------------------------------------------------------
def _subscriptions_for(event: str, unit: OrgUnit | None) -> list[WebhookSubscription]:
    """Active subscriptions to `event` of usable clients allowed webhooks whose scope covers `unit`."""
    if unit is None:
        return []
    now = timezone.now()
    subs = (
        WebhookSubscription.objects.filter(active=True, client__revoked_at__isnull=True)
        .exclude(client__expires_at__lte=now)
        .select_related("client")
        .prefetch_related("client__units")
    )
    result = []
    for sub in subs:
        client = sub.client
        if event not in (sub.events or []) or not client.allows(Endpoint.WEBHOOKS):
            continue
        if any(unit.path.startswith(u.path) for u in client.units.all()):
            result.append(sub)
    return result


def webhook_emit(*, event: str, payload: dict, unit: OrgUnit | None, event_id: uuid.UUID | str | None = None):
    """Record an event and queue one delivery per matching subscription, in the caller's transaction; delivery
    starts after commit. Idempotent: emitting the same `event_id` again does nothing and returns the first event."""
    if event not in WebhookEventName.values:
        raise ApiClientError(_("Unknown event: %(name)s") % {"name": event})
    event_id = uuid.UUID(str(event_id)) if event_id else uuid.uuid4()
    with transaction.atomic():
        existing = WebhookEvent.objects.filter(event_id=event_id).first()
        if existing is not None:
            return existing
        ev = WebhookEvent.objects.create(
            event_id=event_id, name=event, unit=unit, payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=ev, subscription=sub) for sub in _subscriptions_for(event, unit)]
        )
        if deliveries:
            from .tasks import deliver_webhook

            for d in deliveries:
                enqueue(deliver_webhook, d.pk)
    return ev


def leave_event_payload(leave_request) -> dict:
    """What a leave.* event carries: the same work fields as the leave endpoint (the NIP is removed at delivery
    time for clients not granted it)."""
    emp = leave_request.employee
    lt = leave_request.leave_type
    return {
        "leave_id": leave_request.pk,
        "status": leave_request.status,
        "employee": {"id": emp.pk, "name": emp.name, "full_name": emp.full_name, "nip": emp.nip},
        "unit_code": emp.unit.code,
        "unit_name": emp.unit.name_id,
        "leave_type_code": lt.code,
        "leave_type_name": lt.name_id,
        "start_date": leave_request.start_date.isoformat(),
        "end_date": leave_request.end_date.isoformat(),
        "days": leave_request.days,
        "days_unit": lt.unit,
    }


def leave_webhook_emit(*, event: str, leave_request) -> WebhookEvent:
    """Emit leave.approved / leave.cancelled for a leave request. The event id is derived from (event, request), so
    calling it twice for the same transition (hook and signal, retries) delivers once."""
    event_id = uuid.uuid5(EVENT_NAMESPACE, f"{event}:{leave_request.pk}")
    return webhook_emit(
        event=event, payload=leave_event_payload(leave_request), unit=leave_request.employee.unit, event_id=event_id
    )


def _strip_restricted(data, granted: set[str]):
    if isinstance(data, dict):
        return {
            k: _strip_restricted(v, granted)
            for k, v in data.items()
            if not (k in RestrictedField.values and k not in granted)
        }
    if isinstance(data, list):
        return [_strip_restricted(v, granted) for v in data]
    return data


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex. Receivers recompute it and reject stale timestamps."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook_body(delivery: WebhookDelivery) -> bytes:
    ev = delivery.event
    granted = set(delivery.subscription.client.fields or [])
    doc = {
        "id": str(ev.event_id),
        "event": ev.name,
        "created_at": ev.created_at.isoformat(),
        "data": _strip_restricted(ev.payload, granted),
    }
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def backoff_seconds(attempts: int) -> int:
    """After the n-th failed attempt: base × 2^(n-1), capped (30 s, 60 s, 2 min, … at most 6 h by default)."""
    base = _setting("SERAMBI_API_WEBHOOK_BACKOFF_BASE", 30)
    cap = _setting("SERAMBI_API_WEBHOOK_BACKOFF_MAX", 6 * 3600)
    return int(min(base * 2 ** max(attempts - 1, 0), cap))


def webhook_deliver(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Attempt one delivery if it is due. The row is claimed under a lock (attempts+1, next attempt pushed out)
    before the HTTP call, so two workers never send the same delivery at once. Returns the resulting status."""
    now = now or timezone.now()
    max_attempts = _setting("SERAMBI_API_WEBHOOK_MAX_ATTEMPTS", 8)
    timeout = _setting("SERAMBI_API_WEBHOOK_TIMEOUT", 5.0)
    with transaction.atomic():
        d = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("event", "event__unit", "subscription", "subscription__client")
            .filter(pk=delivery_id)
            .first()
        )
        if d is None or d.status != WebhookDelivery.Status.PENDING or d.next_attempt_at > now:
            return d.status if d else "missing"
        sub = d.subscription
        still_allowed = (
            sub.active
            and sub.client.is_usable(now)
            and sub.client.allows(Endpoint.WEBHOOKS)
            and d.event.unit is not None
            and any(d.event.unit.path.startswith(u.path) for u in sub.client.units.all())
        )
        if not still_allowed:  # access changed since the event: never send what the client may no longer see
            d.status = WebhookDelivery.Status.FAILED
            d.last_error = "subscription inactive, client revoked/expired or unit no longer in scope"
            d.save(update_fields=["status", "last_error"])
            return d.status
        d.attempts += 1
        d.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(d.attempts))
        d.save(update_fields=["attempts", "next_attempt_at"])
    body = webhook_body(d)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Serambi-Webhooks/1",
        "X-Serambi-Event": d.event.name,
        "X-Serambi-Event-Id": str(d.event.event_id),
        "X-Serambi-Delivery": str(d.pk),
        "X-Serambi-Timestamp": timestamp,
        "X-Serambi-Signature": "sha256=" + webhook_signature(sub.secret, timestamp, body),
    }
    code, error = None, ""
    try:
        # Resolved and checked again now, and connected to the checked address; a redirect is a failed attempt.
        code = egress.post(sub.url, body, headers, timeout)
    except egress.UnsafeReceiver as exc:
        error = str(exc)
    except Exception as exc:  # network errors of every kind: recorded, retried later
        error = f"{type(exc).__name__}: {exc}"
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        d = WebhookDelivery.objects.select_for_update().get(pk=d.pk)
        d.last_status_code = code
        d.last_error = ("" if ok else (error or f"HTTP {code}"))[:500]
        if ok:
            d.status = WebhookDelivery.Status.DELIVERED
            d.delivered_at = timezone.now()
        elif d.attempts >= max_attempts:
            d.status = WebhookDelivery.Status.FAILED
        d.save(update_fields=["last_status_code", "last_error", "status", "delivered_at"])
    if not ok:
        logger.warning("webhook delivery %s attempt %s failed: %s", d.pk, d.attempts, d.last_error)
    return d.status


def webhook_deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Attempt every due pending delivery (the beat sweep). Returns how many were attempted."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        webhook_deliver(delivery_id=pk, now=now)
    return len(ids)
