"""Webhooks: signed deliveries checked by a real HTTP receiver on 127.0.0.1, retries with back-off after a failing
receiver, idempotency by event id, unit scope, leave events from the leave app's saves."""

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEvent
from api.services import (
    ApiClientError,
    backoff_seconds,
    leave_webhook_emit,
    webhook_deliver,
    webhook_deliver_due,
    webhook_emit,
    webhook_subscribe,
)
from hr.leave.models import LeaveRequest

from .conftest import make_leave


class Receiver:
    """A test receiver: verifies nothing itself, records every request; answers `status` (a list is consumed)."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does: recompute HMAC-SHA256 over "<timestamp>.<body>" and reject stale timestamps."""
    timestamp = headers["X-Serambi-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Serambi-Signature"], "sha256=" + expected)


@pytest.fixture
def subscribed(make_client, org, receiver):
    """A client scoped to DIR1 (no NIP), subscribed to both leave events at the receiver."""
    client, _token = make_client(units=[org["DIR1"]])
    sub, secret = webhook_subscribe(client=client, url=receiver.url, events=["leave.approved", "leave.cancelled"])
    return sub, secret


def test_signed_delivery_verified_by_a_real_receiver(org, people, receiver, subscribed, calendar):
    sub, secret = subscribed
    req = make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 17), 2)  # saved approved: signal emits
    (delivery,) = WebhookDelivery.objects.filter(subscription=sub)
    assert webhook_deliver(delivery_id=delivery.pk) == "delivered"

    (got,) = receiver.requests
    headers, body = got["headers"], got["body"]
    assert verify(secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    assert not verify(secret, headers, body.replace(b"Ani", b"Anu"))
    doc = json.loads(body)
    assert headers["X-Serambi-Event"] == doc["event"] == "leave.approved"
    assert headers["X-Serambi-Event-Id"] == doc["id"] == str(delivery.event.event_id)
    assert doc["data"]["leave_id"] == req.pk and doc["data"]["unit_code"] == "DIR1"
    assert doc["data"]["start_date"] == "2026-03-16" and doc["data"]["days"] == 2
    assert "nip" not in doc["data"]["employee"]  # this client was not granted the NIP
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_nip_is_delivered_to_clients_granted_it(make_client, org, people, receiver, calendar):
    client, _ = make_client(units=[org["DIR1"]], fields=["nip"])
    sub, _secret = webhook_subscribe(client=client, url=receiver.url, events=["leave.approved"])
    make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 16), 1)
    webhook_deliver(delivery_id=WebhookDelivery.objects.get(subscription=sub).pk)
    assert json.loads(receiver.requests[0]["body"])["data"]["employee"]["nip"] == people["dir1"].nip


def test_failing_receiver_is_retried_with_back_off(org, people, receiver, subscribed, settings):
    sub, secret = subscribed
    receiver.statuses = [500, 503]
    webhook_emit(event="leave.approved", payload={"leave_id": 1}, unit=org["SUB1"])
    delivery = WebhookDelivery.objects.get(subscription=sub)
    t0 = timezone.now()
    assert webhook_deliver(delivery_id=delivery.pk, now=t0) == "pending"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 500, "HTTP 500")
    assert delivery.next_attempt_at == t0 + dt.timedelta(seconds=backoff_seconds(1))
    # not due yet: the sweep leaves it alone
    assert webhook_deliver_due(now=t0 + dt.timedelta(seconds=5)) == 0
    # due: second attempt fails (503), back-off doubles
    t1 = t0 + dt.timedelta(seconds=backoff_seconds(1))
    assert webhook_deliver_due(now=t1) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == t1 + dt.timedelta(seconds=backoff_seconds(2))
    assert backoff_seconds(2) == 2 * backoff_seconds(1)
    # third attempt succeeds; the receiver saw the same event id every time, each request properly signed
    webhook_deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert len({r["headers"]["X-Serambi-Event-Id"] for r in receiver.requests}) == 1
    assert all(verify(secret, r["headers"], r["body"]) for r in receiver.requests)
    # a delivered row is never sent again
    assert webhook_deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "delivered"
    assert len(receiver.requests) == 3


def test_unreachable_receiver_gives_up_after_max_attempts(make_client, org, settings):
    settings.SERAMBI_API_WEBHOOK_MAX_ATTEMPTS = 2
    client, _ = make_client(units=[org["DIR1"]])
    dead = Receiver()
    url = dead.url
    dead.close()  # nothing listens on that port any more
    sub, _ = webhook_subscribe(client=client, url=url, events=["leave.approved"])
    webhook_emit(event="leave.approved", payload={}, unit=org["DIR1"])
    delivery = WebhookDelivery.objects.get(subscription=sub)
    now = timezone.now()
    assert webhook_deliver(delivery_id=delivery.pk, now=now) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and "Error" in delivery.last_error
    assert webhook_deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "failed"


