"""The Surat Izin Cuti of an approved request, per leave type as the annex of Peraturan BKN 24/2017 words it. The
wording lives in templates (`leave/official/letters/<type code>.html`, each extending `letter.html`; a type without
its own uses `_default.html`), the facts here: pangkat with golongan, "5 (lima) hari kerja", the signing official's
jabatan (Plh./Plt. with the decree), place and long date, and the tembusan from SERAMBI_LEAVE_LETTER_COPIES."""

from django.conf import settings
from django.template.loader import select_template
from django.utils import timezone
from django.utils.translation import override

from hr.leave.models import ApprovalStep, LeaveLetter, LeaveRequest

from .people import duration, person, signatory


def decision_step(req: LeaveRequest) -> ApprovalStep | None:
    return (
        req.steps.filter(stage=ApprovalStep.Stage.OFFICIAL)
        .select_related("actor__position", "acting_for__position")
        .last()
    )


def letter_context(letter: LeaveLetter, decision: ApprovalStep | None = None) -> dict:
    req = letter.request
    decision = decision if decision is not None else decision_step(req)
    official_jabatan = req.official_position.name_id if req.official_position_id else ""
    issued = timezone.localdate(letter.created_at) if letter.created_at else timezone.localdate()
    leave_type = req.leave_type
    return {
        "req": req,
        "letter": letter,
        "type_name": leave_type.name_id,
        "pegawai": person(req.employee),
        "duration": duration(req),
        "signer": signatory(decision, official_jabatan),
        "fallback_jabatan": official_jabatan or "Pejabat yang Berwenang Memberikan Cuti",
        "issued": issued,
        "city": settings.SERAMBI_AGENCY_CITY,
        "copies": list(settings.SERAMBI_LEAVE_LETTER_COPIES),
        "agency_name": settings.SERAMBI_AGENCY_NAME,
        "agency_address": settings.SERAMBI_AGENCY_ADDRESS,
    }


def letter_html(letter: LeaveLetter, decision: ApprovalStep | None = None) -> str:
    """The letter as a standalone A4 document, in Indonesian whatever the reader's language."""
    code = letter.request.leave_type.code
    template = select_template([f"leave/official/letters/{code}.html", "leave/official/letters/_default.html"])
    with override("id"):
        return template.render(letter_context(letter, decision))
