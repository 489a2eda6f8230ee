"""What courses a reader sees, their own progress, mandatory assignments and completion reports (HR in scope)."""

from __future__ import annotations

from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from cms.base.audience import audience_q, audience_users
from cms.base.privacy import visible_q
from hr.org.models import Employee
from hr.org.selectors import scope_q
from intranet.accounts.roles import is_administrator

from .models import CoursePage, Enrolment, ModuleProgress


def courses_for(user) -> QuerySet[CoursePage]:
    return (
        CoursePage.objects.live()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .filter(audience_q(CoursePage, user))
        .filter(visible_q(user))
        .order_by(F("due_date").asc(nulls_last=True), "title")
    )


def enrolments_by_course(user, courses) -> dict[int, Enrolment]:
    return {e.course_id: e for e in Enrolment.objects.filter(user=user, course__in=[c.pk for c in courses])}


def enrolment_for(user, course: CoursePage) -> Enrolment | None:
    return Enrolment.objects.filter(user=user, course=course).first()


def completed_module_ids(enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(ModuleProgress.objects.filter(enrolment=enrolment).values_list("module_id", flat=True))


def module_of(course: CoursePage, module_id: int):
    module = course.modules.filter(pk=module_id).first()
    if module is None:
        raise Http404
    return module


def my_due_training(user, today=None) -> list[dict]:
    """Mandatory courses targeted at me and not completed, with a due date: due soon and overdue first."""
    today = today or timezone.localdate()
    completed = Enrolment.objects.filter(user=user, completed_at__isnull=False).values("course_id")
    courses = (
        courses_for(user)
        .filter(mandatory=True, due_date__isnull=False)
        .exclude(pk__in=completed)
        .order_by("due_date", "title")
    )
    return [{"course": c, "days_left": (c.due_date - today).days, "overdue": c.due_date < today} for c in courses[:10]]


def can_report(user) -> bool:
    return is_administrator(user) or scope_q(user) is not None


def completion_report(user, course: CoursePage) -> dict:
    """Per unit: who in the user's HR scope (administrators: everyone) belongs to the course audience or has enrolled,
    and whether they have completed it."""
    if is_administrator(user):
        employees = Employee.objects.filter(active=True, user__isnull=False)
    else:
        q = scope_q(user)
        if q is None:
            raise PermissionDenied
        employees = Employee.objects.filter(q, active=True, user__isnull=False)
    enrolled_users = Enrolment.objects.filter(course=course).values("user_id")
    members = audience_users(course).values("pk") if course.mandatory else enrolled_users
    enrol = Enrolment.objects.filter(course=course, user=OuterRef("user_id"))
    employees = (
        employees.filter(user__in=members)
        .select_related("unit", "position")
        .annotate(
            enrolled_at=Subquery(enrol.values("enrolled_at")[:1]),
            completed_at=Subquery(enrol.values("completed_at")[:1]),
            modules_done=Subquery(enrol.annotate(n=Count("progress")).values("n")[:1]),
        )
        .order_by("unit__path", "sort_name")
    )
    units: OrderedDict = OrderedDict()
    total = done = 0
    for emp in employees:
        row = units.setdefault(emp.unit_id, {"unit": emp.unit, "people": [], "done": 0})
        row["people"].append(emp)
        total += 1
        if emp.completed_at:
            row["done"] += 1
            done += 1
    for row in units.values():
        n = len(row["people"])
        row["percent"] = round(100 * row["done"] / n, 1) if n else 0.0
    return {
        "units": list(units.values()),
        "total": total,
        "done": done,
        "percent": round(100 * done / total, 1) if total else 0.0,
    }
