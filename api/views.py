"""Browser views of the API app: the documentation page (rendered on the server from the OpenAPI document, no
Swagger UI, no CDN, no JavaScript) and the leave export for HR officers in scope."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from hr.org.models import HRScope, OrgUnit
from hr.org.selectors import scope_q
from intranet.accounts.permissions import role_required
from intranet.accounts.roles import Role
from intranet.audit.services import audit_record

from . import exports, selectors
from .errors import error_response

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def _type_of(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list[{_type_of(schema.get('items', {}))}]"
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    return f"{kind} ({schema['format']})" if schema.get("format") else kind


def _response_schema(response: dict) -> str:
    content = response.get("content") or {}
    for media in content.values():
        if "schema" in media:
            return _type_of(media["schema"])
    return ""


def docs_context(schema: dict) -> dict:
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "anchor": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": op.get("tags", []),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required", False),
                            "type": _type_of(p.get("schema", {})),
                            "description": p.get("description") or p.get("schema", {}).get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _type_of(next(iter(op["requestBody"]["content"].values()))["schema"])
                    if op.get("requestBody")
                    else "",
                    "responses": [
                        {"code": code, "schema": _response_schema(resp), "description": resp.get("description", "")}
                        for code, resp in sorted(op.get("responses", {}).items())
                    ],
                }
            )
    operations.sort(key=lambda o: (o["path"], METHOD_ORDER.get(o["method"].lower(), 9)))
    models = []
    for name, comp in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(comp.get("required", []))
        models.append(
            {
                "name": name,
                "fields": [
                    {
                        "name": field,
                        "type": _type_of(prop),
                        "required": field in required,
                        "description": prop.get("description", ""),
                    }
                    for field, prop in comp.get("properties", {}).items()
                ],
            }
        )
    return {"info": schema.get("info", {}), "operations": operations, "models": models}


def _schema(request) -> tuple[dict, str]:
    from .api import api

    prefix = request.path.rsplit("/", 1)[0] + "/"
    return api.get_openapi_schema(path_prefix=prefix), prefix


@login_not_required
def openapi_json(request):
    """The OpenAPI 3 document of API v1."""
    schema, _prefix = _schema(request)
    return JsonResponse(schema, json_dumps_params={"ensure_ascii": False})


openapi_json.serambi_access = "public"


@csrf_exempt
@login_not_required
def api_not_found(request, rest: str = ""):
    """Unknown API paths: the API's JSON error body, never the site's HTML or login redirect."""
    return error_response(404, "not_found", gettext("Not found."))


api_not_found.serambi_access = "public"


@login_not_required
def docs(request):
    """Public API documentation (it holds no data): everything other agencies' developers need, no JavaScript."""
    schema, prefix = _schema(request)
    context = docs_context(schema)
    context["openapi_url"] = prefix + "openapi.json"
    return render(request, "api/docs.html", context)


docs.serambi_access = "public"


class LeaveExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(
        label=_("Unit (with sub-units)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("All units in my scope"),
    )
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")], initial="csv")

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            OrgUnit.objects.filter(scope).order_by("path") if scope is not None else OrgUnit.objects.none()
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end of the period is before its start."))
            if (end - start).days >= selectors.MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("The period may span at most 366 days."))
        return data


@role_required(Role.HR_OFFICER)
def leave_export(request):
    """Approved leave of a period for the units in the HR officer's scope, as CSV or XLSX (same rows as the API)."""
    unit_scope = scope_q(request.user, HRScope.Kind.HR, prefix="")
    today = timezone.localdate()
    initial = {
        "start": today.replace(day=1),
        "end": (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1),
        "format": "csv",
    }
    form = LeaveExportForm(request.GET or None, scope=unit_scope, initial=initial)
    if unit_scope is not None and request.GET and form.is_valid():
        start, end, unit, fmt = (form.cleaned_data[k] for k in ("start", "end", "unit", "format"))
        items = selectors.export_rows(
            scope_q(request.user, HRScope.Kind.HR, prefix="employee__unit__"),
            start=start,
            end=end,
            unit=unit,
            with_nip=True,
        )
        audit_record(
            action="api.leave_export",
            request=request,
            details={
                "start": start.isoformat(),
                "end": end.isoformat(),
                "unit": unit.code if unit else None,
                "format": fmt,
                "rows": len(items),
            },
        )
        return exports.leave_download(items, fmt=fmt, filename=f"cuti-{start:%Y%m%d}-{end:%Y%m%d}", with_nip=True)
    return render(request, "api/leave_export.html", {"form": form, "has_scope": unit_scope is not None})
