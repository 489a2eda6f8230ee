from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from intranet.security.login_throttle import refusal_message, throttled

from .ldap.account_state import AccountState
from .ldap.backend import MISCONFIGURED, PROBLEM_ATTR, UNAVAILABLE
from .ldap.identity import IDENTITY_CHANGED
from .ldap.provisioning import Access


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username, NIP or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("The username or password is incorrect."),
        "inactive": _("This account is disabled. Contact your HR officer."),
        Access.DISABLED: _("This account is disabled in the office directory. Contact your HR officer."),
        Access.NOT_IN_REQUIRED_GROUP: _(
            "Your directory account is not allowed to use Serambi. Ask your HR officer to add you to the Serambi users group."
        ),
        Access.DENIED_GROUP: _("Your directory account is blocked from Serambi. Contact your HR officer."),
        AccountState.ACCOUNT_EXPIRED: _(
            "Your directory account has expired. Ask your HR officer to extend it; your Serambi data is kept."
        ),
        AccountState.LOCKED_OUT: _(
            "Your directory account is locked after too many wrong passwords. Wait until the lockout ends "
            "or ask the IT helpdesk to unlock it."
        ),
        AccountState.LOGON_RESTRICTED: _(
            "Your directory account may not sign in at this time or from here. Ask the IT helpdesk about "
            "your logon hours."
        ),
        AccountState.MUST_CHANGE_PASSWORD: _(
            "You must change your password before signing in. Change it on an office computer (Ctrl+Alt+Del, "
            "Change a password) or ask the IT helpdesk, then sign in here with the new password."
        ),
        AccountState.PASSWORD_EXPIRED: _(
            "Your password has expired. Change it on an office computer or ask the IT helpdesk, then sign in "
            "here with the new password."
        ),
        IDENTITY_CHANGED: _(
            "This username belonged to another person before you, so you cannot sign in with it yet. HR has "
            "been told; an administrator will set up your account."
        ),
        UNAVAILABLE: _(
            "The directory service is unavailable right now. Please try again in a few minutes; "
            "if it persists, contact the IT helpdesk."
        ),
        MISCONFIGURED: _(
            "Sign-in through the office directory is not working because of a configuration problem. "
            "Please contact the IT helpdesk."
        ),
    }

    def get_invalid_login_error(self):
        """One generic message for a wrong password or an unknown user; a clear one for everything else."""
        refusal = throttled(self.request)
        if refusal:
            return forms.ValidationError(refusal_message(refusal), code="throttled")
        problem = getattr(self.request, PROBLEM_ATTR, None)
        if problem in self.error_messages and problem != "invalid_login":
            return forms.ValidationError(self.error_messages[problem], code=problem)
        return super().get_invalid_login_error()
