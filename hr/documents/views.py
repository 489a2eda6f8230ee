"""HTTP for HR documents: thin — parse, call a selector or service, render. Every read is audited; what a user may
not know exists answers 404, what they may see but not do answers 403 (both audited as denied)."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hr.org.selectors import employee_for_user
from hr.org.signals import ORG_GENERATION_KEY
from intranet.accounts.permissions import role_required, staff_member
from intranet.accounts.roles import Role
from intranet.audit.models import AuditEntry
from intranet.core.caching import reader_copy
from intranet.core.private_files import private_file_response, private_storage, safe_filename

from . import selectors, services
from .forms import (
    AccessRequestForm,
    DecideForm,
    DocumentCreateForm,
    FilterForm,
    LookupForm,
    MetadataForm,
    ShareForm,
    SubmitForm,
    VerifyForm,
    VersionForm,
)
from .models import Classification, Document, DocumentVersion
from .services import DocumentError
from .signals import DOCUMENTS_GENERATION_KEY
from .watermark import watermark_pdf, watermark_text

DENIED = AuditEntry.Outcome.DENIED

ACTION_LABELS = {
    "document.view": gettext_lazy("viewed the details"),
    "document.download": gettext_lazy("downloaded the file"),
    "document.version_download": gettext_lazy("downloaded an earlier version"),
    "document.upload": gettext_lazy("filed the document"),
    "document.submit": gettext_lazy("submitted the document"),
    "document.new_version": gettext_lazy("uploaded a new version"),
    "document.edit": gettext_lazy("edited the details"),
    "document.grant": gettext_lazy("shared the document"),
    "document.revoke": gettext_lazy("revoked a share"),
    "document.grant_expired": gettext_lazy("a share expired"),
    "document.verify": gettext_lazy("verified the document"),
    "document.reject": gettext_lazy("rejected the document"),
    "document.access_request": gettext_lazy("requested access"),
    "document.access_approve": gettext_lazy("approved an access request"),
    "document.access_refuse": gettext_lazy("refused an access request"),
    "document.access_withdraw": gettext_lazy("withdrew an access request"),
}


class CountedPaginator(Paginator):
    """A paginator whose total comes from `count` (a callable, run once when the total is first needed) instead of
    the object list's own COUNT(*): the selectors count the same rows with index-friendly queries."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


def _render(request, template: str, context: dict):
    context.setdefault("is_hr", selectors.is_hr_officer(request.user))
    return render(request, template, context)


def _deny_unknown(request, pk: int, action: str):
    """Audit an attempt on a document the user may not see, then answer 404."""
    doc = Document.objects.filter(pk=pk).select_related("subject_employee").first()
    services.audit_document(
        action=action,
        document=doc,
        document_id=pk,
        request=request,
        outcome=DENIED,
        details={"reason": "not visible"} if doc is not None else {"reason": "no such document"},
    )
    raise Http404


def _visible_or_404(request, pk: int, action: str) -> Document:
    try:
        return selectors.visible_document(request.user, pk)
    except Http404:
        _deny_unknown(request, pk, action)


def _forbid(request, doc: Document, action: str, reason: str):
    services.audit_document(action=action, document=doc, request=request, outcome=DENIED, details={"reason": reason})
    raise PermissionDenied


@staff_member
def index(request):
    """Documents the user may see: own personnel file, unit documents, shared ones, Biasa for all. The content is
    this reader's copy for a minute at most (`reader_copy`), retired at once when the reader writes or is notified,
    when any document, version or grant is written (`signals`: a new Biasa document shows to everyone at once, a
    revoked share disappears at once), and when who is where changes (units, scopes, roles: `hr.org.signals`)."""

    def build():
        form = FilterForm(request.GET or None)
        filters = {}
        if form.is_valid():
            filters = {
                "query": form.cleaned_data.get("q") or "",
                "category": form.cleaned_data.get("category"),
                "classification": form.cleaned_data.get("classification"),
                "kind": form.cleaned_data.get("kind") or "",
            }
        results = selectors.search_documents(request.user, **filters)
        total = partial(selectors.count_search_documents, request.user, **filters)
        page = CountedPaginator(results, settings.DOCUMENTS_PAGE_SIZE, total).get_page(request.GET.get("page"))
        params = {k: v for k, v in request.GET.items() if k != "page" and v}
        context = {
            "form": form,
            "page": page,
            "querystring": urlencode(params),
            "is_hr": selectors.is_hr_officer(request.user),
        }
        return render_to_string("documents/index_content.html", context)

    content = reader_copy(request, "documents", build, also=(DOCUMENTS_GENERATION_KEY, ORG_GENERATION_KEY))
    return render(request, "documents/index.html", {"content": content})


