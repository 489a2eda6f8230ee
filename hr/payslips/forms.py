from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Component


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Payroll results file"),
        help_text=_("CSV (UTF-8) or XLSX, one row per employee for one month. See the file format below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "data-testid": "upload-file"}),
    )
    reason = forms.CharField(
        label=_("Reason for replacement"),
        required=False,
        max_length=2000,
        help_text=_("Required only when the file corrects payslips that are already published for this month."),
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "upload-reason"}),
    )


class ComponentForm(forms.ModelForm):
    class Meta:
        model = Component
        fields = ["code", "label_id", "label_en", "kind", "order", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Published payslips refer to the code and were summed by kind: both are fixed once created.
            for name in ("code", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once created: published payslips refer to it.")
