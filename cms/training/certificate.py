"""The training certificate as a document (A4 landscape, print CSS, the issuer's signature slot): who completed which
course, its hours (JP), the completion date and the issuer. In Indonesian whatever the reader's language."""

from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override


def hours(value: Decimal) -> str:
    """Jam pelajaran as written on a certificate: '4', '1,5'."""
    value = Decimal(value).normalize()
    text = f"{value:f}"
    return text.replace(".", ",")


def certificate_html(enrolment) -> str:
    """The certificate of a completed enrolment: its course (the page in the default language, whose title the
    certificate names) and its participant (with NIP when they have an employee record)."""
    course, user = enrolment.course, enrolment.user
    employee = getattr(user, "employee", None)
    holder = employee.full_name if employee else (user.get_full_name() or user.get_username())
    with override("id"):
        return render_to_string(
            "training/certificate.html",
            {
                "course": course,
                "enrolment": enrolment,
                "holder": holder,
                "nip": employee.nip if employee else "",
                "hours": hours(course.learning_hours),
                "completed": timezone.localdate(enrolment.completed_at),
                "issuer": course.issuer or settings.SERAMBI_AGENCY_NAME,
                "agency_name": settings.SERAMBI_AGENCY_NAME,
                "city": settings.SERAMBI_AGENCY_CITY,
            },
        )
