"""The superior's opinion and the authorised official's decision, and what follows them: deferral, change,
withdrawal, cancellation and temporary permission."""

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.duties import refused_own_record
from hr.org.models import Employee
from hr.org.selectors import Authority, authority_holder, unit_in_scope
from intranet.audit.services import audit_record
from intranet.issued.services import cancel as cancel_documents
from intranet.issued.services import issue as issue_document

from .. import yearend
from ..documents import FORM, LETTER
from ..errors import LeaveDenied, LeaveError
from ..models import (
    ApprovalStep,
    LeaveRequest,
    LeaveType,
    LedgerEntry,
)
from .authority import current_authority
from .common import Kind, Outcome, Stage, Status, lock_request
from .ledger import allocate_year, ledger_balance, pending_hold
from .notify import describe, notify_about, notify_all_about, notify_next_actor
from .submission import assess


def _actor_authority(req: LeaveRequest, user, today: dt.date) -> tuple[str, Authority, Employee]:
    actor = getattr(user, "employee", None) if user is not None else None
    stage, authority = current_authority(req, today)
    if not stage:
        raise LeaveError(_("This request has already been decided."))
    if actor is None or authority is None or authority.employee.pk != actor.pk:
        if actor is not None and req.steps.filter(actor=actor).exists():  # lost a race with their own earlier act
            raise LeaveError(_("You have already acted on this request; it has moved on."))
        raise LeaveDenied(_("You may not decide this request."), "not the deciding official")
    return stage, authority, actor


def _acting_text(authority: Authority) -> str:
    if authority.delegation is None:
        return ""
    d = authority.delegation
    return f"{d.kind}. {d.position.name_id} ({d.decree_number})"  # "Plh. Kepala …": acting in the position


def opinion_text(outcome: str, reason: str) -> str:
    """The superior's opinion in plain words for the employee: it is advisory, the authorised official decides
    (Perban BKN 24/2017)."""
    said = {
        Outcome.APPROVE: _("Your superior's opinion: approve."),
        Outcome.CHANGE: _("Your superior's opinion: change the dates."),
        Outcome.DEFER: _("Your superior's opinion: defer."),
        Outcome.REFUSE: _("Your superior's opinion: refuse."),
    }.get(outcome, "")
    parts = [
        said,
        _("Reason: %(reason)s") % {"reason": reason} if reason else "",
        _("The authorised official decides."),
    ]
    return " ".join(p for p in parts if p)


def _refuse_own_request(request_id: int, user, *, act: str) -> None:
    """A decision or permission on one's own request is refused (even when one holds the deciding position, e.g. as
    Plt of one's superior), and the attempt audited."""
    owner = LeaveRequest.objects.filter(pk=request_id).values_list("employee_id", flat=True).first()
    if owner is not None and refused_own_record(user, owner, act=act):
        raise LeaveError(_("You may not decide on your own leave; it goes to another official."))


def _check_reason(outcome: str, reason: str) -> None:
    if outcome != Outcome.APPROVE and not reason.strip():
        raise LeaveError(_("Give a reason for this outcome."), "reason")