def test_events_are_idempotent_by_event_id(org, people, subscribed, calendar):
    sub, _ = subscribed
    req = make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 16), 1)
    first = WebhookEvent.objects.get(name="leave.approved")
    # the leave service calling the hook explicitly, and further saves of the approved request: no new event
    assert leave_webhook_emit(event="leave.approved", leave_request=req).pk == first.pk
    req.reminded_at = timezone.now()
    req.save()
    assert WebhookEvent.objects.filter(name="leave.approved").count() == 1
    assert WebhookDelivery.objects.filter(subscription=sub).count() == 1
    # an explicit event id repeats the same way
    a = webhook_emit(
        event="leave.approved", payload={}, unit=org["DIR1"], event_id="5d0e7f0e-1111-4aaa-8bbb-123456789abc"
    )
    b = webhook_emit(
        event="leave.approved", payload={}, unit=org["DIR1"], event_id="5d0e7f0e-1111-4aaa-8bbb-123456789abc"
    )
    assert a.pk == b.pk


def test_cancellation_emits_leave_cancelled(org, people, subscribed, calendar):
    req = make_leave(people["sub1"], dt.date(2026, 3, 16), dt.date(2026, 3, 16), 1)
    req.status = LeaveRequest.Status.CANCELLED
    req.save()
    assert list(WebhookEvent.objects.order_by("pk").values_list("name", flat=True)) == [
        "leave.approved",
        "leave.cancelled",
    ]
    pending = make_leave(
        people["sub1"], dt.date(2026, 4, 6), dt.date(2026, 4, 6), 1, status=LeaveRequest.Status.AWAITING_SUPERIOR
    )
    assert not WebhookEvent.objects.filter(payload__leave_id=pending.pk).exists()


def test_out_of_scope_and_unsubscribed_clients_get_nothing(make_client, org, people, receiver, calendar):
    outsider, _ = make_client(units=[org["DIR2"]])
    webhook_subscribe(client=outsider, url=receiver.url, events=["leave.approved"])
    only_cancel, _ = make_client(units=[org["DIR1"]])
    webhook_subscribe(client=only_cancel, url=receiver.url, events=["leave.cancelled"])
    no_grant, _ = make_client(units=[org["DIR1"]], endpoints=["employees"])
    webhook_subscribe(client=no_grant, url=receiver.url, events=["leave.approved"])
    make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 16), 1)
    assert WebhookEvent.objects.count() == 1
    assert WebhookDelivery.objects.count() == 0


def test_subscribe_through_the_api(call, make_client, org, settings):
    _c, token = make_client(units=[org["DIR1"]], endpoints=["webhooks"])
    response = call(
        token,
        "/api/v1/webhooks",
        method="post",
        data={"url": "https://localhost/hook", "events": ["leave.approved"]},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_")
    listed = call(token, "/api/v1/webhooks").json()
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    settings.SERAMBI_API_WEBHOOK_ALLOW_HTTP = False
    bad = call(
        token, "/api/v1/webhooks", method="post", data={"url": "http://x.example/h", "events": ["leave.approved"]}
    )
    assert bad.json()["error"]["code"] == "invalid_webhook"
    bad = call(token, "/api/v1/webhooks", method="post", data={"url": "https://x.example/h", "events": ["nope"]})
    assert bad.status_code == 400
    assert call(token, f"/api/v1/webhooks/{created['id']}", method="delete").status_code == 204
    assert call(token, "/api/v1/webhooks").json() == []


def test_unknown_event_is_refused(org):
    with pytest.raises(ApiClientError):
        webhook_emit(event="leave.exploded", payload={}, unit=org["DIR1"])


def test_admin_delivery_log_and_retry(client, org, people, subscribed, calendar):
    from tests import factories

    make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 16), 1)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=8, last_error="HTTP 500")
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for model in ("apiclient", "webhooksubscription", "webhookevent", "webhookdelivery"):
        assert client.get(f"/django-admin/api/{model}/").status_code == 200, model
    assert b"HTTP 500" in client.get("/django-admin/api/webhookdelivery/").content
    response = client.post(
        "/django-admin/api/webhookdelivery/", {"action": "retry_now", "_selected_action": [delivery.pk]}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_no_delivery_after_the_client_lost_access(org, people, receiver, subscribed, calendar):
    sub, _ = subscribed
    make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 16), 1)
    delivery = WebhookDelivery.objects.get(subscription=sub)
    sub.client.units.set([org["DIR2"]])  # scope changed before the outbox ran
    assert webhook_deliver(delivery_id=delivery.pk) == "failed"
    assert receiver.requests == []


def test_malformed_json_body_is_a_400_with_the_usual_body(client, make_client, org):
    _c, token = make_client(units=[org["DIR1"]], endpoints=["webhooks"])
    response = client.post(
        "/api/v1/webhooks", data="{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] in ("bad_request", "invalid_request")