@staff_member
def detail(request, pk: int):
    doc = _visible_or_404(request, pk, "document.view")
    services.audit_document(action="document.view", document=doc, request=request)
    return _detail_page(request, doc)


def _detail_page(request, doc: Document, **sent):
    """The document page; `sent` holds a submitted form (share_form, version_form, request_form, verify_form) to show
    again with what was entered and its errors."""
    user = request.user
    perms = selectors.effective_perms(user, doc, request)
    held = selectors.held_perms(user, doc)
    context = {
        "doc": doc,
        "perms": perms,
        "needs_second_factor": "download" in held and "download" not in perms,
        "versions": list(selectors.versions_for(user, doc, request)),
        "dublin_core": doc.dublin_core(),
        "can_verify": selectors.can_verify(user, doc),
    }
    if "share" in perms:
        context["grants"] = selectors.grants_on(doc)["grants"]
        context["share_form"] = sent.get("share_form") or ShareForm()
    if "change" in perms:
        context["version_form"] = sent.get("version_form") or VersionForm()
    if "download" not in held:
        context["request_form"] = sent.get("request_form") or AccessRequestForm()
    if context["can_verify"]:
        context["verify_form"] = sent.get("verify_form") or VerifyForm(prefix=f"v{doc.pk}")
    return _render(request, "documents/detail.html", context)


def _send(request, doc: Document, version: DocumentVersion, action: str) -> HttpResponse:
    stem = safe_filename(doc.number or doc.title, default="dokumen")
    download_name = f"{stem}-v{version.number}.{version.extension}"
    watermarked = doc.is_watermarked and version.content_type == "application/pdf"
    if watermarked:
        user = request.user
        emp = employee_for_user(user)
        text = watermark_text(
            name=emp.full_name if emp else (user.get_full_name() or user.get_username()),
            nip=emp.nip if emp else "",
            when=timezone.localtime().strftime("%d-%m-%Y %H:%M:%S %Z"),
            label=Classification(doc.classification).label.split(" (")[0].upper(),
        )
        with private_storage().open(version.storage_name, "rb") as fh:
            body = watermark_pdf(fh.read(), text)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{safe_filename(download_name)}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
    else:
        response = private_file_response(
            name=version.storage_name, download_name=download_name, content_type=version.content_type
        )
    services.audit_document(
        action=action,
        document=doc,
        request=request,
        details={"version": version.number, "watermarked": watermarked, "sha256": version.sha256},
    )
    return response


@staff_member
def download(request, pk: int):
    try:
        doc = selectors.document_for_download(request.user, pk)
    except Http404:
        _deny_unknown(request, pk, "document.download")
    if doc.current_version is None or not selectors.may_download(request.user, doc, request):
        _forbid(request, doc, "document.download", "no download permission")
    return _send(request, doc, doc.current_version, "document.download")


@staff_member
def version_download(request, pk: int, number: int):
    doc = _visible_or_404(request, pk, "document.version_download")
    if not selectors.can_download(request.user, doc, request):
        _forbid(request, doc, "document.version_download", "no download permission")
    version = selectors.version_for_download(request.user, doc, number, request)
    return _send(request, doc, version, "document.version_download")


@role_required(Role.HR_OFFICER)
def create(request):
    """HR officers file a document for an employee or a unit in their scope."""
    form = DocumentCreateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            doc = services.document_create(
                created_by=request.user,
                title=data["title"],
                category=data["category"],
                classification=data["classification"],
                file=data["file"],
                subject_employee=data["subject_employee"],
                owner_unit=data["owner_unit"],
                number=data["number"],
                document_date=data["document_date"],
                issuer=data["issuer"],
                keywords=data["keywords"],
                description=data["description"],
                language=data["language"],
                request=request,
            )
        except DocumentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The document was filed."))
            return redirect("documents:detail", pk=doc.pk)
    return _render(request, "documents/form.html", {"form": form, "title": _("File a document"), "multipart": True})


