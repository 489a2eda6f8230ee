"""Least privilege in the Django admin: an administrator manages the system, not the people in it.

- No one's authenticator key or recovery codes, ever: django-otp's own admins (key, QR code) are replaced by a
  listing of who has which device; deleting one (a lost phone without codes) is the only act, and it is audited.
- Where an admin page still shows a person's record, opening it is audited (`AuditedViewMixin`)."""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import admin as _static_admin  # noqa: F401 (registers first, replaced below)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _totp_admin  # noqa: F401 (registers first, replaced below)
from django_otp.plugins.otp_totp.models import TOTPDevice

from intranet.audit.services import audit_record
from intranet.notifications.services import notify


class AuditedViewMixin:
    """Every opening of one record's page in the admin leaves an audit entry naming the record."""

    audit_action = "admin.view"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit_record(action=self.audit_action, request=request, obj=obj,
                             subject_employee=self.audited_employee(obj))
        return response

    def audited_employee(self, obj):
        return None


class DeviceAdmin(admin.ModelAdmin):
    """Who has which second factor, without its key or codes. A device is never made here (only its owner enrols
    one); deleting it lets its owner enrol again, and is audited and told to the owner."""

    list_display = ("user", "name", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            audit_record(action="2fa.device_removed", request=request, obj=device.user,
                         details={"device": device.pk, "type": type(device).__name__})
            notify(device.user, "security.2fa_removed", str(_("A second-factor device was removed from your account")),
                   str(_("An administrator removed a device of two-step verification from your Serambi account. "
                         "If you did not ask for this, tell the IT helpdesk at once.")))
        queryset.delete()


for _model in (TOTPDevice, StaticDevice):
    try:
        admin.site.unregister(_model)
    except NotRegistered:
        pass
    admin.site.register(_model, DeviceAdmin)
