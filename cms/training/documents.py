"""The training certificate as an issued document: recorded when the course is completed (in that transaction),
rendered, signed on behalf of the course's issuer unit, stored, and verifiable by its code."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hr.org.models import Employee
from intranet.issued import registry
from intranet.issued import services as issued

from .certificate import certificate_html
from .models import Enrolment

KIND = "training.certificate"


def _employee(user_id) -> Employee | None:
    return Employee.objects.select_related("unit").filter(user_id=user_id).first()


def issuer_unit(enrolment: Enrolment) -> str:
    """Who answers for the course: the issuer it names, else its content owner's unit, else the agency."""
    if enrolment.course.issuer:
        return enrolment.course.issuer
    owner = _employee(enrolment.course.content_owner_id) if enrolment.course.content_owner_id else None
    return owner.unit.name_id if owner is not None else settings.SERAMBI_AGENCY_NAME


def certificate_parties(enrolment: Enrolment) -> registry.Parties:
    employee, user = _employee(enrolment.user_id), enrolment.user
    unit = issuer_unit(enrolment)
    return registry.Parties(
        holder_name=employee.full_name if employee else (user.get_full_name() or user.get_username()),
        holder_nip=employee.nip if employee else "",
        holder_user_id=enrolment.user_id,
        issuer_unit=unit,
        signer_name=unit,
        signer_title=settings.SERAMBI_AGENCY_NAME,
    )


def register() -> None:
    registry.register(
        registry.Kind(
            code=KIND,
            label=_("Training certificate"),
            render=certificate_html,
            parties=certificate_parties,
            file_stem=lambda enrolment: f"sertifikat-{enrolment.course_id}",
        )
    )


def issue_certificate(enrolment: Enrolment) -> None:
    """In the completion's transaction."""
    issued.issue(KIND, enrolment)


def certificate_file(enrolment: Enrolment) -> str:
    return issued.current_file(KIND, enrolment).file_name
