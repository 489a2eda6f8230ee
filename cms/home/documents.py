"""CMS documents (Wagtail documents): which files editors may upload, and how readers get them.

Only office, PDF and video formats are accepted (settings.WAGTAILDOCS_EXTENSIONS, no HTML, SVG, XML or script), and
the bytes must really be what the extension says: an HTML page renamed .pdf is refused. The files live in private
storage (intranet.core.storage) and are served only by `serve`, to a logged-in reader whom the collection's privacy
and the pages using the document admit, always as a download that cannot run script: attachment, nosniff and a
sandboxing CSP.
"""

import io
import zipfile

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.documents.forms import BaseDocumentForm
from wagtail.documents.models import document_served
from wagtail.models import Page, ReferenceIndex

from cms.base.audience import AudienceMixin, is_targeted
from cms.base.privacy import can_view
from intranet.core.private_files import private_file_response
from intranet.core.safezip import UnsafeArchive, check_archive
from intranet.core.storage import private_name

# extension -> (content type served, check of the leading bytes)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls, ppt)
_OOXML_MAIN = {
    "docx": b"wordprocessingml.document.main+xml",
    "xlsx": b"spreadsheetml.sheet.main+xml",
    "pptx": b"presentationml.presentation.main+xml",
}
_ODF_MIMETYPE = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
# A document opened anyway (a browser ignoring the attachment) gets no script, no plugin, no network, its own origin.
SANDBOX_CSP = "sandbox; default-src 'none'"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_matches(data: io.BufferedIOBase, ext: str) -> bool:
    try:
        raw = data.read()
        check_archive(raw)  # a compression bomb is no office file
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            names = set(zf.namelist())
            if ext in _ODF_MIMETYPE:
                return (
                    "mimetype" in names
                    and zf.getinfo("mimetype").file_size < 200
                    and (zf.read("mimetype").strip() == _ODF_MIMETYPE[ext])
                )
            info = zf.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            return info is not None and info.file_size < 256 * 1024 and _OOXML_MAIN[ext] in zf.read(info)
    except (UnsafeArchive, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError):
        return False


def content_matches(fileobj, ext: str) -> bool:
    """Whether the bytes of `fileobj` are really a file of type `ext` (a key of CONTENT_TYPES)."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in ("doc", "xls", "ppt"):
        return head.startswith(_OLE)
    if ext in _OOXML_MAIN or ext in _ODF_MIMETYPE:
        if not head.startswith(b"PK\x03\x04"):
            return False
        matches = _zip_matches(fileobj, ext)
        fileobj.seek(0)
        return matches
    if ext == "mp4":
        return head[4:8] == b"ftyp"
    if ext == "webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    return False


class SafeDocumentForm(BaseDocumentForm):
    """Wagtail's document form (WAGTAILDOCS_DOCUMENT_FORM_BASE) with the content checked against the extension."""

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is None or uploaded is self.instance.file or not hasattr(uploaded, "read"):
            return uploaded
        ext = _extension(uploaded.name or "")
        if ext not in settings.WAGTAILDOCS_EXTENSIONS:
            return uploaded  # Wagtail's own extension check refuses it, with its message
        if not content_matches(uploaded, ext):
            raise forms.ValidationError(
                _("The file's content does not match its name: “%(name)s” is not a real .%(ext)s file.")
                % {"name": uploaded.name, "ext": ext},
                code="content",
            )
        return uploaded


def readable_through_pages(document, user) -> bool:
    """A document that pages use (Wagtail's reference index: rich text links, module documents, choosers) may be
    read by whoever may read one of those live pages (view restrictions and audience); editors, who choose and
    preview documents in the admin, always. A document no page uses follows its collection's rules only."""
    page_type = ContentType.objects.get_for_model(Page)
    page_ids = {
        int(ref.object_id)
        for ref in ReferenceIndex.get_references_to(document).filter(base_content_type=page_type)
        if ref.object_id.isdigit()
    }
    if not page_ids or user.has_perm("wagtailadmin.access_admin"):
        return True
    for page in Page.objects.filter(pk__in=page_ids, live=True).specific():
        if can_view(page, user) and (not isinstance(page, AudienceMixin) or is_targeted(page, user)):
            return True
    return False


def serve(request, document_id: int, document_filename: str) -> HttpResponse:
    """A CMS document, for a logged-in reader (the login wall) whom the collection's view restrictions admit
    (Wagtail's before_serve_document hooks), from private storage, as a download."""
    document = get_object_or_404(get_document_model(), id=document_id)
    if document.filename != document_filename:
        raise Http404
    for hook in hooks.get_hooks("before_serve_document"):
        result = hook(document, request)
        if isinstance(result, HttpResponse):
            return result
    if not readable_through_pages(document, request.user):
        raise Http404  # like a page the reader may not see: its existence is not confirmed
    document_served.send(sender=type(document), instance=document, request=request)
    ext = _extension(document.filename)
    response = private_file_response(
        name=private_name(document.file.name),
        download_name=document.filename,
        # A type outside the allow-list (a file from before it) goes out as opaque bytes.
        content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
    )
    response["Content-Security-Policy"] = SANDBOX_CSP
    return response
