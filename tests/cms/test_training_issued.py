"""The training certificate as an issued document: recorded when the course is completed, signed on behalf of the
course's issuer unit, verifiable by its code."""

from django.urls import reverse

from cms.training import services
from intranet.issued.models import IssuedDocument
from tests.intranet.issued import pdfcheck

from .test_training import add_course, person


def test_completion_issues_a_signed_certificate(client, org, django_capture_on_commit_callbacks, settings):
    course = add_course("Keamanan Informasi", modules=1)
    user = person(org["SUB1"])
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_module(user=user, course=course, module_id=course.modules.get().pk)
    doc = IssuedDocument.objects.get(kind="training.certificate")
    assert doc.state == "ready" and doc.holder_user_id == user.pk
    client.force_login(user)
    response = client.get(course.url + "sertifikat/")
    data = b"".join(response.streaming_content)
    assert response.status_code == 200 and pdfcheck.validate(data).intact
    assert doc.issuer_unit in pdfcheck.stamp_lines(data)
    page = client.get(reverse("issued:verify", args=[pdfcheck.code_of(data)]), HTTP_ACCEPT_LANGUAGE="id")
    assert 'data-status="valid"' in page.content.decode() and "Sertifikat pelatihan" in page.content.decode()
