from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from intranet.security.admin import AuditedViewMixin

from .models import Delegation, Employee, HRScope, OrgUnit, Position


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
class EmployeeAdmin(AuditedViewMixin, admin.ModelAdmin):
    """Least privilege: the administrator sees who works where, not the NIP, birth date, gender, home address or
    personal phone (HR officers see those, in their scope, in Serambi itself). People come from the directory and
    the HR pages, so none is added here; opening a record is audited."""

    PERSONAL = ("nip", "birth_date", "gender", "home_address", "personal_phone", "golongan", "pppk_grade", "tmt_cpns")
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
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("position", "acting", "kind", "start_date", "end_date", "decree_number")
    list_filter = ("kind",)
    raw_id_fields = ("position", "acting")
    date_hierarchy = "start_date"


@admin.register(HRScope)
class HRScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "unit", "source")
    list_filter = ("kind", "source")
    raw_id_fields = ("user", "unit")
