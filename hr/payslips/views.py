"""Payslip pages: self-service (my payslips, detail, PDF) for every employee; batches, import and the component
catalogue for payroll officers. Every read of a payslip is audited; a payslip the user may not read answers 404 and
the attempt is audited as denied."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hr.org.models import Employee
from hr.org.signals import ORG_GENERATION_KEY
from intranet.accounts.permissions import role_required, staff_member
from intranet.accounts.roles import Role, has_role
from intranet.audit.services import audit_record
from intranet.core import tabular
from intranet.core.caching import reader_copy
from intranet.core.private_files import private_file_response
from intranet.issued.services import NotReady
from intranet.issued.views import not_ready_response
from intranet.security.twofactor import recent_second_factor

from . import selectors, services
from .forms import ComponentForm, UploadForm
from .models import Component, PayslipBatch

EXAMPLE_FILE = Path(__file__).resolve().parent / "examples" / "payroll-example.csv"
NO_STORE = "private, no-store"


def _no_store(response):
    response["Cache-Control"] = NO_STORE
    return response


def _denied(request, pk, action: str):
    """Audit an attempt to read a payslip the user may not see, then answer 404."""
    employee_id = selectors.subject_of(pk)
    audit_record(
        action=action,
        request=request,
        object_type="payslips.payslip",
        object_id=str(pk),
        subject_employee=Employee(pk=employee_id) if employee_id else None,
        outcome="denied",
        details={"path": request.path[:200]},
    )
    raise Http404


# --- Self-service -----------------------------------------------------------------------------------------------------


@staff_member
def index(request):
    """My payslips: one year at a time, each month's net, and the year's totals. The content is this reader's copy
    for a minute at most (`reader_copy`): retired at once when a payslip of theirs is published (they are notified) or
    they write anything. Every view is audited, from the copy too."""

    def build():
        years = selectors.own_years(request.user)
        default = years[0] if years else timezone.localdate().year
        try:
            year = int(request.GET.get("year") or default)
        except ValueError:
            year = default
        if not 1900 <= year <= 2999:
            year = default
        slips, summary = selectors.own_year(request.user, year)
        context = {
            "years": years,
            "year": year,
            "slips": slips,
            "summary": summary,
            "is_payroll": has_role(request.user, Role.PAYROLL_OFFICER),
        }
        html = render_to_string("payslips/index_content.html", context, request=None)
        return {"html": html, "year": year, "count": len(slips)}

    # the organisation generation too: a user account linked to another employee record never sees the previous
    # person's payslips from the copy
    copy = reader_copy(request, "payslips", build, also=(ORG_GENERATION_KEY,))
    audit_record(action="payslip.list", request=request, details={"year": copy["year"], "count": copy["count"]})
    return _no_store(render(request, "payslips/index.html", {"content": mark_safe(copy["html"])}))  # noqa: S308


@staff_member
def detail(request, pk):
    try:
        slip, basis = selectors.payslip_for_user(request.user, pk)
    except Http404:
        _denied(request, pk, "payslip.view")
    audit_record(
        action="payslip.view",
        request=request,
        obj=slip,
        subject_employee=slip.employee,
        details={"basis": basis, "period": slip.period.strftime("%Y-%m")},
    )
    return _no_store(
        render(
            request,
            "payslips/detail.html",
            {
                "slip": slip,
                "basis": basis,
                **services.payslip_lines(slip),
                "versions": list(selectors.versions_of(slip)),
                "password_mode": settings.SERAMBI_PAYSLIP_PDF_PASSWORD,
            },
        )
    )


@staff_member
def pdf(request, pk):
    try:
        slip, basis = selectors.payslip_for_user(request.user, pk, fields=selectors.PDF_FIELDS)
    except Http404:
        _denied(request, pk, "payslip.download")
    try:
        name = services.payslip_pdf(payslip=slip)
    except NotReady as exc:
        return not_ready_response(request, exc)
    audit_record(
        action="payslip.download",
        request=request,
        obj=slip,
        subject_employee=slip.employee,
        details={
            "basis": basis,
            "period": slip.period.strftime("%Y-%m"),
            "encrypted": bool(services.pdf_password(slip)),
        },
    )
    return private_file_response(
        name=name,
        download_name=f"slip-gaji-{slip.period:%Y-%m}-{slip.nip}.pdf",
        content_type="application/pdf",
        regenerate=lambda: services.payslip_pdf(payslip=slip),
    )


# --- Payroll officers -------------------------------------------------------------------------------------------------


@role_required(Role.PAYROLL_OFFICER)
def batches(request):
    """Batches in my scope, and the upload form."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(
                user=request.user, uploaded_file=form.cleaned_data["file"], reason=form.cleaned_data["reason"]
            )
        except services.PayslipError as exc:
            form.add_error("file", exc.messages[0])
        else:
            messages.success(request, _("File received. It is being checked; nothing is published yet."))
            return redirect("payslips:batch", pk=batch.pk)
    page = Paginator(selectors.batches_visible_to(request.user).order_by("-created_at"), 20).get_page(
        request.GET.get("page")
    )
    return _no_store(
        render(
            request,
            "payslips/batches.html",
            {
                "form": form,
                "page": page,
                "components": Component.objects.filter(active=True).order_by("order", "code"),
                "max_mb": settings.SERAMBI_PAYSLIP_MAX_UPLOAD_MB,
            },
        )
    )


