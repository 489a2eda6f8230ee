"""Django admin for HR administrators: the leave rules and the holiday calendar are data they edit here. The ledger
and approval steps are read-only (append-only records); adjustments go through the HR dashboard (a service)."""

from django.contrib import admin

from intranet.core.admin import ReadOnlyAdmin
from intranet.security.admin import AuditedViewMixin

from .models import ApprovalStep, Holiday, HolidayCalendar, LeaveLetter, LeaveRequest, LeaveType, LedgerEntry


@admin.register(LeaveType)
class LeaveTypeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_id",
        "unit",
        "yearly_entitlement",
        "min_service_years",
        "max_per_request",
        "document_rule",
        "requestable",
        "active",
    )
    list_editable = ("active",)
    ordering = ("sort_order", "code")


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ("year", "version", "working_weekdays", "updated_at")
    readonly_fields = ("version", "source")
    inlines = [HolidayInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("employee", "leave_type", "year", "kind", "days", "reason", "created_at")
    list_filter = ("kind", "year", "leave_type")
    search_fields = ("employee__sort_name",)  # not by NIP: the administrator does not see NIPs
    list_select_related = ("employee", "leave_type")
    raw_id_fields = ("employee", "request", "reverses")


class StepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    can_delete = False
    readonly_fields = ("stage", "outcome", "actor", "acting_for_text", "reason", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LeaveRequest)
class LeaveRequestAdmin(AuditedViewMixin, ReadOnlyAdmin):
    """A leave request can tell a person's health (sick, maternity leave): opening one here is audited."""

    list_display = ("employee", "leave_type", "start_date", "end_date", "days", "status", "ground")
    list_filter = ("status", "leave_type", "ground")
    search_fields = ("employee__sort_name",)  # not by NIP: the administrator does not see NIPs
    list_select_related = ("employee", "leave_type")
    inlines = [StepInline]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def audited_employee(self, obj):
        return obj.employee


@admin.register(LeaveLetter)
class LeaveLetterAdmin(ReadOnlyAdmin):
    list_display = ("number", "request", "created_at")
    exclude = ("file_name",)
