from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=64,
                             help_text=_("e.g. payslip. or document.download"))
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("Any"))] + list(AuditEntry.Outcome.choices))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
