"""Real row locks on PostgreSQL: concurrent workers never send the same webhook delivery twice."""

import threading

import pytest
from django.db import connection, connections

from api.models import WebhookDelivery
from api.services import webhook_deliver, webhook_emit, webhook_subscribe

from .test_webhooks import Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (set DATABASE_URL=postgres://...)")


def test_concurrent_workers_send_a_delivery_once(make_client, org):
    receiver = Receiver()
    try:
        client, _ = make_client(units=[org["DIR1"]])
        sub, _secret = webhook_subscribe(client=client, url=receiver.url, events=["leave.approved"])
        webhook_emit(event="leave.approved", payload={"leave_id": 1}, unit=org["DIR1"])
        delivery = WebhookDelivery.objects.get(subscription=sub)
        barrier = threading.Barrier(6)
        results = []

        def worker():
            try:
                barrier.wait(timeout=30)
                results.append(webhook_deliver(delivery_id=delivery.pk))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        delivery.refresh_from_db()
        assert len(receiver.requests) == 1
        assert (delivery.status, delivery.attempts) == ("delivered", 1)
        assert len(results) == 6
    finally:
        receiver.close()
