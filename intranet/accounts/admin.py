from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from intranet.security.admin import AuditedViewMixin

from .models import DirectoryAccount, DirectoryGroupMapping, RoleGrant, User


class DirectoryAccountInline(admin.StackedInline):
    model = DirectoryAccount
    can_delete = False
    extra = 0
    readonly_fields = ("title", "unit_code", "phone", "manager_dn")
    exclude = ("nip",)  # least privilege: the administrator does not see NIPs
    verbose_name_plural = _("Directory attributes")


@admin.register(User)
class UserAdmin(AuditedViewMixin, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "source", "is_active", "is_staff")
    list_filter = ("source", "is_active", "is_staff", "groups")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Directory"), {"fields": ("source", "directory_dn", "directory_anchor", "directory_synced_at")}),
    )
    readonly_fields = ("directory_synced_at",)
    inlines = [DirectoryAccountInline]


@admin.register(DirectoryGroupMapping)
class DirectoryGroupMappingAdmin(admin.ModelAdmin):
    """Which directory group grants which role (and, for HR and payroll officers, which unit scope)."""

    list_display = ("group_dn", "role", "scope_unit", "scope_kind", "active", "from_settings")
    list_filter = ("role", "active", "from_settings")
    search_fields = ("group_dn",)
    autocomplete_fields = ()
    raw_id_fields = ("scope_unit",)
    readonly_fields = ("from_settings", "created_at")
    fields = ("group_dn", "role", "scope_unit", "active", "from_settings", "created_at")


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Read-only view of the role memberships the directory granted (removed when the group membership is gone)."""

    list_display = ("user", "group", "granted_at")
    list_filter = ("group",)
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
