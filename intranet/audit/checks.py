"""Deploy check: the audit chain's key must come from the environment, be long enough and be no other secret."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from .keys import MIN_KEY_LENGTH


@register(Tags.security, deploy=True)
def audit_key_configured(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    key = settings.AUDIT_HMAC_KEY
    if len(key) >= MIN_KEY_LENGTH and key != settings.SECRET_KEY:
        return []
    return [
        Error(
            f"AUDIT_HMAC_KEY is missing, shorter than {MIN_KEY_LENGTH} characters or equal to SECRET_KEY.",
            hint="Set AUDIT_HMAC_KEY in the environment to a random value of its own (deploy/README.md, 'Audit key'); "
            "without it audit entries cannot be written.",
            id="serambi.E002",
        )
    ]