@staff_member
def edit(request, pk: int):
    """Edit the descriptive metadata; for whoever may change the document."""
    doc = _visible_or_404(request, pk, "document.edit")
    if not selectors.can_change(request.user, doc):
        _forbid(request, doc, "document.edit", "no change permission")
    fields = services.METADATA_FIELDS
    form = MetadataForm(request.POST or None, initial={f: getattr(doc, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update_metadata(
                document=doc, user=request.user, request=request, **{f: form.cleaned_data[f] for f in fields}
            )
        except DocumentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The details were saved."))
            return redirect("documents:detail", pk=doc.pk)
    return _render(
        request, "documents/form.html", {"form": form, "title": _("Edit details: %(title)s") % {"title": doc.title}}
    )


@staff_member
@require_POST
def new_version(request, pk: int):
    doc = _visible_or_404(request, pk, "document.new_version")
    if not selectors.can_change(request.user, doc):
        _forbid(request, doc, "document.new_version", "no change permission")
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.version_add(
                document=doc,
                user=request.user,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("A new version was uploaded."))
            return redirect("documents:detail", pk=doc.pk)
    return _detail_page(request, doc, version_form=form)  # the note again; a browser never keeps a chosen file


@staff_member
@require_POST
def share(request, pk: int):
    doc = _visible_or_404(request, pk, "document.grant")
    if not selectors.can_share(request.user, doc):
        _forbid(request, doc, "document.grant", "no share permission")
    form = ShareForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_access(
                document=doc,
                granted_by=request.user,
                perms=set(data["perms"]),
                expires_at=data["expires_at"],
                user=data["grantee_user"],
                group=data["group"],
                request=request,
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Access granted."))
            return redirect("documents:detail", pk=doc.pk)
    return _detail_page(request, doc, share_form=form)


@staff_member
@require_POST
def revoke(request, pk: int):
    doc = _visible_or_404(request, pk, "document.revoke")
    if not selectors.can_share(request.user, doc):
        _forbid(request, doc, "document.revoke", "no share permission")
    kind, grantee_id = request.POST.get("kind"), request.POST.get("id", "")
    if kind not in ("user", "group") or not grantee_id.isdigit():
        raise Http404
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    model = get_user_model() if kind == "user" else Group
    grantee = model.objects.filter(pk=int(grantee_id)).first()
    if grantee is None:
        raise Http404
    try:
        services.revoke_access(
            document=doc,
            revoked_by=request.user,
            user=grantee if kind == "user" else None,
            group=grantee if kind == "group" else None,
            request=request,
        )
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Access revoked."))
    return redirect("documents:detail", pk=doc.pk)


@staff_member
def lookup(request):
    """Find a document by its exact number; if it exists but cannot be opened, access can be requested."""
    return _lookup_page(request, LookupForm(request.GET or None))


def _lookup_page(request, form: LookupForm, sent: tuple[int, AccessRequestForm] | None = None):
    """The lookup page; `sent` is (document id, a submitted access request form) to show again with its errors."""
    results = []
    if form.is_valid():
        number = form.cleaned_data["number"]
        for doc in selectors.find_by_number(request.user, number):
            results.append(
                {
                    "doc": doc,
                    "visible": selectors.can_view(request.user, doc),
                    "downloadable": selectors.can_download(request.user, doc, request),
                    "form": sent[1] if sent and sent[0] == doc.pk else AccessRequestForm(initial={"number": number}),
                }
            )
        services.audit_document(
            action="document.lookup",
            request=request,
            document_id="",
            details={"number": number[:120], "found": len(results)},
        )
    return _render(request, "documents/lookup.html", {"form": form, "results": results})


@staff_member
@require_POST
def request_access(request, pk: int):
    number = request.POST.get("number", "")
    try:
        doc = selectors.requestable_document(request.user, pk, number)
    except Http404:
        _deny_unknown(request, pk, "document.access_request")
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_create(
                document=doc, requester=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your request was sent."))
            return redirect("documents:requests")
    if number:  # sent from the lookup: that page again, with the reason entered
        return _lookup_page(request, LookupForm({"number": number}), (doc.pk, form))
    if selectors.can_view(request.user, doc):
        return _detail_page(request, doc, request_form=form)
    messages.error(request, _("Say why you need the document."))
    return redirect("documents:requests")


@staff_member
def requests(request):
    return _requests_page(request)


def _requests_page(request, sent: tuple[int, DecideForm] | None = None):
    """Access requests to decide and my own; `sent` is (request id, a submitted decision) to show again."""
    return _render(
        request,
        "documents/requests.html",
        {
            "to_decide": [
                {"req": r, "form": sent[1] if sent and sent[0] == r.pk else DecideForm(prefix=f"r{r.pk}")}
                for r in selectors.requests_to_decide(request.user)[:100]
            ],
            "mine": selectors.my_requests(request.user)[:100],
        },
    )


@staff_member
@require_POST
def decide(request, pk: int):
    req = selectors.decidable_request(request.user, pk)
    form = DecideForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.access_request_decide(
                access_request=req,
                decided_by=request.user,
                approve=data["decision"] == "approve",
                expires_at=data.get("expires_at"),
                note=data.get("note") or "",
                request=request,
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("documents:requests")
    return _requests_page(request, (pk, form))


@staff_member
@require_POST
def withdraw(request, pk: int):
    req = selectors.my_requests(request.user).filter(pk=pk).first()
    if req is None:
        raise Http404
    try:
        services.access_request_withdraw(access_request=req, user=request.user, request=request)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("documents:requests")


@staff_member
def mine(request):
    """My personnel file, my submissions and their verification state."""
    emp = employee_for_user(request.user)
    docs = selectors.my_personnel_file(request.user)
    return _render(
        request,
        "documents/mine.html",
        {"employee": emp, "docs": docs[:200], "can_submit": emp is not None and emp.active},
    )


@staff_member
def submit(request):
    emp = employee_for_user(request.user)
    if emp is None or not emp.active:
        raise Http404
    form = SubmitForm(
        request.POST or None, request.FILES or None, categories=selectors.uploadable_categories(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            doc = services.employee_submit(
                user=request.user,
                title=data["title"],
                category=data["category"],
                file=data["file"],
                number=data["number"],
                document_date=data["document_date"],
                issuer=data["issuer"],
                request=request,
            )
        except DocumentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your document was submitted for HR verification."))
            return redirect("documents:detail", pk=doc.pk)
    return _render(
        request,
        "documents/form.html",
        {
            "form": form,
            "title": _("Submit a document for my personnel file"),
            "intro": _("An HR officer responsible for your unit will verify it."),
            "multipart": True,
        },
    )


@staff_member
def access_log(request):
    """Who opened my personnel file: every view, download, share and denied attempt on documents about me."""
    page = Paginator(selectors.access_log_for_subject(request.user), 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = ACTION_LABELS.get(entry.action, entry.action)
    return _render(request, "documents/access_log.html", {"page": page})


@role_required(Role.HR_OFFICER)
def verification(request):
    return _verification_page(request)


def _verification_page(request, sent: tuple[int, VerifyForm] | None = None):
    docs = selectors.pending_verifications(request.user)
    return _render(
        request,
        "documents/verification.html",
        {
            "items": [
                {"doc": d, "form": sent[1] if sent and sent[0] == d.pk else VerifyForm(prefix=f"v{d.pk}")}
                for d in docs[:100]
            ]
        },
    )


@staff_member
@require_POST
def verify(request, pk: int):
    doc = _visible_or_404(request, pk, "document.verify")
    if not selectors.can_verify(request.user, doc):
        _forbid(request, doc, "document.verify", "not awaiting this user's verification")
    form = VerifyForm(request.POST, prefix=f"v{pk}")
    if form.is_valid():
        try:
            services.document_verify(
                document=doc,
                user=request.user,
                approve=form.cleaned_data["decision"] == "verify",
                note=form.cleaned_data.get("note") or "",
                request=request,
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Decision recorded."))
            if request.POST.get("next") == "queue":
                return redirect("documents:verification")
            return redirect("documents:detail", pk=doc.pk)
    if request.POST.get("next") == "queue":
        return _verification_page(request, (doc.pk, form))
    return _detail_page(request, doc, verify_form=form)
