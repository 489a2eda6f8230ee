from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from intranet.accounts.permissions import staff_member
from intranet.accounts.roles import Role, has_role
from intranet.core.caching import digest, generations, shared_copy
from intranet.core.private_files import private_file_response
from intranet.core.storage import private_name

from . import selectors
from .forms import DirectorySearchForm
from .models import OrgUnit
from .signals import ORG_GENERATION_KEY

# What the directory and profiles show changes only with the organisation generation (`signals`) and, for acting
# superiors, with the day: copies shared by every reader may be kept for a while.
SHARED_COPY_SECONDS = 600


def _org_key(*parts) -> str:
    (org_generation,) = generations(ORG_GENERATION_KEY)
    day = timezone.localdate().isoformat()
    return ":".join(str(p) for p in ("org", *parts, get_language(), day, org_generation))


@staff_member
def directory(request):
    """People directory: every logged-in staff member may search colleagues' work details — the same results for
    everyone, so one copy per address serves every reader."""

    def build():
        form = DirectorySearchForm(request.GET or None)
        query, unit = "", None
        if form.is_valid():
            query = form.cleaned_data.get("q") or ""
            unit = form.cleaned_data.get("unit")
        results = selectors.directory_results(query=query, unit=unit)
        page = Paginator(results, settings.SERAMBI_DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        params = {k: v for k, v in (("q", query), ("unit", unit.pk if unit else "")) if v}
        context = {"form": form, "page": page, "query": query, "unit": unit, "querystring": urlencode(params)}
        return render_to_string("org/directory_content.html", context)

    content = shared_copy(_org_key("directory", digest(request.get_full_path())), build, SHARED_COPY_SECONDS)
    return render(request, "org/directory.html", {"content": content})


@staff_member
def my_profile(request):
    """The user menu's "My profile" link, resolved only when followed: drawing it costs no page a query."""
    employee = selectors.employee_for_user(request.user)
    if employee is None:
        raise Http404(_("Your account is not linked to an employee record."))
    return redirect("org:profile", employee.pk)


@staff_member
def photo(request, pk: int):
    """An employee's photo, for whoever may see their profile; photos have no public address (core/storage.py)."""
    employee = selectors.visible_employee(request.user, pk)
    if not employee.photo:
        raise Http404
    ext = employee.photo.name.rsplit(".", 1)[-1].lower()
    response = private_file_response(
        name=private_name(employee.photo.name),
        download_name=f"{employee.pk}.{ext}",
        content_type=PHOTO_TYPES.get(ext, "application/octet-stream"),
        inline=True,
    )
    response["Cache-Control"] = "private, max-age=300"  # a directory page shows dozens; browsers keep them briefly
    return response


PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


@staff_member
def profile(request, pk: int):
    """A colleague's profile: work details for all staff; private details only for the person and scoped HR.
    Readers who see only the work details all get one shared copy of the page; the person and HR officers get it
    rendered for them (the copy knows whose profile it is, so the person is recognised without a query)."""

    def render_for(user):
        data = selectors.colleague_profile(user, pk, limit=50)
        context = {
            "employee": data.employee,
            "superior": data.superior,
            "reports": data.reports,
            "show_private": data.show_private,
            "ancestors": data.ancestors,
        }
        html = render_to_string("org/profile_content.html", context)
        return {"html": html, "title": data.employee.full_name, "user_id": data.employee.user_id}, data.show_private

    def build():
        copy, private = render_for(request.user)
        # an inactive employee answers 404 to these readers (colleague_profile raised); the person's own view is
        # private, never shared
        return None if private else copy

    copy = None
    if not has_role(request.user, Role.HR_OFFICER):  # whoever holds no HR scope sees the work details only
        copy = shared_copy(_org_key("profile", pk), build, SHARED_COPY_SECONDS)
    if copy is None or copy["user_id"] == request.user.pk:
        copy = render_for(request.user)[0]
    context = {"content": mark_safe(copy["html"]), "title": copy["title"]}  # noqa: S308 - our template's output
    return render(request, "org/profile.html", context)


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
