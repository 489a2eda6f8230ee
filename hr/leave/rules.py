"""The eligibility rules of the regulation that are more than a leave type's data. `LeaveType` holds the plain limits
(unit, maxima, document, employment types, gender, years of service) and HR edits them; the rules here decide what the
data cannot say: which type a request really is, which ground sets a condition aside, and the limits that depend on the
employee's status. `services.assess` applies them to every preview, submission and change. hr/leave/README.md
("Eligibility by leave type") lists every rule with its article.

Sources: PP 11/2017 on PNS management as amended by PP 17/2020; Peraturan BKN 24/2017 on leave procedure as amended by
Peraturan BKN 7/2021; PP 49/2018 on PPPK management.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from hr.org.models import Employee

from .errors import LeaveError
from .models import LeaveRequest, LeaveType
from .workdays import add_months
from .yearend import eligible

LONG_LEAVE = "besar"
MATERNITY = "melahirkan"
SICK = "sakit"

Ground = LeaveRequest.Ground
PPPK = Employee.EmploymentType.PPPK
LIVE = (*LeaveRequest.PENDING, LeaveRequest.Status.APPROVED)

# PP 11/2017 art. 325(1)-(2): births one to three while a civil servant give maternity leave, from the fourth birth on
# long leave is given instead. PP 49/2018 (PPPK): maternity leave for births one to three while PPPK; no long leave.
MATERNITY_BIRTHS = 3
# PP 49/2018 (PPPK sick leave): at most one month; a PPPK not recovered by then leaves the service.
PPPK_SICK_MONTHS = 1
# Grounds that set aside the five years of service of long leave: PP 11/2017 art. 315(3) with Perban BKN 24/2017
# (religious duty: the first hajj) and art. 325(2) (fourth birth).
WAIVES_SERVICE = (Ground.FIRST_HAJJ, Ground.FOURTH_BIRTH)


@dataclass(frozen=True)
class Resolution:
    """The leave type a request is granted as and the ground recorded on it."""

    leave_type: LeaveType
    ground: str = Ground.NONE


def births_recorded(employee: Employee, exclude_pk: int | None = None) -> int:
    """Births while in the service so far: those recorded on the employee before these records began
    (`Employee.prior_births`, kept by HR) and every maternity leave (or fourth-birth long leave) pending or approved
    here; one query."""
    here = (
        LeaveRequest.objects.filter(employee=employee, status__in=LIVE)
        .filter(Q(leave_type__code=MATERNITY) | Q(ground=Ground.FOURTH_BIRTH))
        .exclude(pk=exclude_pk or 0)
        .count()
    )
    return employee.prior_births + here


def resolve(
    *, employee: Employee, leave_type: LeaveType, first_hajj: bool = False, exclude_pk: int | None = None
) -> Resolution:
    """What the employee's request is granted as.

    - First hajj (PP 11/2017 art. 315(3); Perban BKN 24/2017, long leave): long leave with the hajj ground, which
      sets the five years of service aside; only long leave has this ground.
    - Maternity from the fourth birth as a civil servant (PP 11/2017 art. 325(2)): granted as long leave with the
      fourth-birth ground, without the five years of service. Only for those long leave is open to (PNS); a CPNS
      or PPPK keeps the maternity type and its own limits (`check`)."""
    if first_hajj:
        if leave_type.code != LONG_LEAVE:
            raise LeaveError(_("The first-hajj ground applies to long leave (cuti besar) only."), "first_hajj")
        return Resolution(leave_type, Ground.FIRST_HAJJ)
    if leave_type.code == MATERNITY and births_recorded(employee, exclude_pk) >= MATERNITY_BIRTHS:
        long_leave = LeaveType.objects.filter(code=LONG_LEAVE, active=True).first()
        if long_leave is not None and eligible(long_leave, employee.employment_type, employee.gender):
            return Resolution(long_leave, Ground.FOURTH_BIRTH)
    return Resolution(leave_type)


def waives_service(ground: str) -> bool:
    return ground in WAIVES_SERVICE


def check(
    *,
    employee: Employee,
    leave_type: LeaveType,
    ground: str,
    start_date: dt.date,
    end_date: dt.date,
    has_document: bool,
    exclude_pk: int | None = None,
) -> None:
    """The rules beyond the type's data; raises LeaveError."""
    if ground == Ground.FIRST_HAJJ:
        if not has_document:
            raise LeaveError(
                _("Long leave for the first hajj needs the hajj departure schedule as supporting document."),
                "document",
            )
        used = LeaveRequest.objects.filter(employee=employee, ground=Ground.FIRST_HAJJ, status__in=LIVE)
        if used.exclude(pk=exclude_pk or 0).exists():
            raise LeaveError(
                _("The first-hajj ground was already used; another long leave needs five years of service."),
                "first_hajj",
            )
    if ground == Ground.FOURTH_BIRTH and not has_document:
        raise LeaveError(
            _("Leave for a birth needs a doctor's or midwife's statement as supporting document."), "document"
        )
    if employee.employment_type != PPPK:
        return
    if leave_type.code == SICK and end_date >= add_months(start_date, PPPK_SICK_MONTHS):
        raise LeaveError(_("Sick leave of a PPPK employee is at most one month (PP 49/2018)."), "end_date")
    if leave_type.code == MATERNITY and births_recorded(employee, exclude_pk) >= MATERNITY_BIRTHS:
        raise LeaveError(
            _("Maternity leave of a PPPK employee covers the first to third birth as PPPK (PP 49/2018)."),
            "leave_type",
        )
