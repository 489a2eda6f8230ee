"""Who may see which payslip or batch. The only place that decides it.

- An employee sees their own published (and superseded) payslips, never drafts, never anyone else's.
- A payroll officer (role AND payroll scope) sees batches and payslips of employees in the units of their scope.
- HR officers without the payroll role see nothing here (least privilege).
"""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from hr.org.models import Employee, HRScope
from hr.org.selectors import scope_q

from .models import Payslip, PayslipBatch

PAYROLL = HRScope.Kind.PAYROLL
VISIBLE_TO_EMPLOYEE = (Payslip.Status.PUBLISHED, Payslip.Status.SUPERSEDED)


def _own(user) -> QuerySet[Payslip]:
    """The user's published payslips: by their employee record when this request already read it, else through a
    join on it (an employee record read only to take its id would cost the page a query)."""
    if not user.is_authenticated:
        return Payslip.objects.none()
    rel = Employee._meta.get_field("user").remote_field
    if rel.is_cached(user):
        employee = rel.get_cached_value(user)
        if employee is None:
            return Payslip.objects.none()
        return Payslip.objects.filter(employee=employee, status=Payslip.Status.PUBLISHED)
    return Payslip.objects.filter(employee__user=user, status=Payslip.Status.PUBLISHED)


def own_payslips(user) -> QuerySet[Payslip]:
    """The user's current (published) payslips, newest first."""
    return _own(user).order_by("-period")


def own_years(user) -> list[int]:
    return [d.year for d in _own(user).dates("period", "year", order="DESC")]


def own_year(user, year: int) -> tuple[list[Payslip], dict]:
    """One year's payslips (by month) and the year's totals: two queries whatever the number of months."""
    qs = own_payslips(user).filter(period__year=year).order_by("period")
    slips = list(
        qs.only("id", "period", "gross", "deductions", "net", "status", "batch__reason").select_related("batch")
    )
    summary = {
        "gross": sum((s.gross for s in slips), start=0),
        "deductions": sum((s.deductions for s in slips), start=0),
        "net": sum((s.net for s in slips), start=0),
        "months": len(slips),
    }
    return slips, summary


def latest_own_payslip(user) -> Payslip | None:
    return own_payslips(user).only("id", "period", "net").first()


# What serving a kept PDF reads of a payslip (its file name, who may read it, the PDF password): `services.payslip_pdf`
# reads the whole payslip again in the rare case it has to render the file first.
PDF_FIELDS = ("id", "period", "status", "nip", "employee__user_id", "employee__birth_date")


def payslip_for_user(user, pk, *, fields: tuple[str, ...] | None = None) -> tuple[Payslip, str]:
    """The payslip with `pk` if the user may read it, and on what basis ('own' or 'payroll'); Http404 otherwise
    (whether it exists or not: a guess learns nothing). With `fields`, only those (and the employee) are read."""
    if fields is None:
        qs = Payslip.objects.select_related("employee", "batch", "superseded_by_batch")
    else:
        qs = Payslip.objects.select_related("employee").only(*fields)
    slip = qs.filter(pk=pk).first()
    if slip is None:
        raise Http404
    if slip.employee.user_id == user.pk and slip.status in VISIBLE_TO_EMPLOYEE:
        return slip, "own"
    q = scope_q(user, PAYROLL, prefix="employee__unit__")
    if q is not None and Payslip.objects.filter(q, pk=slip.pk).exists():
        return slip, "payroll"
    raise Http404


def subject_of(pk) -> int | None:
    """Whose payslip an id refers to (for auditing a denied attempt); None when no such payslip exists."""
    return Payslip.objects.filter(pk=pk).values_list("employee_id", flat=True).first()


def versions_of(slip: Payslip) -> QuerySet[Payslip]:
    """Every published or superseded payslip of the same employee and month (the correction history)."""
    return (
        Payslip.objects.filter(employee_id=slip.employee_id, period=slip.period, status__in=VISIBLE_TO_EMPLOYEE)
        .select_related("batch")
        .order_by("-batch__created_at")
    )


def batches_visible_to(user) -> QuerySet[PayslipBatch]:
    """Batches the user uploaded, and batches holding payslips of employees in the user's payroll scope."""
    q = scope_q(user, PAYROLL, prefix="employee__unit__")
    if q is None:
        return PayslipBatch.objects.none()
    in_scope = Payslip.objects.filter(q, batch_id=OuterRef("pk"))
    return PayslipBatch.objects.filter(Q(created_by=user) | Exists(in_scope)).select_related("created_by")


def batch_for_user(user, pk) -> PayslipBatch:
    batch = batches_visible_to(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def batch_payslips(user, batch: PayslipBatch) -> QuerySet[Payslip]:
    q = scope_q(user, PAYROLL, prefix="employee__unit__")
    if q is None:
        return Payslip.objects.none()
    return batch.payslips.filter(q).order_by("row_number")


def payroll_period_overview(user, period) -> dict:
    q = scope_q(user, PAYROLL, prefix="employee__unit__")
    if q is None:
        return {}
    return Payslip.objects.filter(q, period=period, status=Payslip.Status.PUBLISHED).aggregate(
        count=Count("id"), net=Sum("net")
    )


CORRECTIONS_SHOWN = 200


def batch_corrections(user, batch: PayslipBatch, comps: dict, *, limit: int = CORRECTIONS_SHOWN) -> list[dict]:
    """For a batch ready to publish: each employee (in the reader's scope) whose published payslip for the month it
    replaces, with the old and new net pay and every component that changes. Two queries, at most `limit` rows."""
    if batch.status != PayslipBatch.Status.READY or not batch.replaces_count:
        return []
    drafts = list(
        batch_payslips(user, batch)
        .filter(status=Payslip.Status.DRAFT)
        .filter(
            Exists(
                Payslip.objects.filter(
                    employee_id=OuterRef("employee_id"), period=batch.period, status=Payslip.Status.PUBLISHED
                )
            )
        )
        .only("id", "employee_id", "nip", "name", "net", "components", "row_number")[:limit]
    )
    current = {
        s.employee_id: s
        for s in Payslip.objects.filter(
            employee_id__in=[d.employee_id for d in drafts], period=batch.period, status=Payslip.Status.PUBLISHED
        ).only("id", "employee_id", "net", "components")
    }
    rows = []
    for new in drafts:
        old = current[new.employee_id]
        changes = [
            (comps[code] if code in comps else code, old.components.get(code, "0"), new.components.get(code, "0"))
            for code in sorted(
                set(old.components) | set(new.components),
                key=lambda c: (comps[c].order, c) if c in comps else (10_000, c),
            )
            if Decimal(old.components.get(code, "0")) != Decimal(new.components.get(code, "0"))
        ]
        rows.append(
            {
                "nip": new.nip,
                "name": new.name,
                "row": new.row_number,
                "old_net": old.net,
                "new_net": new.net,
                "difference": new.net - old.net,
                "changes": [(c, Decimal(a), Decimal(b)) for c, a, b in changes],
            }
        )
    return rows
