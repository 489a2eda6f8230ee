"""The Surat Izin Cuti of an approved request: numbered once, rendered to PDF in private storage."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from intranet.core.private_files import file_intact, private_storage

from ..models import (
    LeaveLetter,
    LeaveRequest,
    LetterCounter,
)
from .common import Stage, Status, setting

logger = logging.getLogger(__name__)


def letter_next_number(year: int) -> int:
    with transaction.atomic():
        counter, _created = LetterCounter.objects.select_for_update().get_or_create(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def letter_generate(*, request_id: int) -> LeaveLetter | None:
    """Render the Surat Izin Cuti of an approved request to PDF (WeasyPrint) in private storage. Idempotent."""
    with transaction.atomic():
        req = (
            LeaveRequest.objects.select_for_update(of=("self",))
            .select_related("employee", "employee__unit", "employee__position", "leave_type")
            .filter(pk=request_id, status=Status.APPROVED)
            .first()
        )
        if req is None:
            return None
        letter = LeaveLetter.objects.filter(request=req).first()
        if letter is not None and letter.file_name and file_intact(letter.file_name):  # damaged: rendered again
            return letter
        year = timezone.localdate().year
        if letter is None:
            seq = letter_next_number(year)
            prefix = setting("SERAMBI_LEAVE_LETTER_PREFIX", "KP.08.01")
            letter = LeaveLetter.objects.create(
                request=req, year=year, sequence=seq, number=f"{seq:04d}/{prefix}/{year}"
            )
        decision = req.steps.filter(stage=Stage.OFFICIAL).select_related("actor", "acting_for").last()
        with override(settings.LANGUAGE_CODE):
            html = render_to_string(
                "leave/letter.html",
                {
                    "req": req,
                    "letter": letter,
                    "decision": decision,
                    "agency_name": settings.SERAMBI_AGENCY_NAME,
                    "agency_address": settings.SERAMBI_AGENCY_ADDRESS,
                    "today": timezone.localdate(),
                },
            )
        from weasyprint import HTML

        pdf = HTML(string=html).write_pdf()
        letter.file_name = private_storage().save(
            f"leave/letters/{letter.year}/surat-izin-cuti-{letter.year}-{letter.sequence:04d}.pdf", ContentFile(pdf)
        )
        letter.save(update_fields=["file_name"])
    return letter
