from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "source", "is_active", "is_staff")
    list_filter = ("source", "is_active", "is_staff", "groups")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Directory"), {"fields": ("source", "directory_dn", "directory_synced_at")}),
    )
    readonly_fields = ("directory_synced_at",)
