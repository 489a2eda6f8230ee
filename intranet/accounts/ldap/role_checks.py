"""System check: the role names and scopes of LDAP_GROUP_ROLE_MAP and LDAP_DEFAULT_ROLES exist. A misspelt role would
otherwise grant nothing, silently (the sync also refuses to run with one: `sync.run_sync`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security)
def check_role_mapping(app_configs=None, **kwargs):
    if not getattr(settings, "LDAP_ENABLED", False):
        return []
    from .config import get_config
    from .mappings import mapping_problems

    try:
        config = get_config()
    except (ImproperlyConfigured, KeyError, TypeError) as exc:
        return [Error(f"LDAP settings: {exc}", id="accounts.E101")]
    return [Error(problem, id="accounts.E100") for problem in mapping_problems(config)]
