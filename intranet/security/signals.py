from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from intranet.accounts.models import User
from intranet.audit.services import audit_record

from .login_throttle import failure_count, throttled
from .models import UserSession
from .services import session_track, sessions_end


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session["serambi_login_at"] = int(timezone.now().timestamp())
    session_track(user=user, request=request)
    audit_record(action="auth.login", request=request, actor=user, obj=user,
                 details={"backend": getattr(user, "backend", "")})


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    failure_count(request)  # login rate limits (intranet.security.login_throttle)
    if request is not None and throttled(request):
        return  # refused by a rate limit: audited once per window as auth.throttled, not once per attempt
    # The attempted name is recorded (it is what an investigator needs); the password never is (Django masks it).
    audit_record(action="auth.login_failed", request=request, outcome="failed",
                 details={"username": str((credentials or {}).get("username", ""))[:150]})


@receiver(user_locked_out)
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_record(action="auth.lockout", request=request, outcome="denied", details={"username": (username or "")[:150]})


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


@receiver(post_save, sender=User)
def _end_sessions_of_deactivated_users(sender, instance, **kwargs):
    """A deactivated account (left the directory, disabled by an administrator) loses its sessions immediately."""
    if not instance.is_active:
        sessions_end(user=instance, reason="deactivated")
