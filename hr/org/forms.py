from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u2003" * obj.depth + obj.name


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, position or unit"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    unit = UnitChoiceField(
        label=_("Unit (including sub-units)"),
        required=False,
        empty_label=_("All units"),
        # Any active unit is accepted (unit pages link here); the menu lists the top three levels to stay small.
        queryset=OrgUnit.objects.filter(active=True),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        menu = OrgUnit.objects.filter(active=True, depth__lte=3).order_by("path")
        self.fields["unit"].widget.choices = [("", _("All units"))] + [
            (u.pk, self.fields["unit"].label_from_instance(u)) for u in menu
        ]
