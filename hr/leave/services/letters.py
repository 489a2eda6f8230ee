"""The Surat Izin Cuti of an approved request: numbered once, issued (rendered, signed, stored) by the
issued-document pipeline; the kind's renderer and parties are in `hr.leave.documents`."""

from django.db import transaction

from intranet.issued import services as issued

from ..documents import LETTER, letter_next_number
from ..models import LeaveLetter, LeaveRequest
from .common import Status

__all__ = ["letter_generate", "letter_next_number"]


def letter_generate(*, request_id: int, replace: bool = False) -> LeaveLetter | None:
    """Render the letter of an approved request now (the task, a download that finds the file damaged: `replace`
    issues it again under a new code). Idempotent: a ready letter is returned as it is."""
    req = LeaveRequest.objects.filter(pk=request_id, status=Status.APPROVED).first()
    if req is None:
        return None
    with transaction.atomic():
        doc = issued.live_document(LETTER, req)
        if doc is None or replace:
            doc = issued.issue(LETTER, req, replace=replace, deferred=True)
    issued.render(doc.pk)
    return LeaveLetter.objects.filter(request=req).first()