def leave_request_decide(
    *,
    request_id: int,
    user,
    outcome: str,
    reason: str = "",
    proposed_start: dt.date | None = None,
    proposed_end: dt.date | None = None,
    today: dt.date | None = None,
) -> LeaveRequest:
    """The superior's opinion or the official's decision, whichever is due; one immutable step. Concurrent calls for
    the same request are serialised by the row locks: the second one finds the request already moved on."""
    today = today or timezone.localdate()
    if outcome not in ApprovalStep.DECISIONS:
        raise LeaveError(_("Choose approve, change, defer or refuse."), "outcome")
    _check_reason(outcome, reason)
    _refuse_own_request(request_id, user, act="leave.decide")
    with transaction.atomic():
        req = lock_request(request_id)
        stage, authority, actor = _actor_authority(req, user, today)
        if stage == Stage.SUPERIOR and req.official_position_id:
            official = authority_holder(req.official_position, today)
            if official is not None and official.employee.pk == actor.pk:
                stage, authority = Stage.OFFICIAL, official  # same person: one step
        proposed_days = None
        if outcome == Outcome.CHANGE:
            if not proposed_start or not proposed_end:
                raise LeaveError(_("Give the proposed new dates."), "proposed_start")
            proposed_days = assess(
                employee=req.employee,
                leave_type=req.leave_type,
                start_date=proposed_start,
                end_date=proposed_end,
                exclude_pk=req.pk,
                today=today,
                ground=req.ground,
            ).days
        ApprovalStep.objects.create(
            request=req,
            stage=stage,
            outcome=outcome,
            actor=actor,
            actor_user=user,
            acting_for=authority.delegation,
            acting_for_text=_acting_text(authority),
            reason=reason.strip(),
            proposed_start=proposed_start if outcome == Outcome.CHANGE else None,
            proposed_end=proposed_end if outcome == Outcome.CHANGE else None,
        )
        audit_record(
            action=f"leave.decision.{outcome}",
            actor=user,
            obj=req,
            subject_employee=req.employee,
            acting_for=_acting_text(authority),
            details={"stage": stage, "reason": reason.strip()[:255]},
        )
        req.last_action_at = timezone.now()
        req.reminded_at = None
        if stage == Stage.SUPERIOR:
            req.status = Status.AWAITING_OFFICIAL
            req.route_position, req.route_employee = req.official_position, None
            req.save()
            notify_about(
                req.employee,
                "leave.opinion",
                _("Your superior gave an opinion on your leave request"),
                f"{describe(req)} {opinion_text(outcome, reason.strip())}",
                req,
            )
            notify_next_actor(req, today)
            return req
        req.route_position = req.route_employee = None
        issue_document(FORM, req)  # the form, section VIII filled, signed by the deciding official
        if outcome == Outcome.APPROVE:
            _approve(req, user, today)
        elif outcome == Outcome.CHANGE:
            req.status = Status.CHANGED
            req.proposed_start, req.proposed_end, req.proposed_days = proposed_start, proposed_end, proposed_days
            req.save()
            notify_about(req.employee, "leave.changed", _("A change to your leave was proposed"), describe(req), req)
        elif outcome == Outcome.DEFER:
            req.status = Status.DEFERRED
            req.save()
            _post_deferral(req, user, today)
            notify_about(req.employee, "leave.deferred", _("Your leave was deferred"), describe(req), req)
        else:
            req.status = Status.REFUSED
            req.save()
            notify_about(req.employee, "leave.refused", _("Your leave request was refused"), describe(req), req)
    return req


def _open_for_decision(req: LeaveRequest, leave_type: LeaveType, today: dt.date) -> None:
    """Before a decision posts to the ledger: open a begun year the job has not reached (close the previous one,
    allocate), or post next year's allocation alone (the close of this year waits for its end)."""
    if req.year <= today.year:
        yearend.open_on_demand(req.employee, leave_type, req.year, today)
    elif req.year == today.year + 1:
        allocate_year(year=req.year, employee_ids=[req.employee_id])


def _approve(req: LeaveRequest, user, today: dt.date | None = None) -> None:
    """Status approved, usage posted (and cuti tahunan forfeited for cuti besar), letter queued."""
    today = today or timezone.localdate()
    lt = req.leave_type
    if lt.uses_ledger:
        _open_for_decision(req, lt, today)
        others = pending_hold(req.employee_id, lt.pk, req.year, exclude_pk=req.pk)
        if req.year > today.year:
            # next year before this one has closed: the usage must fit what next year's ledger holds (never
            # negative), and the other pending requests must still fit its projection
            if ledger_balance(req.employee_id, lt.pk, req.year) < req.days:
                raise LeaveError(
                    _(
                        "Next year's allocation does not cover this request: the days carried over from %(year)s "
                        "are added when that year is closed, after its end; decide then."
                    )
                    % {"year": today.year}
                )
            room = yearend.projection(req.employee, lt, req.year, today).total - others
        else:
            room = ledger_balance(req.employee_id, lt.pk, req.year) - others
        if room < req.days:
            raise LeaveError(_("Not enough leave balance to approve this request."))
        LedgerEntry.objects.create(
            employee=req.employee,
            leave_type=lt,
            year=req.year,
            kind=Kind.USAGE,
            days=-req.days,
            request=req,
            created_by=user,
        )
    if lt.forfeits_annual_leave:
        # that year's annual leave is forfeited even when its allocation was not posted yet; what is carried into it
        # at the close is forfeited then (`yearend.close_year`)
        for annual in LeaveType.objects.filter(uses_ledger=True, active=True, forfeits_annual_leave=False):
            if req.year <= today.year + 1:
                _open_for_decision(req, annual, today)
            rest = ledger_balance(req.employee_id, annual.pk, req.year)
            if rest > 0:
                LedgerEntry.objects.create(
                    employee=req.employee,
                    leave_type=annual,
                    year=req.year,
                    kind=Kind.EXPIRY,
                    days=-rest,
                    request=req,
                    reason=f"forfeited by {lt.code}",
                    created_by=user,
                )
    req.status = Status.APPROVED
    req.save()
    notify_about(req.employee, "leave.approved", _("Your leave was approved"), describe(req), req)
    issue_document(LETTER, req)  # recorded with the approval; rendered after commit, or by the sweep


