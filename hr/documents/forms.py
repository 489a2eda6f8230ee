import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hr.org.models import Employee, HRScope, OrgUnit
from hr.org.selectors import unit_in_scope
from intranet.accounts.roles import Role
from intranet.core.form_fields import ShortModelChoiceField

from .models import Category, Classification
from .validation import ALLOWED_LABEL

FILE_HELP = _("Allowed: %(types)s. Rahasia and Sangat Rahasia documents must be PDF.") % {"types": ALLOWED_LABEL}
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.odt"


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = ShortModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), required=False, empty_label=_("All")
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"),
        choices=[("", _("All"))] + list(Classification.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), ("personnel", _("Personnel files")), ("unit", _("Unit documents"))],
        required=False,
    )


class MetadataFields(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    number = forms.CharField(label=_("Number"), max_length=120, required=False, help_text=_("Nomor surat / SK."))
    document_date = forms.DateField(label=_("Document date"), required=False, widget=DateInput())
    issuer = forms.CharField(
        label=_("Issuer"), max_length=200, required=False, help_text=_("The issuing office or official.")
    )


class MetadataForm(MetadataFields):
    """Edit a document's descriptive metadata (dc:title, identifier, date, creator, subject, description, language)."""

    keywords = forms.CharField(label=_("Keywords"), max_length=255, required=False, help_text=_("Comma-separated."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(label=_("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])


class DocumentCreateForm(MetadataFields):
    """HR files a document about an employee (by NIP) or owned by a unit (by unit code), in their scope."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(active=True))
    classification = forms.TypedChoiceField(
        label=_("Classification"), choices=Classification.choices, coerce=int, initial=Classification.TERBATAS
    )
    subject_nip = forms.CharField(
        label=_("Employee NIP (personnel file)"),
        max_length=18,
        required=False,
        help_text=_("Fill either the employee's NIP or the unit code."),
    )
    unit_code = forms.CharField(label=_("Unit code (unit document)"), max_length=32, required=False)
    keywords = forms.CharField(label=_("Keywords"), max_length=255, required=False, help_text=_("Comma-separated."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(label=_("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    file = forms.FileField(
        label=_("File"), help_text=FILE_HELP, widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def _in_scope(self, unit) -> bool:
        return self.user is None or unit_in_scope(self.user, unit, HRScope.Kind.HR)

    def clean(self):
        """An unknown NIP and a NIP outside the officer's scope get the same answer, so that the form does not tell
        whether a NIP exists (likewise unit codes)."""
        data = super().clean()
        nip, code = (data.get("subject_nip") or "").strip(), (data.get("unit_code") or "").strip()
        if bool(nip) == bool(code):
            raise forms.ValidationError(_("Fill either the employee's NIP or the unit code, not both."))
        data["subject_employee"] = data["owner_unit"] = None
        if nip:
            employee = Employee.objects.select_related("unit").filter(nip=nip).first()
            if employee is None or not self._in_scope(employee.unit):
                self.add_error("subject_nip", _("No employee with this NIP is in your HR scope."))
            else:
                data["subject_employee"] = employee
        else:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None or not self._in_scope(unit):
                self.add_error("unit_code", _("No unit with this code is in your HR scope."))
            else:
                data["owner_unit"] = unit
        category = data.get("category")
        if category is not None:
            if nip and not category.for_personnel_files:
                self.add_error("category", _("This category is not used for personnel files."))
            if code and not category.for_unit_documents:
                self.add_error("category", _("This category is not used for unit documents."))
        return data


class SubmitForm(MetadataFields):
    """An employee submits a supporting document of their own for HR verification."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    file = forms.FileField(
        label=_("File"), help_text=FILE_HELP, widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT})
    )

    field_order = ["category", "title", "number", "document_date", "issuer", "file"]

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=FILE_HELP, widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT})
    )
    note = forms.CharField(label=_("Change note"), max_length=255, required=False)


class ShareForm(forms.Form):
    user = forms.CharField(
        label=_("Person (username or NIP)"),
        max_length=150,
        required=False,
    )
    group = forms.ModelChoiceField(
        label=_("Or a role group"), queryset=Group.objects.none(), required=False, empty_label="—"
    )
    perms = forms.MultipleChoiceField(
        label=_("May also"),
        choices=[("download", _("download files")), ("change", _("upload new versions")), ("share", _("share"))],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Everyone shared with may see the document's details."),
    )
    expires_on = forms.DateField(label=_("Access until"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(name__in=[r.value for r in Role]).order_by("name")
        if not self.is_bound:
            self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=30)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The date must not be in the past."))
        if day > timezone.localdate() + dt.timedelta(days=settings.DOCUMENTS_MAX_GRANT_DAYS):
            raise forms.ValidationError(
                _("A share may last at most %(days)s days.") % {"days": settings.DOCUMENTS_MAX_GRANT_DAYS}
            )
        return day

    def clean(self):
        data = super().clean()
        who, group = (data.get("user") or "").strip(), data.get("group")
        if bool(who) == bool(group):
            raise forms.ValidationError(_("Choose one person or one group."))
        data["grantee_user"] = None
        if who:
            User = get_user_model()
            data["grantee_user"] = User.objects.filter(
                Q(username__iexact=who) | Q(employee__nip=who), is_active=True
            ).first()
            if data["grantee_user"] is None:
                self.add_error("user", _("No active account matches."))
        if data.get("expires_on"):
            data["expires_at"] = _end_of_day(data["expires_on"])
        return data


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Document number"), max_length=120)


class AccessRequestForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Why do you need it?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    expires_on = forms.DateField(label=_("Access until"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note / reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve":
            day = data.get("expires_on")
            if not day:
                self.add_error("expires_on", _("An approval needs an end date."))
            elif day < timezone.localdate():
                self.add_error("expires_on", _("The date must not be in the past."))
            else:
                data["expires_at"] = _end_of_day(day)
        elif data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for refusing."))
        return data


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("verify", _("Verify")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note / reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for rejecting the document."))
        return data
