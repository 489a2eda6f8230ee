"""Leave (cuti) under PP 11/2017 and Peraturan BKN 24/2017: the rules as editable data (LeaveType, HolidayCalendar),
the balance ledger (LedgerEntry: signed, immutable), requests and their immutable approval steps, and leave letters.

Cuti bersama (collective leave)
-------------------------------
Cuti bersama are days set each year by a joint ministerial decree (SKB 3 Menteri) on which the whole civil service is
off, usually bridging a national holiday (e.g. the days around Idul Fitri). Under PP 11/2017 as amended they do **not**
reduce an employee's cuti tahunan: Serambi stores them as `Holiday` rows of kind `collective` in the year's calendar
(seeded from the `government` category of `holidays.ID`), so they are simply not working days and a request across them
costs nothing. Staff who must work on a cuti bersama day get that day added to their cuti tahunan: HR posts an
`adjustment` ledger entry with the reason. The `collective` LeaveType exists so the rule is visible and editable in
the admin, but it is not requestable (`requestable=False`).
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hr.org.models import Delegation, Employee, Position
from intranet.core.bilingual import BilingualName


class LeaveType(BilingualName, models.Model):
    """One kind of cuti and its rules. Seeded by a data migration from PP 11/2017; HR administrators edit it."""

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        MONTHS = "months", _("months")

    class Document(models.TextChoices):
        NEVER = "never", _("never")
        ALWAYS = "always", _("always")
        OVER_THRESHOLD = "over_threshold", _("when longer than the threshold")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True, default="")
    description = models.TextField(_("rule summary"), blank=True, default="")
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.WORKING_DAYS)
    uses_ledger = models.BooleanField(
        _("has a yearly balance"),
        default=False,
        help_text=_("Allocated every year and tracked in the ledger (cuti tahunan)."),
    )
    yearly_entitlement = models.PositiveSmallIntegerField(_("yearly entitlement"), default=0)
    min_service_years = models.PositiveSmallIntegerField(_("minimum years of service"), default=0)
    min_per_request = models.PositiveSmallIntegerField(_("minimum per request"), default=1)
    max_per_request = models.PositiveSmallIntegerField(
        _("maximum per request"), null=True, blank=True, help_text=_("In the type's unit. Empty: no limit.")
    )
    max_per_year = models.PositiveSmallIntegerField(
        _("maximum per year"), null=True, blank=True, help_text=_("In days. Empty: no limit.")
    )
    document_rule = models.CharField(
        _("supporting document"), max_length=16, choices=Document.choices, default=Document.NEVER
    )
    document_threshold_days = models.PositiveSmallIntegerField(
        _("document threshold (days)"), default=0, help_text=_("A document is required for longer requests.")
    )
    document_hint = models.CharField(_("document hint"), max_length=200, blank=True, default="")
    eligible_employment_types = models.JSONField(
        _("eligible employment types"), default=list, blank=True, help_text=_('e.g. ["PNS", "CPNS"]; empty: all.')
    )
    gender = models.CharField(
        _("only for gender"), max_length=1, choices=Employee.Gender.choices, blank=True, default=""
    )
    forfeits_annual_leave = models.BooleanField(_("forfeits that year's annual leave"), default=False)
    deferrable = models.BooleanField(_("may be deferred"), default=False)
    emergency_allowed = models.BooleanField(
        _("emergency permission allowed"),
        default=False,
        help_text=_("The head of office may grant temporary permission before the formal decision."),
    )
    carry_over_max = models.PositiveSmallIntegerField(
        _("carry-over: total cap"), default=0, help_text=_("Entitlement plus carried days at most (18).")
    )
    carry_over_extended_max = models.PositiveSmallIntegerField(
        _("carry-over: extended cap"),
        default=0,
        help_text=_("Cap after the employee took none of this leave in the previous years (24)."),
    )
    carry_over_extended_after_years = models.PositiveSmallIntegerField(
        _("carry-over: years without leave for the extended cap"), default=2
    )
    deferral_max = models.PositiveSmallIntegerField(
        _("deferral: total cap"), default=0, help_text=_("Entitlement plus deferred days at most (24).")
    )
    requestable = models.BooleanField(_("employees may request it"), default=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def document_required(self, days: int) -> bool:
        if self.document_rule == self.Document.ALWAYS:
            return True
        return self.document_rule == self.Document.OVER_THRESHOLD and days > self.document_threshold_days


class HolidayCalendar(models.Model):
    """The calendar in force for one year: working weekdays and its holidays. `version` grows with every change, and a
    request stores the versions it was computed with."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    working_weekdays = models.JSONField(
        _("working weekdays"), default=list, help_text=_("0 = Monday … 6 = Sunday; e.g. [0, 1, 2, 3, 4].")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    source = models.CharField(_("source"), max_length=120, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("holiday calendar")
        verbose_name_plural = _("holiday calendars")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} (v{self.version})"

    def clean(self):
        days = self.working_weekdays
        if not isinstance(days, list) or not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ValidationError({"working_weekdays": _("List the working weekdays as numbers 0 (Monday) to 6.")})

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = (
                HolidayCalendar.objects.filter(pk=self.pk).values_list("version", flat=True).first() or 0
            ) + 1
        super().save(*args, **kwargs)