def _post_deferral(req: LeaveRequest, user, today: dt.date) -> None:
    """Deferred days move to next year's balance, within the deferral cap (entitlement + deferred ≤ 24) and within
    what the request's year holds for it (a year not opened yet is opened first, as for an approval)."""
    lt = req.leave_type
    if not (lt.uses_ledger and lt.deferrable):
        return
    _open_for_decision(req, lt, today)
    already = (
        LedgerEntry.objects.filter(
            employee=req.employee, leave_type=lt, year=req.year + 1, kind=Kind.DEFERRAL, days__gt=0
        ).aggregate(s=Sum("days"))["s"]
        or 0
    )
    room = max(ledger_balance(req.employee_id, lt.pk, req.year), 0)  # the year's sum never goes negative
    credit = min(req.days, room, max(lt.deferral_max - lt.yearly_entitlement - already, 0))
    if credit <= 0:
        return
    common = {"employee": req.employee, "leave_type": lt, "kind": Kind.DEFERRAL, "request": req, "created_by": user}
    LedgerEntry.objects.create(year=req.year, days=-credit, reason=f"deferred to {req.year + 1}", **common)
    LedgerEntry.objects.create(year=req.year + 1, days=credit, reason=f"deferred from {req.year}", **common)


def leave_request_accept_change(*, request_id: int, user, today: dt.date | None = None) -> LeaveRequest:
    """The employee accepts the official's proposed dates: the request is approved with them."""
    today = today or timezone.localdate()
    with transaction.atomic():
        req = lock_request(request_id)
        if req.employee.user_id != getattr(user, "pk", None):
            raise LeaveError(_("Only the employee can answer a proposed change."))
        if req.status != Status.CHANGED:
            raise LeaveError(_("There is no proposed change to accept."))
        result = assess(
            employee=req.employee,
            leave_type=req.leave_type,
            start_date=req.proposed_start,
            end_date=req.proposed_end,
            exclude_pk=req.pk,
            today=today,
            ground=req.ground,
        )
        req.start_date, req.end_date, req.days = req.proposed_start, req.proposed_end, result.days
        req.calendar_versions = result.calendar_versions or req.calendar_versions
        req.proposed_start = req.proposed_end = req.proposed_days = None
        req.last_action_at = timezone.now()
        ApprovalStep.objects.create(
            request=req, stage=Stage.EMPLOYEE, outcome=Outcome.ACCEPT, actor=req.employee, actor_user=user
        )
        _approve(req, user, today)
    return req


def leave_request_withdraw(*, request_id: int, user) -> LeaveRequest:
    """The employee withdraws a request that has no final decision yet (also the answer 'no' to a change)."""
    with transaction.atomic():
        req = lock_request(request_id)
        if req.employee.user_id != getattr(user, "pk", None):
            raise LeaveError(_("Only the employee can withdraw this request."))
        if not req.is_pending:
            raise LeaveError(_("Only a request without a final decision can be withdrawn."))
        today = timezone.localdate()
        _stage, authority = current_authority(req, today)
        req.status = Status.WITHDRAWN
        req.route_position = req.route_employee = None
        req.last_action_at = timezone.now()
        req.save(update_fields=["status", "route_position", "route_employee", "last_action_at", "updated_at"])
        ApprovalStep.objects.create(
            request=req, stage=Stage.EMPLOYEE, outcome=Outcome.WITHDRAW, actor=req.employee, actor_user=user
        )
        notify_all_about(
            req,
            (req.employee, "leave.withdrawn", _("Your leave request was withdrawn")),
            (authority and authority.employee, "leave.withdrawn", _("A leave request was withdrawn")),
        )
    return req


