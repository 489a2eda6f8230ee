"""Supporting documents attached to a leave request: accepted by content, never by name."""


from django.utils.translation import gettext as _

from intranet.core.images import ImageTooLarge, check_pixels

from ..errors import LeaveError
from .common import setting

ALLOWED_DOCUMENTS = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def sniff_document(upload) -> str:
    """Content type of an uploaded supporting document from its first bytes (never the name or the browser's word)."""
    limit = setting("SERAMBI_LEAVE_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)
    if upload.size > limit:
        raise LeaveError(
            _("The document is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}, "document"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, magic in ALLOWED_DOCUMENTS.items():
        if head.startswith(magic):
            if content_type.startswith("image/"):
                try:
                    check_pixels(upload)
                except ImageTooLarge as exc:
                    raise LeaveError(str(exc), "document") from None
            return content_type
    raise LeaveError(_("The document must be a PDF, JPG or PNG file."), "document")