class Holiday(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("National holiday")
        COLLECTIVE = "collective", _("Collective leave (cuti bersama)")
        AGENCY = "agency", _("Agency day off")

    calendar = models.ForeignKey(HolidayCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NATIONAL)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="leave_holiday_unique_date")]

    def __str__(self):
        return f"{self.date} {self.name}"

    def clean(self):
        if self.date and self.calendar_id and self.date.year != self.calendar.year:
            raise ValidationError({"date": _("The date must fall in the calendar's year.")})

    def _bump(self):
        HolidayCalendar.objects.filter(pk=self.calendar_id).update(version=F("version") + 1)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._bump()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._bump()
        return result


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Ledger entries and approval steps cannot be changed."))

    def delete(self):
        raise ValidationError(_("Ledger entries and approval steps cannot be deleted."))


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Ledger entries and approval steps cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries and approval steps cannot be deleted."))


class LeaveRequest(models.Model):
    class Status(models.TextChoices):
        AWAITING_SUPERIOR = "awaiting_superior", _("Awaiting the superior's opinion")
        AWAITING_OFFICIAL = "awaiting_official", _("Awaiting the official's decision")
        CHANGED = "changed", _("Change proposed")
        APPROVED = "approved", _("Approved")
        DEFERRED = "deferred", _("Deferred")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")

    PENDING = (Status.AWAITING_SUPERIOR, Status.AWAITING_OFFICIAL, Status.CHANGED)

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    leave_type = models.ForeignKey(LeaveType, verbose_name=_("leave type"), on_delete=models.PROTECT)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    days = models.PositiveSmallIntegerField(_("days"), help_text=_("In working or calendar days, per the type."))
    reason = models.TextField(_("reason"))
    address_during_leave = models.TextField(_("address during leave"))
    phone_during_leave = models.CharField(_("phone during leave"), max_length=40)
    document_name = models.CharField(
        _("supporting document"), max_length=255, blank=True, default="", help_text="storage name in private storage"
    )
    document_type = models.CharField(max_length=60, blank=True, default="")

    class Ground(models.TextChoices):
        """Why a rule of the type was set aside for this request (`hr.leave.rules`)."""

        NONE = "", _("none")
        FIRST_HAJJ = "first_hajj", _("first hajj (5-year service rule waived)")
        FOURTH_BIRTH = "fourth_birth", _("fourth or later birth (granted as long leave)")

    # db_default: rows written by bulk inserts (the demo seeder, imports) that name no ground have none
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices, blank=True, default="", db_default="")
    emergency = models.BooleanField(_("emergency"), default=False)
    temporary_permission_at = models.DateTimeField(_("temporary permission given"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_SUPERIOR)
    # Routing: whose authority the pending step needs. A position's authority is resolved on the decision date
    # (authority_holder honours Plt/Plh); an explicit supervisor is routed by person.
    route_position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    route_employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    official_position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    single_step = models.BooleanField(default=False)
    proposed_start = models.DateField(_("proposed from"), null=True, blank=True)
    proposed_end = models.DateField(_("proposed until"), null=True, blank=True)
    proposed_days = models.PositiveSmallIntegerField(null=True, blank=True)
    calendar_versions = models.JSONField(default=dict, blank=True, help_text="{year: calendar version} used")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_action_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["employee", "status"]),
            models.Index(fields=["status", "route_position"]),
            models.Index(fields=["status", "route_employee"]),
            models.Index(fields=["start_date", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="leave_request_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.leave_type} {self.start_date}–{self.end_date} ({self.employee})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @property
    def year(self) -> int:
        return self.start_date.year

    @property
    def hold_days(self) -> int:
        return max(self.days, self.proposed_days or 0)


class ApprovalStep(ImmutableModel):
    """One immutable step: the superior's opinion, the official's decision, an emergency permission, the employee's
    answer to a change, a withdrawal or a cancellation."""

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SUPERIOR = "superior", _("Superior's opinion")
        OFFICIAL = "official", _("Official's decision")
        EMERGENCY = "emergency", _("Temporary permission")
        EMPLOYEE = "employee", _("Employee's answer")
        HR = "hr", _("HR")

    class Outcome(models.TextChoices):
        SUBMIT = "submit", _("submitted")
        APPROVE = "approve", _("approve")
        CHANGE = "change", _("change")
        DEFER = "defer", _("defer")
        REFUSE = "refuse", _("refuse")
        PERMIT = "permit", _("temporary permission")
        ACCEPT = "accept", _("accepted the change")
        WITHDRAW = "withdraw", _("withdrawn")
        CANCEL = "cancel", _("cancelled")

    DECISIONS = (Outcome.APPROVE, Outcome.CHANGE, Outcome.DEFER, Outcome.REFUSE)

    request = models.ForeignKey(LeaveRequest, on_delete=models.PROTECT, related_name="steps")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    actor = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acting_for = models.ForeignKey(Delegation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acting_for_text = models.CharField(_("acting for"), max_length=255, blank=True, default="")
    reason = models.TextField(_("reason"), blank=True, default="")
    proposed_start = models.DateField(null=True, blank=True)
    proposed_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "stage"],
                condition=Q(stage__in=["superior", "official", "emergency"]),
                name="leave_step_once_per_stage",
            )
        ]

    def __str__(self):
        return f"{self.request_id} {self.stage} {self.outcome}"

    @property
    def acting_label(self) -> str:
        """'Plh. <position>' or 'Plt. <position>': whose authority the actor exercised (not 'a.n.', which is signing
        on someone's behalf)."""
        d = self.acting_for
        if d is None:
            return self.acting_for_text
        return f"{d.kind}. {d.position.name}"


