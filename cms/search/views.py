from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.http import urlencode

from intranet.accounts.permissions import staff_member

from . import selectors

PAGE_SIZE = 20


@staff_member
def index(request):
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("type", "")
    context = {"query": query, "kind": kind, "groups": [], "page_obj": None}
    if query:
        groups = selectors.search_all(request.user, query, chosen=kind)
        context["facets"] = [{"key": g.key, "label": g.label, "total": g.total} for g in groups]
        context["total"] = sum(g.total for g in groups)
        chosen = next((g for g in groups if g.key == kind), None)
        if chosen is not None:
            page = Paginator(chosen.hits, PAGE_SIZE).get_page(request.GET.get("page"))
            context["chosen"] = chosen
            context["page_obj"] = page
            context["querystring"] = urlencode({"q": query, "type": kind})
        else:
            context["groups"] = [g for g in groups if g.total]
            context["kind"] = ""
    response = TemplateResponse(request, "search/search.html", context)
    response.headers["Cache-Control"] = "private, no-store"
    return response
