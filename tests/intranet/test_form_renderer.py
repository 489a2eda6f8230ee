"""The Python widget renderer produces exactly what Django's widget templates produce."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from intranet.core.form_renderer import SerambiFormRenderer

CHOICES = [("", "Semua"), (1, "Biasa & <Umum>"), (2, "Terbatas"), ("Grup", [(3, "Rahasia"), (4, mark_safe("<b>SR</b>"))])]


class Everything(forms.Form):
    text = forms.CharField(required=True, max_length=20, help_text="Bantuan")
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "placeholder": 'Cari "nama"', "autofocus": True, "data-off": False}))
    email = forms.EmailField(required=False)
    number = forms.IntegerField(min_value=0)
    password = forms.CharField(widget=forms.PasswordInput)
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    flag = forms.BooleanField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    typed = forms.TypedChoiceField(choices=[(2025, 2025), (2026, 2026)], coerce=int)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"text": "Siti & <Budi>", "search": '"x"', "email": "a@b.go.id", "number": "12", "password": "rahasia",
         "hidden": "h", "date": "2026-11-29", "flag": "on", "body": "baris 1\n<baris 2>", "kind": "3",
         "many": ["1", "4"], "typed": "2026"},
    ],
)
def test_every_stock_widget_renders_byte_for_byte_as_the_templates(data):
    initial = {"date": dt.date(2026, 1, 2), "body": "awal", "kind": 2}
    ours, django = Everything(data, initial=initial), Everything(data, initial=initial)
    ours.renderer, django.renderer = SerambiFormRenderer(), DjangoTemplates()
    for name in ours.fields:
        assert str(ours[name]) == str(django[name]), name


def test_other_templates_still_go_through_the_template_engine():
    field = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    form = forms.Form()
    form.fields["radio"] = field
    form.renderer = SerambiFormRenderer()
    reference = forms.Form()
    reference.fields["radio"] = field
    reference.renderer = DjangoTemplates()
    assert str(form["radio"]) == str(reference["radio"]) and 'type="radio"' in str(form["radio"])
