"""Deploy check: backups hold every record and private file, so production encrypts them (deploy/README.md)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils import translation

from .backup_encryption import BackupKeyError, parse_recipients


@register(Tags.security, deploy=True)
def backup_recipients_configured(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    try:
        with translation.override("en"):  # in the language of the other checks
            recipients = parse_recipients(settings.SERAMBI_BACKUP_RECIPIENTS)
    except BackupKeyError as exc:
        return [
            Error(
                f"SERAMBI_BACKUP_RECIPIENTS cannot be used: {exc}",
                hint="List age public keys (age1…), comma-separated; `manage.py backup_keygen` makes a key pair.",
                id="serambi.E004",
            )
        ]
    if recipients:
        return []
    return [
        Warning(
            "Backups are written unencrypted: SERAMBI_BACKUP_RECIPIENTS names no age public key.",
            hint="Make a key pair off the server (`age-keygen` or `manage.py backup_keygen`) and set "
            "SERAMBI_BACKUP_RECIPIENTS to its public key (deploy/README.md, 'Backups').",
            id="serambi.W102",
        )
    ]
