"""Deploy check: production documents must not be signed by the demo CA (they would say DEMO, and nobody trusts it)."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def real_signer_configured(app_configs=None, **kwargs):
    if settings.DEBUG or settings.SERAMBI_SIGNER != "demo":
        return []
    return [
        Warning(
            "Issued documents are signed with the demo CA: they say DEMO and no recipient can trust them.",
            hint="Set SERAMBI_SIGNER to pkcs12, pkcs11 or bsre with the agency's certificate "
            "(docs/official-documents.md).",
            id="serambi.W101",
        )
    ]
