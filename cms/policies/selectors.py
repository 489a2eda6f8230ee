"""Which policies a reader sees and must acknowledge; acknowledgement reports for HR officers in scope."""

from __future__ import annotations

from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from cms.base.audience import audience_q, audience_users
from cms.base.privacy import visible_q
from hr.org.models import Employee
from hr.org.selectors import scope_q
from intranet.accounts.roles import is_administrator

from .models import Acknowledgement, AcknowledgementRound, PolicyPage


def current_round_revision():
    """Subquery: the revision id of the page's latest acknowledgement round (None before the first)."""
    return Subquery(
        AcknowledgementRound.objects.filter(page=OuterRef("pk")).order_by("-revision_id").values("revision_id")[:1]
    )


def ack_revision_id(page: PolicyPage) -> int | None:
    return (
        AcknowledgementRound.objects.filter(page=page)
        .order_by("-revision_id")
        .values_list("revision_id", flat=True)
        .first()
    )


def policies_for(user) -> QuerySet[PolicyPage]:
    return (
        PolicyPage.objects.live()
        .annotate(ack_revision_id=current_round_revision())
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .filter(audience_q(PolicyPage, user))
        .filter(visible_q(user))
        .order_by("title", "pk")
    )


def _acked(user_ref):
    return Exists(
        Acknowledgement.objects.filter(page=OuterRef("pk"), user=user_ref, revision_id__gte=OuterRef("ack_revision_id"))
    )


def pending_for(user) -> QuerySet[PolicyPage]:
    """Policies targeted at `user` whose revision-to-acknowledge the user has not acknowledged yet."""
    return (
        policies_for(user)
        .filter(requires_acknowledgement=True, ack_revision_id__isnull=False)
        .exclude(_acked(user.pk))
        .order_by(F("acknowledge_by").asc(nulls_last=True), "title")
    )


def has_acknowledged(page: PolicyPage, user) -> bool:
    rev = ack_revision_id(page)
    if not rev:
        return False
    return Acknowledgement.objects.filter(page=page, user=user, revision_id__gte=rev).exists()


def can_report(user) -> bool:
    return is_administrator(user) or scope_q(user) is not None


def acknowledgement_report(user, page: PolicyPage) -> dict:
    """Employees of the policy's audience within the user's HR scope (administrators: everyone), per unit,
    with whether each has acknowledged the current revision. Raises PermissionDenied for anyone else."""
    if is_administrator(user):
        employees = Employee.objects.filter(active=True)
    else:
        q = scope_q(user)
        if q is None:
            raise PermissionDenied
        employees = Employee.objects.filter(q, active=True)
    rev = ack_revision_id(page) or 0
    employees = (
        employees.filter(user__in=audience_users(page).values("pk"))
        .select_related("unit", "position")
        .annotate(
            acknowledged=Exists(
                Acknowledgement.objects.filter(page=page, user=OuterRef("user_id"), revision_id__gte=rev)
            )
        )
        .order_by("unit__path", "sort_name")
    )
    units: OrderedDict = OrderedDict()
    total = done = 0
    for emp in employees:
        row = units.setdefault(emp.unit_id, {"unit": emp.unit, "people": [], "done": 0})
        row["people"].append(emp)
        total += 1
        if emp.acknowledged:
            row["done"] += 1
            done += 1
    for row in units.values():
        n = len(row["people"])
        row["percent"] = round(100 * row["done"] / n, 1) if n else 0.0
        row["missing"] = n - row["done"]
    return {
        "units": list(units.values()),
        "total": total,
        "done": done,
        "percent": round(100 * done / total, 1) if total else 0.0,
    }