def leave_request_cancel(*, request_id: int, user, reason: str = "", today: dt.date | None = None) -> LeaveRequest:
    """Cancel an approved leave: the employee before it starts, or HR in scope (with a reason) at any time. Every
    ledger movement of the request is reversed by a new entry."""
    today = today or timezone.localdate()
    own = LeaveRequest.objects.filter(pk=request_id, employee__user_id=getattr(user, "pk", None), start_date__lte=today)
    own = own.select_related("employee__unit").first()
    if own is not None and unit_in_scope(user, own.employee.unit):
        refused_own_record(user, own.employee, act="leave.cancel")
        raise LeaveError(_("You may not cancel your own leave as an HR officer; another HR officer must."))
    with transaction.atomic():
        req = lock_request(request_id)
        if req.status != Status.APPROVED:
            raise LeaveError(_("Only an approved leave can be cancelled."))
        is_owner = req.employee.user_id == getattr(user, "pk", None)
        is_hr = not is_owner and unit_in_scope(user, req.employee.unit)  # an HR officer cancels her own as employee
        if is_owner and not is_hr:
            if req.start_date <= today:
                raise LeaveError(_("A leave that has started can only be cancelled by HR."))
        elif is_hr:
            if not reason.strip():
                raise LeaveError(_("Give a reason for the cancellation."), "reason")
        else:
            raise LeaveDenied(_("You may not cancel this leave."), "neither the employee nor HR in scope")
        for entry in LedgerEntry.objects.filter(request=req, reversed_by__isnull=True).exclude(kind=Kind.REVERSAL):
            LedgerEntry.objects.create(
                employee_id=entry.employee_id,
                leave_type_id=entry.leave_type_id,
                year=entry.year,
                kind=Kind.REVERSAL,
                days=-entry.days,
                request=req,
                reverses=entry,
                reason=(reason.strip() or "cancelled")[:255],
                created_by=user,
            )
        req.status = Status.CANCELLED
        req.cancel_reason = reason.strip()
        req.last_action_at = timezone.now()
        req.save()
        ApprovalStep.objects.create(
            request=req,
            stage=Stage.EMPLOYEE if is_owner and not is_hr else Stage.HR,
            outcome=Outcome.CANCEL,
            actor=getattr(user, "employee", None) if hasattr(user, "employee") else None,
            actor_user=user,
            reason=reason.strip(),
        )
        audit_record(
            action="leave.cancel",
            actor=user,
            obj=req,
            subject_employee=req.employee,
            details={"as": "employee" if is_owner and not is_hr else "hr", "reason": reason.strip()[:255]},
        )
        cancel_documents(req)  # its letter's verification code now says "cancelled"
        notify_about(req.employee, "leave.cancelled", _("Your leave was cancelled"), describe(req), req)
    return req


def leave_request_grant_temporary(*, request_id: int, user, today: dt.date | None = None) -> LeaveRequest:
    """Emergency path (alasan penting): the head of office — the authorised official's position, resolved today —
    lets the employee go now; the superior's opinion and the formal decision follow as usual."""
    today = today or timezone.localdate()
    _refuse_own_request(request_id, user, act="leave.permit")
    with transaction.atomic():
        req = lock_request(request_id)
        if not (req.emergency and req.is_pending and req.temporary_permission_at is None):
            raise LeaveError(_("No temporary permission is pending for this request."))
        authority = authority_holder(req.official_position, today) if req.official_position_id else None
        actor = getattr(user, "employee", None)
        if authority is None or actor is None or authority.employee.pk != actor.pk:
            raise LeaveDenied(_("Only the head of office can give temporary permission."), "not the head of office")
        ApprovalStep.objects.create(
            request=req,
            stage=Stage.EMERGENCY,
            outcome=Outcome.PERMIT,
            actor=actor,
            actor_user=user,
            acting_for=authority.delegation,
            acting_for_text=_acting_text(authority),
        )
        req.temporary_permission_at = timezone.now()
        req.save(update_fields=["temporary_permission_at", "updated_at"])
        audit_record(
            action="leave.permit",
            actor=user,
            obj=req,
            subject_employee=req.employee,
            acting_for=_acting_text(authority),
        )
        notify_about(
            req.employee, "leave.permitted", _("Temporary permission given: you may leave now"), describe(req), req
        )
    return req
