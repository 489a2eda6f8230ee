"""Staff screens: the component catalogue is editable; batches and payslips are read-only records (changes go through
the services, which audit them)."""

from django.contrib import admin

from intranet.core.admin import ReadOnlyAdmin

from .models import Component, Payslip, PayslipBatch


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "label_id", "label_en", "kind", "active"]
    list_display_links = ["code"]
    list_filter = ["kind", "active"]
    ordering = ["order", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "kind"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayslipBatch)
class PayslipBatchAdmin(ReadOnlyAdmin):
    list_display = ["source_name", "period", "status", "row_count", "created_by", "created_at"]
    list_filter = ["status"]
    exclude = ["errors", "missing", "totals"]


@admin.register(Payslip)
class PayslipAdmin(ReadOnlyAdmin):
    # Payslips are personal data: the administrator sees that they exist and their state, not whose (the NIP) nor
    # the amounts.
    list_display = ["period", "status", "batch"]
    list_filter = ["status"]
    fields = ["period", "status", "batch", "published_at"]
