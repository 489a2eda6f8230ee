"""Publishing payslips needs a fresh second factor (step-up), not just a verified session from hours ago."""

import time

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hr.payslips import demo
from hr.payslips.models import PayslipBatch
from intranet.security.twofactor import VERIFIED_AT

from .conftest import import_bytes, row_for


@pytest.mark.enforce_2fa
def test_publish_requires_a_recent_second_factor(client, people, settings):
    officer = people["officer"].user
    batch = import_bytes(officer, demo.csv_bytes([row_for(people["a"])]))
    assert batch.status == PayslipBatch.Status.READY
    device = TOTPDevice.objects.create(user=officer, name="t", confirmed=True)
    client.force_login(officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT] = int(time.time()) - settings.SERAMBI_2FA_STEP_UP_SECONDS - 60  # verified, long ago
    session.save()
    response = client.post(reverse("payslips:batch_publish", args=[batch.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("security:2fa_verify"))
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.READY, "nothing published without the step-up"
    session[VERIFIED_AT] = int(time.time())
    session.save()
    client.post(reverse("payslips:batch_publish", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.PUBLISHED
