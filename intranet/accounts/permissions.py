"""View decorators that state who may use a view. Every view in Serambi carries one of these (or
@login_not_required for the few public ones); the URL authorization test checks it."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from intranet.accounts.roles import Role, has_role
from intranet.audit.denials import audit_denied


def staff_member(view):
    """Any logged-in, active account (the LoginRequiredMiddleware already guarantees the login)."""
    view.serambi_access = "authenticated"
    return view


def role_required(*roles: Role):
    """Only users holding one of `roles` (403 otherwise, audited: intranet.audit.denials)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not any(has_role(user, r) for r in roles):  # least privilege: no implicit superuser pass
                match = request.resolver_match
                audit_denied(
                    action="access.denied.role",
                    reason="role",
                    request=request,
                    object_type="view",
                    object_id=(match.view_name if match else view.__name__)[:64],
                    details={"roles": [r.value for r in roles]},
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.serambi_access = "roles:" + ",".join(r.value for r in roles)
        return wrapped

    return decorator
