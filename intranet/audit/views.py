from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from intranet.accounts.permissions import role_required
from intranet.accounts.roles import Role
from intranet.core import tabular

from .forms import AuditSearchForm
from .selectors import audit_entries_search
from .services import audit_record

EXPORT_COLUMNS = ["id", "seq", "created_at", "actor_repr", "acting_for", "action", "object_type", "object_id",
                  "subject_employee_id", "ip", "user_agent", "outcome", "details", "entry_hash"]


@role_required(Role.AUDITOR)
def audit_search(request):
    form = AuditSearchForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data.items() if form.is_valid() else []) if v}
    entries = audit_entries_search(**filters).select_related(None)
    if request.GET.get("format") == "csv":
        audit_record(action="audit.export", request=request, details={k: str(v) for k, v in filters.items()})
        rows = ([getattr(e, c) for c in EXPORT_COLUMNS] for e in entries.iterator(chunk_size=2000))
        return tabular.download(filename="serambi-audit", header=EXPORT_COLUMNS, rows=rows, stream=True)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = urlencode({k: str(v) for k, v in filters.items()})
    return render(request, "audit/search.html", {"form": form, "page": page, "querystring": query})
