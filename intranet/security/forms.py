from django import forms
from django.utils.translation import gettext_lazy as _

from .twofactor import normalise_code


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_token(self):
        return normalise_code(self.cleaned_data["token"])
