"""The leave request form (Formulir Permintaan dan Pemberian Cuti) as a page and as a PDF: for whoever may see the
request (the employee, the superior and the official in its chain, HR officers whose scope covers the employee);
anyone else gets 404, audited. Every PDF download is audited."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from hr.leave import documents, selectors
from intranet.accounts.permissions import staff_member
from intranet.audit.denials import audit_denied
from intranet.audit.services import audit_record
from intranet.core.pdf import html_to_pdf
from intranet.core.private_files import private_file_response
from intranet.issued.services import NotReady
from intranet.issued.views import not_ready_response

from .form import form_context, form_html


def _visible(request, pk: int):
    try:
        return selectors.visible_request(request.user, pk)
    except Http404:
        audit_denied(
            action="leave.form.denied",
            reason="not visible",
            request=request,
            object_type="leave.leaverequest",
            object_id=str(pk),
        )
        raise


@staff_member
def form_page(request, pk: int):
    req = _visible(request, pk)
    return render(request, "leave/official/form_page.html", form_context(req))


@staff_member
def form_pdf(request, pk: int):
    """Once the official has decided: the signed, verifiable form. Before: the form as it stands, unsigned."""
    req = _visible(request, pk)
    try:
        name = documents.form_file(req)
    except NotReady as exc:
        return not_ready_response(request, exc)
    audit_record(action="leave.form.download", request=request, obj=req, subject_employee=req.employee)
    download_name = f"formulir-cuti-{req.pk}.pdf"
    if name is None:
        response = HttpResponse(html_to_pdf(form_html(req)), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    return private_file_response(
        name=name,
        download_name=download_name,
        content_type="application/pdf",
        regenerate=lambda: documents.form_file(req),
    )
