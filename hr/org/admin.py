from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

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
class EmployeeAdmin(admin.ModelAdmin):
    """Model validation (NIP structure, birth date and gender against the NIP) runs on every save here."""

    list_display = ("full_name", "nip", "unit", "position", "employment_type", "active")
    list_filter = ("employment_type", "active", "unit__level")
    search_fields = ("sort_name", "nip", "work_email")
    raw_id_fields = ("user", "unit", "position", "supervisor")
    list_select_related = ("unit", "position")


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
