"""HTTP for leave: parse, call a selector or a service, render. No business rule here."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hr.org.models import Employee
from hr.org.selectors import employee_for_user, scope_units, unit_in_scope
from hr.org.signals import ORG_GENERATION_KEY
from intranet.accounts.permissions import role_required, staff_member
from intranet.accounts.roles import Role
from intranet.audit.denials import audit_denied
from intranet.audit.services import audit_record
from intranet.core import tabular
from intranet.core.caching import reader_copy
from intranet.core.private_files import private_file_response
from intranet.issued.models import IssuedDocument
from intranet.issued.services import NotReady
from intranet.issued.views import not_ready_response

from . import selectors, services
from .forms import AdjustmentForm, DecisionForm, HRFilterForm, LeaveRequestForm, OpeningImportForm, ReasonForm
from .ical import feed_ics
from .models import CalendarFeedToken, LeaveRequest, LeaveType

PAGE_SIZE = 20


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _year(request, default=None) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default or timezone.localdate().year
    return year if 2000 <= year <= 2100 else (default or timezone.localdate().year)


def _reader_copy(request, build) -> str | None:
    """This reader's copy of a leave page's content (`intranet.core.caching.reader_copy`): retired at once when the
    reader writes anything or is notified of anything: a request routed to them, an opinion or a decision on theirs,
    a withdrawal, a cancellation, a balance adjustment. What changes without either (a colleague's leave approved,
    counted in the unit's absences; a yearly allocation run; a delegation recorded for today; a directory sync) shows
    within the minute, as on the dashboard. The organisation generation retires it too: a user account linked to
    another employee record never sees the previous person's leave from the copy."""
    return reader_copy(request, "leave", build, also=(ORG_GENERATION_KEY,))


@staff_member
def index(request):
    """My leave: balances with their ledger history, and my requests."""

    def build():
        employee = employee_for_user(request.user)
        if employee is None:
            return None
        year = _year(request)
        context = {
            "user": request.user,
            "employee": employee,
            "year": year,
            "years": [year - 1, year, year + 1],
            "balances": selectors.balances(employee, year),
            "page": _page(request, selectors.my_requests(employee)),
            "querystring": urlencode({"year": year}),
        }
        return render_to_string("leave/index_content.html", context)

    content = _reader_copy(request, build)
    if content is None:
        return render(request, "leave/no_employee.html")
    return render(request, "leave/index.html", {"content": content})


@staff_member
def request_new(request):
    """The leave form (as on the official form). 'Preview' shows working days and the balance after the request,
    rendered by the server; 'Submit' files it."""
    form = LeaveRequestForm(request.POST, request.FILES) if request.method == "POST" else None
    if form is not None and "preview" not in request.POST and form.is_valid():
        # 'Submit': the service reads the account's employee once, under its lock, not here first; a refusal shows
        # the form again below
        data = form.cleaned_data
        try:
            req = services.leave_request_submit(
                user=request.user,
                leave_type=data["leave_type"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                reason=data["reason"],
                address_during_leave=data["address_during_leave"],
                phone_during_leave=data["phone_during_leave"],
                document=data.get("document"),
                emergency=data["emergency"],
                first_hajj=data["first_hajj"],
            )
        except Employee.DoesNotExist:
            return render(request, "leave/no_employee.html")
        except services.LeaveError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your leave request was submitted."))
            return redirect("leave:detail", pk=req.pk)
    employee = employee_for_user(request.user)
    if employee is None:
        return render(request, "leave/no_employee.html")
    preview = None
    if form is None:
        form = LeaveRequestForm(
            initial={"address_during_leave": employee.home_address, "phone_during_leave": employee.personal_phone}
        )
    elif "preview" in request.POST and form.is_valid_for_preview():
        data = form.cleaned_data
        try:
            preview = services.leave_request_preview(
                employee=employee,
                leave_type=data["leave_type"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                emergency=data["emergency"],
                first_hajj=data["first_hajj"],
            )
        except services.LeaveError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request, "leave/request_form.html", {"form": form, "preview": preview, "types": form.offer_to(employee)}
    )


@staff_member
def detail(request, pk: int):
    """A request; for whoever must act on it now, the decision form with the employee's balance (N-2/N-1/N), the
    team's absences in the period and the history."""
    return render(request, "leave/detail.html", _detail_context(request, _visible(request, pk)))


def _detail_context(request, req, decision_form=None) -> dict:
    """What the request page shows `request.user`; `decision_form` is a submitted form to show again with its errors."""
    from . import decision_selectors

    today = timezone.localdate()
    is_owner = req.employee.user_id == request.user.pk
    is_hr = unit_in_scope(request.user, req.employee.unit)
    can_act = req.status in (LeaveRequest.Status.AWAITING_SUPERIOR, LeaveRequest.Status.AWAITING_OFFICIAL) and (
        selectors.can_act(request.user, req, today)
    )
    letter = getattr(req, "letter", None) if req.status == LeaveRequest.Status.APPROVED else None
    steps = selectors.request_steps(req)
    return {
        "req": req,
        "steps": steps,
        "opinion": selectors.superior_opinion(steps),
        "is_owner": is_owner,
        "can_act": can_act,
        "decision_form": (decision_form or DecisionForm()) if can_act else None,
        "can_permit": selectors.can_permit(request.user, req, today),
        "can_withdraw": is_owner and req.is_pending,
        "can_accept": is_owner and req.status == LeaveRequest.Status.CHANGED,
        "can_cancel": req.status == LeaveRequest.Status.APPROVED and ((is_owner and req.start_date > today) or is_hr),
        "cancel_needs_reason": is_hr,
        "letter": letter if letter and letter.file_name else None,
        "balance_years": decision_selectors.annual_balance_years(req) if can_act else None,
        "absences": decision_selectors.team_absences(request.user, req, today) if can_act else None,
    }


def _visible(request, pk: int, *, check_only: bool = False):
    """The request if the user may see it, else 404; the refused attempt is audited (bounded)."""
    try:
        if check_only:
            return selectors.check_visible_request(request.user, pk)
        return selectors.visible_request(request.user, pk)
    except Http404:
        audit_denied(
            action="leave.request.denied", reason="not visible", request=request,
            object_type="leave.leaverequest", object_id=str(pk),
        )
        raise


def _run(request, pk, action, *, checked=False):
    if not checked:  # 404 for anyone outside the chain or HR scope
        _visible(request, pk, check_only=True)
    try:
        action()
    except services.LeaveDenied as exc:
        audit_denied(action="leave.action.denied", reason=exc.reason, request=request,
                     object_type="leave.leaverequest", object_id=str(pk))
        messages.error(request, exc.message)
    except services.LeaveError as exc:
        messages.error(request, exc.message)
    return redirect("leave:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@staff_member
def decide(request, pk: int):
    """The opinion or decision of whoever must act now. A refused form comes back with what was entered and the
    error by its field. A GET (the way back after signing in again when the session had expired while the form was
    open) goes to the request, where the browser's draft of the reason waits."""
    _visible(request, pk, check_only=True)
    if request.method == "GET":
        return redirect("leave:detail", pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.leave_request_decide(
                request_id=pk,
                user=request.user,
                outcome=data["outcome"],
                reason=data["reason"],
                proposed_start=data.get("proposed_start"),
                proposed_end=data.get("proposed_end"),
            )
        except services.LeaveDenied as exc:
            audit_denied(action="leave.action.denied", reason=exc.reason, request=request,
                         object_type="leave.leaverequest", object_id=str(pk))
            messages.error(request, exc.message)
            return redirect("leave:detail", pk=pk)
        except services.LeaveError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your decision was recorded."))
            return redirect("leave:detail", pk=pk)
    context = _detail_context(request, _visible(request, pk), form)
    if context["decision_form"] is None:  # not theirs to decide (any more): the refusal as a message
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("leave:detail", pk=pk)
    return render(request, "leave/detail.html", context)


@require_POST
@staff_member
def withdraw(request, pk: int):
    def action():
        services.leave_request_withdraw(request_id=pk, user=request.user)
        messages.success(request, _("The request was withdrawn."))

    return _run(request, pk, action)


@require_POST
@staff_member
def accept_change(request, pk: int):
    def action():
        services.leave_request_accept_change(request_id=pk, user=request.user)
        messages.success(request, _("You accepted the proposed dates; the leave is approved."))

    return _run(request, pk, action)


@require_POST
@staff_member
def cancel(request, pk: int):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def action():
        services.leave_request_cancel(request_id=pk, user=request.user, reason=reason)
        messages.success(request, _("The leave was cancelled and the days returned to the balance."))

    return _run(request, pk, action)


@require_POST
@staff_member
def permit(request, pk: int):
    def action():
        services.leave_request_grant_temporary(request_id=pk, user=request.user)
        messages.success(request, _("Temporary permission recorded."))

    return _run(request, pk, action)


@staff_member
def document(request, pk: int):
    """The supporting document, for those who may see the request; every read audited."""
    req = _visible(request, pk)
    if not req.document_name:
        raise Http404
    audit_record(action="leave.document.download", request=request, obj=req, subject_employee=req.employee)
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(req.document_type, "bin")
    return private_file_response(
        name=req.document_name,
        download_name=f"dokumen-cuti-{req.pk}.{ext}",
        content_type=req.document_type or "application/octet-stream",
    )


@staff_member
def letter(request, pk: int):
    """The Surat Izin Cuti: the employee, the decision makers and HR in scope; every download audited."""
    try:
        letter = selectors.visible_letter(request.user, pk)
    except Http404:
        audit_denied(action="leave.letter.denied", reason="not visible", request=request,
                     object_type="leave.leaveletter", object_id=str(pk))
        raise
    if letter.request.status != LeaveRequest.Status.APPROVED:  # a cancelled leave's letter is no longer issued
        return not_ready_response(request, NotReady(IssuedDocument(state=IssuedDocument.State.CANCELLED)))
    audit_record(
        action="leave.letter.download",
        request=request,
        obj=letter,
        subject_employee=letter.request.employee,
        details={"number": letter.number},
    )
    return private_file_response(
        name=letter.file_name,
        download_name=f"surat-izin-cuti-{letter.year}-{letter.sequence:04d}.pdf",
        content_type="application/pdf",
        regenerate=lambda: (services.letter_generate(request_id=letter.request_id, replace=True) or letter).file_name,
    )


@staff_member
def inbox(request):
    """Approvals inbox: requests awaiting my opinion, decision or temporary permission, with the unit's overlaps."""

    def build():
        page = _page(request, selectors.with_unit_overlaps(selectors.awaiting_action(request.user)))
        recent = selectors.recently_decided_by(request.user)
        return render_to_string("leave/inbox_content.html", {"user": request.user, "page": page, "recent": recent})

    return render(request, "leave/inbox.html", {"content": _reader_copy(request, build)})


@staff_member
def team_calendar(request):
    """A month of absences for a unit the user may see (no JS: a table, previous/next month links)."""
    units = selectors.calendar_units(request.user)
    if not units:
        return render(request, "leave/no_employee.html")
    code = request.GET.get("unit")
    unit = next((u for u in units if u.code == code), None) if code else None
    if unit is None:
        me = employee_for_user(request.user)
        unit = next((u for u in units if me and u.pk == me.unit_id), units[0])
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    grid = selectors.month_grid(unit, year, month, selectors.sees_leave_types(request.user, unit))
    prev_m = dt.date(year, month, 1) - dt.timedelta(days=1)
    next_m = dt.date(year, month, 28) + dt.timedelta(days=4)
    return render(
        request,
        "leave/team_calendar.html",
        {
            "units": units,
            "unit": unit,
            "grid": grid,
            "month_start": dt.date(year, month, 1),
            "prev": f"{prev_m:%Y-%m}",
            "next": f"{next_m:%Y-%m}",
            "types": LeaveType.objects.filter(active=True),
        },
    )


@role_required(Role.HR_OFFICER)
def hr_dashboard(request):
    """HR: requests and annual balances in scope, filters, adjustments, exports."""
    return _hr_page(request, request.GET)


def _hr_page(request, query, adjust: dict | None = None):
    """The HR dashboard for the filters in `query`; `adjust` is a refused adjustment (employee, days, reason,
    error) that its row shows again."""
    form = HRFilterForm(query or None, scope_units=scope_units(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    year = filters.get("year") or timezone.localdate().year
    unit = filters.get("unit")
    qs = selectors.hr_requests(
        request.user,
        status=filters.get("status") or "",
        leave_type=filters["leave_type"].pk if filters.get("leave_type") else None,
        unit=unit,
        year=year,
    )
    params = {k: v for k, v in query.items() if k != "page" and k != "bpage"}
    balances = Paginator(selectors.hr_balances(request.user, year, unit), PAGE_SIZE).get_page(query.get("bpage"))
    return render(
        request,
        "leave/hr_dashboard.html",
        {
            "form": form,
            "page": _page(request, qs),
            "balances": balances,
            "year": year,
            "querystring": urlencode(params),
            "adjust": adjust or {},
        },
    )


@require_POST
@role_required(Role.HR_OFFICER)
def hr_adjust(request):
    """An HR adjustment of an annual balance; a refused one comes back in its row with what was entered."""
    form = AdjustmentForm(request.POST)
    form.is_valid()
    pk = form.cleaned_data.get("employee")
    if pk is None:
        messages.error(request, _("Check the adjustment: year, days and reason are required."))
        return redirect("leave:hr")
    try:
        employee = selectors.hr_employee(request.user, pk)
    except Http404:
        audit_denied(
            action="leave.ledger.adjust.denied", reason="out of scope", request=request,
            object_type="org.employee", object_id=str(pk),
        )
        raise
    data = form.cleaned_data
    if form.is_valid():
        annual = LeaveType.objects.filter(uses_ledger=True, active=True).order_by("sort_order").first()
        try:
            services.ledger_adjust(
                employee=employee,
                leave_type=annual,
                year=data["year"],
                days=data["days"],
                reason=data["reason"],
                user=request.user,
            )
        except services.LeaveError as exc:
            error = exc.message
        else:
            audit_record(
                action="leave.ledger.adjust",
                request=request,
                obj=employee,
                subject_employee=employee,
                details={"year": data["year"], "days": data["days"], "reason": data["reason"][:255]},
            )
            messages.success(request, _("The balance was adjusted."))
            return redirect(reverse("leave:hr") + "?" + urlencode({"year": data["year"]}))
    else:
        error = _("Check the adjustment: year, days and reason are required.")
    messages.error(request, error)
    adjust = {"employee": employee.pk, "days": request.POST.get("days", ""), "reason": request.POST.get("reason", "")}
    query = {"year": str(data["year"])} if data.get("year") else {}
    return _hr_page(request, query, {**adjust, "error": error})


@role_required(Role.HR_OFFICER)
def hr_opening(request):
    """HR: import the opening annual leave balances of the two years before go-live (all or nothing)."""
    from . import opening

    form = OpeningImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = opening.import_opening(upload=form.cleaned_data["file"], user=request.user)
        except services.LeaveError as exc:
            form.add_error("file", exc.message)
        else:
            if not result.problems:
                messages.success(
                    request,
                    _("Opening balances imported: %(n)s rows.") % {"n": len(result.rows)},
                )
                return redirect("leave:hr_opening")
    today = timezone.localdate()
    return render(
        request,
        "leave/hr_opening.html",
        {"form": form, "result": result, "years": (today.year - 2, today.year - 1)},
    )


EXPORT_HEADER = ["NIP", "Nama", "Unit", "Jenis cuti", "Mulai", "Selesai", "Hari", "Status"]


def _export_rows(qs):
    for r in qs.iterator(chunk_size=2000):
        yield [
            r.employee.nip,
            r.employee.full_name,
            r.employee.unit.name_id,
            r.leave_type.name_id,
            r.start_date.isoformat(),
            r.end_date.isoformat(),
            r.days,
            r.get_status_display(),
        ]


@role_required(Role.HR_OFFICER)
def hr_export(request, fmt: str):
    if fmt not in tabular.FORMATS:
        raise Http404
    year = _year(request)
    qs = selectors.hr_requests(request.user, status=request.GET.get("status", ""), year=year)
    audit_record(action="leave.export", request=request, details={"format": fmt, "year": year})
    return tabular.download(
        filename=f"cuti-{year}", header=EXPORT_HEADER, rows=_export_rows(qs), fmt=fmt, sheet_title=f"Cuti {year}"
    )


@staff_member
def feed_settings(request):
    """Manage the private iCal feed URL (create, replace, revoke)."""
    if request.method == "POST":
        if "revoke" in request.POST:
            services.feed_token_revoke(user=request.user)
            messages.success(request, _("The calendar feed address was revoked."))
        else:
            services.feed_token_rotate(user=request.user)
            messages.success(request, _("A new calendar feed address was created; the old one no longer works."))
        return redirect("leave:feed_settings")
    token = CalendarFeedToken.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("leave:feed", args=[token.token])) if token else ""
    return render(request, "leave/feed_settings.html", {"feed_url": url})


@login_not_required
def feed(request, token):
    """The private iCal feed (the token is the credential; revocable). Approved leave only, without reasons."""
    row = get_object_or_404(CalendarFeedToken.objects.select_related("user"), token=token)
    if not row.user.is_active:
        raise Http404
    body = feed_ics(selectors.feed_requests(row.user), host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
