from django.contrib import admin

from intranet.core.admin import ReadOnlyAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_repr", "action", "object_type", "object_id", "outcome", "ip")
    list_filter = ("action", "outcome")
    search_fields = ("actor_repr", "object_id", "action")
    date_hierarchy = "created_at"
