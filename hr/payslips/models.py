"""Payslips: the component catalogue, import batches and the immutable payslips they publish.

Serambi does not compute payroll. A payroll officer uploads the payroll system's monthly results (one row per employee
per period); a batch is validated as a whole, previewed, then published. A published payslip is never edited or
deleted: a correction is a new batch (with a stated reason) whose payslip supersedes the old one.

Storage decision: a payslip keeps its components as one JSON object of exact decimal strings
(``{"gaji_pokok": "3385400", ...}``) plus denormalised gross / deductions / net columns. A payslip is always read whole
and never queried by component, so one row per payslip (600,000 rows for 50,000 employees × 12 months) beats a
component-line table (≈ 8 million rows) on insert speed, which is what the 50,000-row import target needs; totals stay
queryable as real decimal columns for the yearly summary and the batch preview.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 15, "decimal_places": 0}


class Component(models.Model):
    """One line of a payslip (gaji pokok, tunjangan anak, potongan IWP...). Editable data; the code and kind are fixed
    once created because published payslips refer to them."""

    class Kind(models.TextChoices):
        EARNING = "earning", _("Earning")
        DEDUCTION = "deduction", _("Deduction")

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Column name in the import file, lower case with underscores, e.g. tunj_anak."),
    )
    label_id = models.CharField(_("label (Indonesian)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("display order"), default=100)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive components are no longer expected in new import files.")
    )

    class Meta:
        verbose_name = _("payslip component")
        verbose_name_plural = _("payslip components")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} — {self.label}"

    @property
    def label(self) -> str:
        return self.label_en if get_language() == "en" and self.label_en else self.label_id


class PayslipBatch(models.Model):
    """One uploaded payroll file and its journey: pending → validating → ready (preview) → published, or invalid,
    failed, discarded."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        VALIDATING = "validating", _("Being checked")
        INVALID = "invalid", _("Rejected: the file has problems")
        READY = "ready", _("Checked: ready to publish")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    source_name = models.CharField(_("file name"), max_length=255)
    file_name = models.CharField(max_length=255, help_text="storage name in private storage")
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    sheet_name = models.CharField(_("worksheet read"), max_length=100, blank=True, default="")
    sheet_count = models.PositiveSmallIntegerField(default=0, help_text="worksheets in the workbook (XLSX)")
    reason = models.TextField(_("reason for replacement"), blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="", help_text="language of the uploader's messages")
    period = models.DateField(_("period"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    phase = models.CharField(max_length=20, blank=True, default="")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # A validating worker stamps this at each progress step; a stamp older than the stall limit means it died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="validation runs started (a dead worker's too)")
    totals = models.JSONField(_("totals per component"), default=dict, blank=True)
    gross = models.DecimalField(_("total earnings"), default=Decimal(0), **MONEY)
    deductions = models.DecimalField(_("total deductions"), default=Decimal(0), **MONEY)
    net = models.DecimalField(_("total net pay"), default=Decimal(0), **MONEY)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True, help_text="in-scope employees absent from the file (capped)")
    missing_count = models.PositiveIntegerField(default=0)
    replaces_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    notify_cursor = models.BigIntegerField(default=0, help_text="employee id up to which employees were notified")
    notified_count = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="when every employee had been notified")

    class Meta:
        verbose_name = _("payslip batch")
        verbose_name_plural = _("payslip batches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "period"])]

    def __str__(self):
        return f"{self.source_name} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.VALIDATING)

    @property
    def retrying(self) -> bool:
        """An earlier validation run was interrupted (its worker died) and the file is being checked again."""
        return self.in_progress and self.attempts > 1

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))


class Payslip(models.Model):
    """An employee's payslip for one month. Immutable once published; a replacement supersedes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not published)")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded by a correction")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(PayslipBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="payslips")
    employee = models.ForeignKey(
        "org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="payslips"
    )
    period = models.DateField(_("period"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    row_number = models.PositiveIntegerField(default=0)
    # Snapshot of the employee at issue time: the payslip shows what was true that month.
    nip = models.CharField(_("NIP"), max_length=18)
    name = models.CharField(_("name"), max_length=300)
    unit_name = models.CharField(_("unit"), max_length=255, blank=True, default="")
    position_name = models.CharField(_("position"), max_length=255, blank=True, default="")
    grade = models.CharField(_("rank"), max_length=8, blank=True, default="")
    components = models.JSONField(_("components"), default=dict)
    # NPWP, bank, account number and family status when the payroll file carries them (`particulars.py`)
    particulars = models.JSONField(_("particulars"), default=dict, blank=True)
    gross = models.DecimalField(_("total earnings"), **MONEY)
    deductions = models.DecimalField(_("total deductions"), **MONEY)
    net = models.DecimalField(_("net pay"), **MONEY)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    superseded_by_batch = models.ForeignKey(
        PayslipBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_payslips"
    )

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["-period"]
        indexes = [
            models.Index(fields=["employee", "status", "period"]),
            models.Index(fields=["period", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period"], condition=Q(status="published"), name="payslip_one_published_per_period"
            ),
            models.UniqueConstraint(fields=["batch", "employee"], name="payslip_once_per_batch"),
        ]

    def __str__(self):
        return f"{self.nip} {self.period:%Y-%m}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.PUBLISHED
