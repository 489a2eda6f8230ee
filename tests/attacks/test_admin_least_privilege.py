"""The administrator of /django-admin/ as the attacker: a curious or bought insider with the superuser flag. By
default the admin shows no NIP, birth date or home address, no Sangat Rahasia document (not even its title) and no
one's authenticator key or recovery codes; opening a person's record there is audited."""

import datetime as dt

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hr.documents.models import Category, Classification, Document
from intranet.audit.models import AuditEntry
from intranet.notifications.models import Notification
from tests.attacks.second_factor_fixtures import make_victim
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "Jl. Kenanga Gg. Mawar No. 17, Bekasi"
SECRET_TITLE = "Rencana mutasi pejabat eselon II 2027"


@pytest.fixture
def insider(client, org):
    admin = make_victim(org, "administrator")
    client.force_login(admin)
    person = EmployeeFactory(user=UserFactory(username="pegawai-biasa"), unit=org["SUB1"], home_address=ADDRESS,
                             birth_date=dt.date(1979, 11, 23), personal_phone="0812-5555-0199")
    secret = Document.objects.create(title=SECRET_TITLE, category=Category.objects.get(code="sk-pangkat"),
                                     classification=Classification.SANGAT_RAHASIA, subject_employee=person,
                                     created_by=admin)
    device = TOTPDevice.objects.create(user=person.user, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=person.user, name="recovery", confirmed=True)
    StaticToken.objects.create(device=static, token="zz7kq4pa")
    return client, person, secret, device, static


def test_no_nip_birth_date_or_home_address(insider):
    client, person, *_ = insider
    pages = [client.get("/django-admin/org/employee/"), client.get(f"/django-admin/org/employee/{person.pk}/change/"),
             client.get(f"/django-admin/accounts/user/{person.user.pk}/change/"),
             client.get("/django-admin/payslips/payslip/")]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        for secret in (person.nip, ADDRESS, "1979-11-23", "23-11-1979", "23/11/1979", "0812-5555-0199"):
            assert secret not in html, secret
    # Searching by NIP does not confirm one either.
    found = client.get("/django-admin/org/employee/", {"q": person.nip}).content.decode()
    assert person.full_name not in found


def test_opening_a_persons_record_is_audited(insider):
    client, person, *_ = insider
    assert client.get(f"/django-admin/org/employee/{person.pk}/change/").status_code == 200
    entry = AuditEntry.objects.get(action="admin.view")
    assert entry.subject_employee_id == person.pk and entry.actor.username == "victim-admin"
    assert client.get(f"/django-admin/accounts/user/{person.user.pk}/change/").status_code == 200
    assert AuditEntry.objects.filter(action="admin.view", object_id=str(person.user.pk),
                                     object_type="accounts.user").exists()


def test_no_sangat_rahasia_title(insider):
    client, _person, secret, *_ = insider
    for url in ("/django-admin/documents/document/", "/django-admin/documents/accessrequest/",
                "/django-admin/documents/documentversion/"):
        assert SECRET_TITLE not in client.get(url).content.decode(), url
    assert client.get(f"/django-admin/documents/document/{secret.pk}/change/").status_code in (302, 404)


def test_no_authenticator_key_or_recovery_code(insider):
    client, person, _secret, device, static = insider
    pages = [client.get("/django-admin/otp_totp/totpdevice/"), client.get("/django-admin/otp_static/staticdevice/"),
             client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/change/"),
             client.get(f"/django-admin/otp_static/staticdevice/{static.pk}/change/")]
    for page in pages:
        html = page.content.decode()
        assert device.key not in html and "zz7kq4pa" not in html and "otpauth://" not in html
    assert client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 404)
    assert client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code in (302, 404)
    assert client.get("/django-admin/otp_totp/totpdevice/add/").status_code == 403, "no device is made for someone"

    # Removing a lost device is possible, and both audited and told to its owner.
    client.post(f"/django-admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="2fa.device_removed", object_id=str(person.user.pk)).exists()
    assert Notification.objects.filter(recipient=person.user, kind="security.2fa_removed").exists()
