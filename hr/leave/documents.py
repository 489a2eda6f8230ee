"""The leave letter (Surat Izin Cuti) and the leave form (Formulir Permintaan dan Pemberian Cuti) as issued
documents: their renderers and parties for `intranet.issued`.

The letter is recorded when the leave is approved, the form when the authorised official decides (each in that
transaction), and rendered, signed on behalf of the deciding official and stored by the issued-document pipeline;
`LeaveLetter` keeps the letter's number and points to the stored file so the existing download keeps working.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.issued import registry
from intranet.issued import services as issued
from intranet.issued.models import IssuedDocument

from .models import ApprovalStep, LeaveLetter, LeaveRequest, LetterCounter
from .official.form import form_html as official_form_html
from .official.form import load_request
from .official.letter import letter_html as official_letter_html

LETTER = "leave.letter"
FORM = "leave.form"  # Formulir Permintaan dan Pemberian Cuti, issued once the official has decided


def letter_next_number(year: int) -> int:
    with transaction.atomic():
        counter, _created = LetterCounter.objects.select_for_update().get_or_create(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def letter_for(req: LeaveRequest) -> LeaveLetter:
    """The request's letter number, taken once (in the caller's transaction)."""
    letter = LeaveLetter.objects.filter(request=req).first()
    if letter is None:
        year = timezone.localdate().year
        seq = letter_next_number(year)
        prefix = settings.SERAMBI_LEAVE_LETTER_PREFIX
        letter = LeaveLetter.objects.create(request=req, year=year, sequence=seq, number=f"{seq:04d}/{prefix}/{year}")
    return letter


def _decision(req: LeaveRequest) -> ApprovalStep | None:
    return (
        req.steps.filter(stage=ApprovalStep.Stage.OFFICIAL)
        .select_related("actor", "actor__position", "actor__unit", "acting_for")
        .last()
    )


def letter_html(req: LeaveRequest) -> str:
    """The Surat Izin Cuti as the annex words it (`official.letter`), for the request's number and decision."""
    req = load_request(req.pk)
    letter = letter_for(req)
    letter.request = req
    return official_letter_html(letter, _decision(req))


def letter_parties(req: LeaveRequest) -> registry.Parties:
    decision, employee = _decision(req), req.employee
    official = decision.actor if decision is not None else None
    title = ""
    if decision is not None and decision.acting_for_text:
        title = decision.acting_for_text  # "Plh. Kepala Biro … (decree)": signing in the position
    elif official is not None and official.position_id:
        title = official.position.name_id
    return registry.Parties(
        holder_name=employee.full_name,
        holder_nip=employee.nip,
        holder_user_id=employee.user_id,
        issuer_unit=(official.unit.name_id if official is not None else "") or settings.SERAMBI_AGENCY_NAME,
        signer_name=official.full_name if official is not None else "",
        signer_nip=official.nip if official is not None else "",
        signer_title=title,
    )


def _letter_stored(req: LeaveRequest, doc: IssuedDocument) -> None:
    LeaveLetter.objects.filter(request=req).update(file_name=doc.file_name)


def form_html(req: LeaveRequest) -> str:
    return official_form_html(load_request(req.pk))


def form_file(req: LeaveRequest) -> str | None:
    """The signed form's storage name once the official has decided (NotReady while it is prepared); None before."""
    if issued.latest_document(FORM, req) is None:
        return None
    return issued.current_file(FORM, req).file_name


def register() -> None:
    registry.register(
        registry.Kind(
            code=FORM,
            label=_("Leave request form (Formulir Permintaan dan Pemberian Cuti)"),
            render=form_html,
            parties=letter_parties,
            file_stem=lambda req: f"formulir-cuti-{req.pk}",
        )
    )
    registry.register(
        registry.Kind(
            code=LETTER,
            label=_("Leave letter (Surat Izin Cuti)"),
            render=letter_html,
            parties=letter_parties,
            file_stem=lambda req: f"surat-izin-cuti-{req.pk}",
            on_ready=_letter_stored,
        )
    )
