from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ApprovalStep, LeaveRequest, LeaveType
from .selectors import REQUESTABLE, requestable_type, requestable_types
from .yearend import eligible


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LeaveTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _RequestableChoices(forms.models.ModelChoiceIterator):
    """The requestable types as choices, from the shared cache (`selectors.requestable_types`): the form shows them
    with no query (Django's iterator would open a server-side cursor on PostgreSQL each time it is read)."""

    def _types(self):
        return [t for t in requestable_types().values() if self.field.open_to is None or self.field.open_to(t)]

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for leave_type in self._types():
            yield self.choice(leave_type)

    def __len__(self):
        return len(self._types()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._types())


class RequestableTypeField(LeaveTypeField):
    """The request form's leave type: offered and resolved through the cached requestable types
    (`selectors.requestable_types`) instead of a query per form, submission and preview."""

    iterator = _RequestableChoices
    open_to = None  # a test of the types to offer (`LeaveRequestForm.offer_to`); None: all requestable ones

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            found = requestable_type(LeaveType._meta.pk.to_python(value))
        except ValidationError:
            found = None
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return found


class LeaveRequestForm(forms.Form):
    leave_type = RequestableTypeField(
        label=_("Leave type"), queryset=LeaveType.objects.filter(**REQUESTABLE), empty_label=None
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("Until"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    address_during_leave = forms.CharField(
        label=_("Address during leave"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    phone_during_leave = forms.RegexField(
        label=_("Phone during leave"),
        max_length=40,
        regex=r"^[0-9+()\- .]{6,40}$",
        error_messages={"invalid": _("Enter a phone number (digits, spaces, + - . ( ) only).")},
    )
    document = forms.FileField(
        label=_("Supporting document"),
        required=False,
        help_text=_("PDF, JPG or PNG, at most 5 MB. Required e.g. for sick leave (a doctor's note, also for one day)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    first_hajj = forms.BooleanField(
        label=_("Long leave for my first hajj"),
        required=False,
        help_text=_("Possible before five years of service; attach the hajj departure schedule."),
    )
    emergency = forms.BooleanField(
        label=_("Emergency: ask the head of office for temporary permission first"),
        required=False,
        help_text=_("Only for leave for important reasons."),
    )

    def offer_to(self, employee) -> list[LeaveType]:
        """Offer only the types open to the employee's status and gender (PPPK: PP 49/2018); the service refuses the
        others anyway. Returns them, for the form's rules section."""
        def open_to(leave_type):
            return eligible(leave_type, employee.employment_type, employee.gender)

        self.fields["leave_type"].open_to = open_to
        return [t for t in requestable_types().values() if open_to(t)]

    PREVIEW_FIELDS = ("leave_type", "start_date", "end_date", "first_hajj", "emergency")

    def is_valid_for_preview(self) -> bool:
        """Valid as far as the preview needs (type and dates): it answers with the day count while the other fields
        are still empty, and keeps their errors for the submission."""
        self.is_valid()
        for name in [n for n in self._errors if n not in self.PREVIEW_FIELDS and n != NON_FIELD_ERRORS]:
            del self._errors[name]
        return not self._errors

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in ApprovalStep.DECISIONS],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required unless you approve."),
    )
    proposed_start = forms.DateField(label=_("Proposed from"), required=False, widget=DateInput())
    proposed_end = forms.DateField(label=_("Proposed until"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome and outcome != ApprovalStep.Outcome.APPROVE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for this outcome."))
        if outcome == ApprovalStep.Outcome.CHANGE and not (data.get("proposed_start") and data.get("proposed_end")):
            self.add_error("proposed_start", _("Give the proposed new dates."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdjustmentForm(forms.Form):
    employee = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    days = forms.IntegerField(label=_("Days (+/-)"), min_value=-99, max_value=99)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class OpeningImportForm(forms.Form):
    file = forms.FileField(
        label=_("Opening balances file"),
        help_text=_(
            "CSV (UTF-8) or XLSX: nip, year, entitlement, taken and optionally carried; one row per employee and year."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "data-testid": "opening-file"}),
    )


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u2003" * max(obj.depth - 1, 0) + obj.name


class HRFilterForm(forms.Form):
    """Filters for the HR dashboard; the unit menu lists only units inside the officer's scope (two levels down)."""

    unit = UnitField(label=_("Unit (including sub-units)"), required=False, queryset=None, empty_label=_("All units"))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *LeaveRequest.Status.choices]
    )
    leave_type = LeaveTypeField(
        label=_("Leave type"), required=False, queryset=LeaveType.objects.all(), empty_label=_("All types")
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, scope_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from functools import reduce
        from operator import or_

        from django.db.models import Q

        from hr.org.models import OrgUnit

        if scope_units:
            q = reduce(or_, (Q(path__startswith=u.path, depth__lte=u.depth + 2) for u in scope_units))
            self.fields["unit"].queryset = OrgUnit.objects.filter(q, active=True).order_by("path")
        else:
            self.fields["unit"].queryset = OrgUnit.objects.none()
