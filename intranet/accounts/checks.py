"""Deploy check: directory passwords must not cross the network in clear text on a production installation."""

from django.conf import settings
from django.core.checks import Error, Tags, register


def plaintext_directory_uris() -> list[str]:
    """The configured ldap:// URIs that would carry binds (the users' passwords) unencrypted."""
    if not getattr(settings, "LDAP_ENABLED", False) or getattr(settings, "LDAP_START_TLS", False):
        return []
    uris = getattr(settings, "LDAP_SERVER_URIS", []) or []
    return [u for u in uris if u and not str(u).strip().lower().startswith("ldaps://")]


@register(Tags.security, deploy=True)
def directory_binds_encrypted(app_configs=None, **kwargs):
    if settings.DEBUG or getattr(settings, "LDAP_ALLOW_PLAINTEXT", False):
        return []
    plain = plaintext_directory_uris()
    if not plain:
        return []
    return [
        Error(
            f"The directory is reached without encryption ({', '.join(plain)}): every sign-in sends the user's "
            "password and the service account's password in clear text.",
            hint="Use ldaps:// URIs, or set LDAP_START_TLS=true (with LDAP_CA_FILE for a private CA). If the "
            "directory is on this host or a private network of its own, say so with LDAP_ALLOW_PLAINTEXT=true.",
            id="serambi.E003",
        )
    ]
