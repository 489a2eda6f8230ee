"""The Formulir Permintaan dan Pemberian Cuti (annex of Peraturan BKN 24/2017) of a leave request: its eight
sections filled from the request, the ledger and the decision steps. `form_html(req)` is the document (A4, print CSS,
the signature slot in section VIII); `form_context(req)` is what the web page shows."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from hr.leave.models import ApprovalStep, LeaveRequest

from . import record
from .people import duration, person, service_length, signatory

Stage, Outcome = ApprovalStep.Stage, ApprovalStep.Outcome
# Section VII and VIII: the four outcomes in the annex's order and wording.
OUTCOMES = (
    (Outcome.APPROVE, "DISETUJUI"),
    (Outcome.CHANGE, "PERUBAHAN"),
    (Outcome.DEFER, "DITANGGUHKAN"),
    (Outcome.REFUSE, "TIDAK DISETUJUI"),
)


@dataclass
class Consideration:
    """Section VII or VIII: which of the four outcomes was chosen, why, and by whom."""

    title: str
    outcomes: list  # [(label, chosen)]
    reason: str
    signer: object  # people.Signatory or None
    pending: bool


def _consideration(title: str, step: ApprovalStep | None, fallback_jabatan: str) -> Consideration:
    chosen = step.outcome if step is not None else None
    reason = ""
    if step is not None:
        reason = step.reason
        if step.proposed_start:
            reason = (reason + " " if reason else "") + (
                f"Diusulkan {step.proposed_start:%d-%m-%Y} s.d. {step.proposed_end:%d-%m-%Y}."
            )
    return Consideration(
        title=title,
        outcomes=[(label, value == chosen) for value, label in OUTCOMES],
        reason=reason,
        signer=signatory(step, fallback_jabatan),
        pending=step is None,
    )


def _steps(req: LeaveRequest) -> tuple[ApprovalStep | None, ApprovalStep | None]:
    steps = list(
        req.steps.filter(stage__in=(Stage.SUPERIOR, Stage.OFFICIAL)).select_related(
            "actor__position", "acting_for__position"
        )
    )
    superior = next((s for s in steps if s.stage == Stage.SUPERIOR), None)
    official = next((s for s in steps if s.stage == Stage.OFFICIAL), None)
    if superior is None and req.single_step:  # the superior is the official: one person, one step for both
        superior = official
    return superior, official


def form_context(req: LeaveRequest) -> dict:
    employee = req.employee
    submitted = timezone.localdate(req.created_at) if req.created_at else timezone.localdate()
    superior, official = _steps(req)
    official_jabatan = req.official_position.name_id if req.official_position_id else ""
    return {
        "req": req,
        "submitted": submitted,
        "pegawai": person(employee),
        "service": service_length(employee, submitted),
        "types": [
            (number, name, code == req.leave_type.code)
            for number, (code, name) in enumerate(record.ANNEX_TYPES, start=1)
        ],
        "duration": duration(req),
        "annual": record.annual_table(employee, req.year, excluding=req),
        "others": record.other_types(employee, req.year, excluding=req),
        "parts": [
            {"key": "vii", "number": "VII", "block": _consideration("PERTIMBANGAN ATASAN LANGSUNG", superior, "")},
            {
                "key": "viii",
                "number": "VIII",
                "block": _consideration("KEPUTUSAN PEJABAT YANG BERWENANG MEMBERIKAN CUTI", official, official_jabatan),
            },
        ],
        "addressee": official_jabatan or "Pejabat yang Berwenang Memberikan Cuti",
        "city": settings.SERAMBI_AGENCY_CITY,
        "agency_name": settings.SERAMBI_AGENCY_NAME,
        "agency_address": settings.SERAMBI_AGENCY_ADDRESS,
    }


def form_html(req: LeaveRequest) -> str:
    """The form as a standalone A4 document (Indonesian whatever the reader's language: it is an official form)."""
    with override("id"):
        return render_to_string("leave/official/form_document.html", form_context(req))


def load_request(pk: int) -> LeaveRequest:
    """The request with what the documents read of it (for callers holding only its id, e.g. a rendering task)."""
    return LeaveRequest.objects.select_related(
        "employee__unit", "employee__position", "leave_type", "official_position"
    ).get(pk=pk)
