"""The public verification page, for whoever receives a document (a bank, another unit): no login.

It shows the minimum (document type, issuer unit, issue date, the holder's name with the NIP masked, the status) and
checks an uploaded PDF against the file issued. Rate-limited per client address, every lookup audited; a malformed,
unknown or not yet issued code gets one and the same answer (the page with "no such document", status 404), so codes
cannot be enumerated.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from intranet.audit.services import audit_record
from intranet.security.client_address import address_bucket, client_address
from intranet.security.throttle import Window

from . import verification


class UploadForm(forms.Form):
    file = forms.FileField(label=_("The PDF you received"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.SERAMBI_VERIFY_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is too large: at most %(mb)s MB.") % {"mb": settings.SERAMBI_VERIFY_MAX_UPLOAD_MB}
            )
        return upload


def _window() -> Window:
    return Window("issued:verify", settings.SERAMBI_VERIFY_RATE_LIMIT, 60)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, code: str):
    """Anyone (public by design); throttled, audited."""
    address = address_bucket(client_address(request))  # an IPv6 host holds a whole /64: counted as one
    window = _window()
    if window.limit and window.hit(address) > window.limit:
        if window.first(address, "audited"):
            audit_record(action="issued.verify.throttled", request=request, outcome="denied")
        response = TemplateResponse(request, "issued/verify.html", {"throttled": True}, status=429)
        response["Retry-After"] = str(window.retry_after())
        return response
    doc = verification.find(code)
    if doc is None:
        audit_record(action="issued.verify", request=request, outcome="denied", details={"found": False})
        return TemplateResponse(request, "issued/verify.html", {"doc": None, "form": None}, status=404)
    form, check = UploadForm(), None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            check = verification.check_upload(doc, upload.read())
            form = UploadForm()
    audit_record(
        action="issued.verify",
        request=request,
        obj=doc,
        details={"upload": None if check is None else {"same": check.same_file, "signature": check.signature}},
    )
    context = {"doc": verification.summary(doc), "form": form, "check": check}
    return TemplateResponse(request, "issued/verify.html", context)


def not_ready_response(request, exc):
    """For the download views of the apps that issue documents: the document's state instead of a file."""
    doc = exc.doc
    ended = doc is not None and doc.state in (doc.State.CANCELLED, doc.State.SUPERSEDED)
    status = 410 if ended else 503
    response = TemplateResponse(request, "issued/not_ready.html", {"doc": doc}, status=status)
    if status == 503:
        response["Retry-After"] = "120"
    return response
