"""The training certificate states who completed which course, its hours (JP), the completion date and the issuer,
in Indonesian whatever the reader's language, with the issuer's signature slot."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from cms.training import selectors, services
from cms.training.certificate import certificate_html, hours
from tests.document_text import words as text

from .conftest import add_course, person

pytestmark = pytest.mark.django_db


def completed(user, course):
    services.complete_module(user=user, course=course, module_id=course.modules.get().pk)
    enrolment = selectors.enrolment_for(user, course)
    enrolment.completed_at = dt.datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    enrolment.save(update_fields=["completed_at"])
    return enrolment


def test_certificate_states_course_hours_date_and_issuer(org, settings):
    settings.SERAMBI_AGENCY_CITY = "Jakarta"
    user = person(org["SUB1"])
    course = add_course(
        "Penulisan Naskah Dinas", modules=1, learning_hours=Decimal("3.0"), issuer="Biro Sumber Daya Manusia"
    )
    enrolment = completed(user, course)
    with translation.override("en"):  # an official document: Indonesian for every reader
        html = certificate_html(enrolment)
    words = text(html)
    assert "SERTIFIKAT" in words and f"Nomor {enrolment.certificate_number}" in words
    assert f"Diberikan kepada {user.employee.full_name} NIP {user.employee.nip}" in words
    assert "yang telah menyelesaikan pelatihan Penulisan Naskah Dinas" in words
    assert "dengan beban 3 jam pelajaran (JP), diselesaikan pada tanggal 5 Desember 2026" in words
    assert "diselenggarakan oleh Biro Sumber Daya Manusia." in words
    assert "Jakarta, 5 Desember 2026 Biro Sumber Daya Manusia," in words
    assert html.count('<div id="tte" class="tte-slot"></div>') == 1


def test_issuer_defaults_to_the_agency(org, settings):
    settings.SERAMBI_AGENCY_NAME = "Kementerian Contoh"
    user = person(org["SUB1"])
    course = add_course("Anti Korupsi", modules=1, learning_hours=Decimal("1.5"))
    words = text(certificate_html(completed(user, course)))
    assert "1,5 jam pelajaran (JP)" in words and "diselenggarakan oleh Kementerian Contoh." in words


def test_hours_as_written():
    assert [hours(Decimal(v)) for v in ("2.0", "1.5", "10", "0.5")] == ["2", "1,5", "10", "0,5"]