@role_required(Role.PAYROLL_OFFICER)
def batch_detail(request, pk):
    """A batch: progress while it is checked, its problems, or the preview (totals, missing employees) to publish."""
    batch = selectors.batch_for_user(request.user, pk)
    comps = services.catalogue()
    totals = [(comps[code], Decimal(value)) for code, value in batch.totals.items() if code in comps]
    totals.sort(key=lambda t: (t[0].order, t[0].code))
    page = None
    if batch.status in (PayslipBatch.Status.READY, PayslipBatch.Status.PUBLISHED):
        page = Paginator(
            selectors.batch_payslips(request.user, batch).only("id", "nip", "name", "net", "row_number", "status"), 50
        ).get_page(request.GET.get("page"))
    audit_record(action="payslip.batch.view", request=request, obj=batch)
    return _no_store(
        render(
            request,
            "payslips/batch.html",
            {
                "batch": batch,
                "totals": totals,
                "corrections": selectors.batch_corrections(request.user, batch, comps),
                "page": page,
                "refresh": batch.in_progress,
                "can_publish": batch.status == PayslipBatch.Status.READY,
                "can_discard": batch.status
                in (
                    PayslipBatch.Status.PENDING,
                    PayslipBatch.Status.READY,
                    PayslipBatch.Status.INVALID,
                    PayslipBatch.Status.FAILED,
                ),
            },
        )
    )


@role_required(Role.PAYROLL_OFFICER)
@require_POST
def batch_publish(request, pk):
    batch = selectors.batch_for_user(request.user, pk)
    if settings.SERAMBI_2FA_ENFORCE and not recent_second_factor(request):
        # Step-up: publishing pays out to thousands of people; ask for a fresh second factor first.
        messages.warning(request, _("Confirm with your authenticator code, then publish again."))
        return redirect(f"{reverse('security:2fa_verify')}?next={reverse('payslips:batch', args=[batch.pk])}")
    try:
        services.batch_publish(batch_id=batch.pk, user=request.user)
    except services.PayslipError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Published. Employees are being notified."))
    return redirect("payslips:batch", pk=batch.pk)


@role_required(Role.PAYROLL_OFFICER)
@require_POST
def batch_discard(request, pk):
    batch = selectors.batch_for_user(request.user, pk)
    try:
        services.batch_discard(batch_id=batch.pk, user=request.user)
    except services.PayslipError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The batch was discarded; nothing from it was published."))
    return redirect("payslips:batch", pk=batch.pk)


@role_required(Role.PAYROLL_OFFICER)
def batch_errors_csv(request, pk):
    """The problem list as CSV (row, column, problem, hint). Values are neutralised against formula injection."""
    batch = selectors.batch_for_user(request.user, pk)
    response = tabular.download(
        filename=f"problems-{batch.source_name}",
        header=[_("Row"), _("Column"), _("Problem"), _("How to fix")],
        rows=([p.get("row") or "", p["column"], p["message"], p["hint"]] for p in batch.errors),
    )
    audit_record(action="payslip.batch.export_problems", request=request, obj=batch)
    return response


@role_required(Role.PAYROLL_OFFICER)
def batch_rows_csv(request, pk):
    """The batch's payslips in my scope, in the import format (so it round-trips). Formula-injection safe."""
    batch = selectors.batch_for_user(request.user, pk)
    if batch.period is None:
        raise Http404
    comps = [c for c in services.catalogue().values() if c.active or c.code in batch.totals]
    slips = selectors.batch_payslips(request.user, batch).only("nip", "name", "components", "net", "period")
    response = tabular.download(
        filename=f"payroll-{batch.period:%Y-%m}",
        header=["period", "nip", "name", *[c.code for c in comps], "net"],
        rows=(
            [
                f"{slip.period:%Y-%m}",
                slip.nip,
                slip.name,
                *[slip.components.get(c.code, "0") for c in comps],
                str(slip.net),
            ]
            for slip in slips.iterator(chunk_size=2000)
        ),
    )
    audit_record(action="payslip.batch.export_rows", request=request, obj=batch)
    return response


@role_required(Role.PAYROLL_OFFICER)
def example_csv(request):
    response = HttpResponse(EXAMPLE_FILE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="payroll-example.csv"'
    return response


@role_required(Role.PAYROLL_OFFICER)
def components(request):
    return render(request, "payslips/components.html", {"components": Component.objects.order_by("order", "code")})


@role_required(Role.PAYROLL_OFFICER)
def component_edit(request, pk=None):
    component = get_object_or_404(Component, pk=pk) if pk else Component()
    form = ComponentForm(request.POST or None, instance=component)
    if request.method == "POST" and form.is_valid():
        try:
            services.component_save(user=request.user, component=form.instance, changed=form.changed_data)
        except services.PayslipError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Component saved."))
            return redirect("payslips:components")
    return render(request, "payslips/component_form.html", {"form": form, "component": component})
