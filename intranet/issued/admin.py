from django.contrib import admin

from intranet.core.admin import ReadOnlyAdmin

from .models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    """For operators: what is failing and why. Not who holds the document (the administrator sees no personal data;
    the holders see theirs in their own pages)."""

    list_display = ("pk", "kind", "state", "attempts", "next_attempt_at", "issuer_unit", "issued_at", "created_at")
    list_filter = ("state", "kind")
    fields = (
        "kind",
        "state",
        "source_type",
        "source_id",
        "issuer_unit",
        "attempts",
        "next_attempt_at",
        "last_error",
        "file_name",
        "file_size",
        "file_sha256",
        "created_at",
        "issued_at",
        "ended_at",
        "supersedes",
    )
    readonly_fields = fields
