"""End to end with the real leave services: the official's approval and HR's cancellation emit leave.approved and
leave.cancelled (signal on the leave request's save), delivered after commit to a loopback receiver; the leave
endpoint then serves the same leave."""

import datetime as dt
import json

import pytest

from api.models import WebhookDelivery, WebhookEvent
from api.services import webhook_subscribe
from hr.leave import services as leave_services
from tests.hr.leave.conftest import chain, clean_calendar, monday, submit, types, year  # noqa: F401 (fixtures)

from .test_webhooks import Receiver, verify

pytestmark = pytest.mark.django_db


def test_approval_and_cancellation_reach_the_receiver(
    chain,  # noqa: F811
    types,  # noqa: F811
    year,  # noqa: F811
    org,
    make_client,
    call,
    django_capture_on_commit_callbacks,
):
    receiver = Receiver()
    try:
        client, token = make_client(units=[org["DIR1"]], fields=["nip"])
        _sub, secret = webhook_subscribe(client=client, url=receiver.url, events=["leave.approved", "leave.cancelled"])
        leave_services.allocate_year(year=year, employee_ids=[chain.staff.pk])
        mon = monday(year, 2)
        req = submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=4))
        leave_services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
        assert not WebhookEvent.objects.exists()  # an opinion is not an approval
        with django_capture_on_commit_callbacks(execute=True):
            leave_services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")
        (got,) = receiver.requests
        assert verify(secret, got["headers"], got["body"])
        doc = json.loads(got["body"])
        assert doc["event"] == "leave.approved" and doc["data"]["leave_id"] == req.pk
        assert doc["data"]["employee"]["nip"] == chain.staff.nip and doc["data"]["days"] == 5

        items = call(token, "/api/v1/leave", start=mon.isoformat(), end=mon.isoformat()).json()["items"]
        assert [(i["id"], i["working_days_in_period"]) for i in items] == [(req.pk, 1)]

        with django_capture_on_commit_callbacks(execute=True):
            leave_services.leave_request_cancel(request_id=req.pk, user=chain.hr.user, reason="Tugas mendesak")
        assert [json.loads(r["body"])["event"] for r in receiver.requests] == ["leave.approved", "leave.cancelled"]
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
        assert call(token, "/api/v1/leave").json()["items"] == []
    finally:
        receiver.close()