class LedgerEntry(ImmutableModel):
    """A signed, immutable movement of a leave balance. A balance is the sum of the entries of (employee, type, year)."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Yearly allocation")
        CARRY_OVER = "carry_over", _("Carried over")
        DEFERRAL = "deferral", _("Deferral (penangguhan)")
        USAGE = "usage", _("Leave taken")
        EXPIRY = "expiry", _("Expired / forfeited")
        ADJUSTMENT = "adjustment", _("Adjustment by HR")
        REVERSAL = "reversal", _("Reversal")

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    days = models.SmallIntegerField(_("days"))
    request = models.ForeignKey(LeaveRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.CharField(_("reason"), max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["employee", "leave_type", "year"])]
        constraints = [
            # The yearly allocation is posted at most once. Carry-over and expiry are guarded by LedgerYearClose
            # (one per employee, type and year): a repaired early close posts them again after reversing them.
            models.UniqueConstraint(
                fields=["employee", "leave_type", "year", "kind"],
                condition=Q(kind="allocation"),
                name="leave_ledger_allocation_once",
            ),
        ]

    def __str__(self):
        return f"{self.employee_id} {self.leave_type_id} {self.year} {self.kind} {self.days:+d}"


class LeaveLetter(models.Model):
    """The Surat Izin Cuti of an approved request; numbered per year, stored in private storage."""

    request = models.OneToOneField(LeaveRequest, on_delete=models.PROTECT, related_name="letter")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("letter number"), max_length=80)
    file_name = models.CharField(max_length=255, blank=True, default="", help_text="storage name in private storage")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("leave letter")
        verbose_name_plural = _("leave letters")
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="leave_letter_unique_number")]

    def __str__(self):
        return self.number


class LetterCounter(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class CalendarFeedToken(models.Model):
    """A private, revocable iCal feed token per user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leave_feed")
    token = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"feed {self.user_id}"


def years_of_service(employee: Employee, on_date: dt.date) -> int:
    start = employee.tmt_cpns
    years = on_date.year - start.year - ((on_date.month, on_date.day) < (start.month, start.day))
    return max(years, 0)


class LedgerYearClose(models.Model):
    """The record that a year's balance of one leave type was closed for an employee: its remainder carried over
    (within the caps) and the rest expired. Written once, by the year-end job after the year has ended (or by the
    opening-balance import for the oldest imported year); the unique constraint makes closing twice impossible."""

    class Source(models.TextChoices):
        JOB = "job", _("year-end job")
        IMPORT = "import", _("opening balance import")
        REPAIR = "repair", _("repair of an early close")

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year closed"))
    carried = models.PositiveSmallIntegerField(_("days carried over"), default=0)
    expired = models.PositiveSmallIntegerField(_("days expired"), default=0)
    held = models.PositiveSmallIntegerField(
        _("days held by pending requests"), default=0, help_text=_("Left in the closed year for those requests.")
    )
    extended_cap = models.BooleanField(_("extended cap applied"), default=False)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.JOB)
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)

    class Meta:
        verbose_name = _("closed leave year")
        verbose_name_plural = _("closed leave years")
        constraints = [
            models.UniqueConstraint(fields=["employee", "leave_type", "year"], name="leave_year_closed_once"),
        ]

    def __str__(self):
        return f"{self.employee_id} {self.leave_type_id} {self.year} closed"
