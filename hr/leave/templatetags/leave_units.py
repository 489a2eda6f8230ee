"""`{{ n|leave_days:leave_type.unit }}`: a request's length with the language's plural (`hr.leave.units`)."""

from django import template

from hr.leave import units

register = template.Library()


@register.filter
def leave_days(n, unit=""):
    if n is None or n == "":
        return ""
    return units.counted(int(n), unit)
