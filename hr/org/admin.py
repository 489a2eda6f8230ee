from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from intranet.security.admin import AuditedViewMixin

from .duties import refused_own_record
from .models import Delegation, Employee, HRScope, OrgUnit, Position
from .selectors import is_own_record

OWN_RECORD = _("Nobody changes their own personnel record, scope or delegation; another administrator must.")


class NotForOneself(admin.ModelAdmin):
    """Segregation of duties in the admin: one's own record (`own_employee(obj)`) is read-only, and a form that would
    make one (an HR scope for oneself, oneself as Plt) is refused. Attempts are audited before the admin opens its
    transaction, so the refusal's rollback keeps the audit entry."""

    act = ""

    def own_employee(self, obj):
        raise NotImplementedError

    def is_own(self, request, obj) -> bool | None:
        return None  # is_own_record on own_employee(obj) decides

    def owns(self, request, obj) -> bool:
        own = self.is_own(request, obj)
        return is_own_record(request.user, self.own_employee(obj)) if own is None else own

    def refused(self, request, obj) -> bool:
        own = self.owns(request, obj)
        return refused_own_record(request.user, self.own_employee(obj), act=self.act, request=request, own=own)

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.owns(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.owns(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def _audit_attempt(self, request, object_id):
        if request.method != "POST":
            return
        if object_id:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.refused(request, obj):
                raise PermissionDenied
            return
        if not self.has_add_permission(request):
            return  # the admin answers 403 itself
        self.get_form(request)(request.POST, request.FILES).is_valid()  # the form's clean audits a refusal

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._audit_attempt(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._audit_attempt(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        admin_view = self

        class Guarded(form):
            def clean(self):
                data = super().clean()
                candidate = self.instance
                for name, value in data.items():
                    if name in {f.name for f in candidate._meta.fields}:
                        setattr(candidate, name, value)
                if admin_view.refused(request, candidate):
                    raise forms.ValidationError(OWN_RECORD)
                return data

        return Guarded


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ("name_id", "code", "level", "active")
    search_fields = ("code", "name_id", "name_en")
    list_filter = ("level", "active")
    raw_id_fields = ("head_position",)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("name_id", "unit", "kind", "eselon")
    list_filter = ("kind", "eselon")
    search_fields = ("name_id", "name_en", "unit__code")
    raw_id_fields = ("unit",)


@admin.register(Employee)
class EmployeeAdmin(AuditedViewMixin, NotForOneself):
    """Least privilege: the administrator sees who works where, not the NIP, birth date, gender, home address or
    personal phone (HR officers see those, in their scope, in Serambi itself). People come from the directory and
    the HR pages, so none is added here; opening a record is audited. One's own record is read-only
    (`NotForOneself`)."""

    act = "admin.employee"
    PERSONAL = ("nip", "birth_date", "gender", "home_address", "personal_phone", "golongan", "pppk_grade", "tmt_cpns")

    def own_employee(self, obj):
        return obj

    list_display = ("full_name", "unit", "position", "employment_type", "active")
    list_filter = ("employment_type", "active", "unit__level")
    search_fields = ("sort_name", "work_email")
    raw_id_fields = ("user", "unit", "position", "supervisor")
    list_select_related = ("unit", "position")
    exclude = PERSONAL

    def has_add_permission(self, request):
        return False

    def audited_employee(self, obj):
        return obj


@admin.register(Delegation)
class DelegationAdmin(NotForOneself):
    act = "admin.delegation"

    def own_employee(self, obj):
        return obj.acting if obj.acting_id else None

    list_display = ("position", "acting", "kind", "start_date", "end_date", "decree_number")
    list_filter = ("kind",)
    raw_id_fields = ("position", "acting")
    date_hierarchy = "start_date"


@admin.register(HRScope)
class HRScopeAdmin(NotForOneself):
    act = "admin.hrscope"

    def own_employee(self, obj):
        return None

    def is_own(self, request, obj) -> bool:
        return obj.user_id is not None and obj.user_id == request.user.pk

    list_display = ("user", "kind", "unit", "source")
    list_filter = ("kind", "source")
    raw_id_fields = ("user", "unit")
