from django.contrib.auth import views as auth_views

from intranet.security.login_throttle import throttled

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    """Public (LoginView is login_not_required). Rotates the session key on login (Django's login())."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        refusal = throttled(self.request)
        if refusal:  # a login rate limit refused the attempt: 429, as the lockout answers
            response.status_code = 429
            response["Retry-After"] = str(refusal["retry_after"])
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot log anyone out."""
