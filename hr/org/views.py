from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from intranet.core.permissions import staff_member

from . import selectors
from .forms import DirectorySearchForm
from .models import OrgUnit


@staff_member
def directory(request):
    """People directory: every logged-in staff member may search colleagues' work details."""
    form = DirectorySearchForm(request.GET or None)
    query, unit = "", None
    if form.is_valid():
        query = form.cleaned_data.get("q") or ""
        unit = form.cleaned_data.get("unit")
    results = selectors.directory_results(query=query, unit=unit)
    page = Paginator(results, settings.SERAMBI_DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("q", query), ("unit", unit.pk if unit else "")) if v}
    return render(
        request,
        "org/directory.html",
        {"form": form, "page": page, "query": query, "unit": unit, "querystring": urlencode(params)},
    )


@staff_member
def my_profile(request):
    """The user menu's "My profile" link, resolved only when followed: drawing it costs no page a query."""
    employee = selectors.employee_for_user(request.user)
    if employee is None:
        raise Http404(_("Your account is not linked to an employee record."))
    return redirect("org:profile", employee.pk)


@staff_member
def profile(request, pk: int):
    """A colleague's profile: work details for all staff; private details only for the person and scoped HR."""
    data = selectors.colleague_profile(request.user, pk, limit=50)
    return render(
        request,
        "org/profile.html",
        {
            "employee": data.employee,
            "superior": data.superior,
            "reports": data.reports,
            "show_private": data.show_private,
            "ancestors": data.ancestors,
        },
    )


@staff_member
def unit_detail(request, code: str):
    """A unit with its head, sub-units two levels down (nested lists, no JS) and its direct members."""
    unit = get_object_or_404(OrgUnit.objects.select_related("head_position"), code=code, active=True)
    subtree = selectors.unit_subtree(unit, levels=2)
    members = Paginator(
        unit.employees.filter(active=True).select_related("position").order_by("sort_name", "pk"),
        settings.SERAMBI_DIRECTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "org/unit.html",
        {
            "unit": unit,
            "ancestors": unit.get_ancestors(),
            "head": selectors.unit_head(unit),
            "subtree": subtree,
            "page": members,
        },
    )
