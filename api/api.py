"""Serambi API v1 (django-ninja). Read endpoints for other agency systems: bearer token, rate limit and endpoint
grant as `api.auth` defines them, every call audited by `api.auth.gate` when urls.py mounts it."""

import datetime as dt
import logging
import math
from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.responses import Status
from pydantic import BaseModel, Field

from . import exports, selectors, services
from .auth import ClientBearer, ClientRateThrottle, endpoint_granted
from .errors import ApiError, error_response, from_exception
from .models import RestrictedField, WebhookSubscription

logger = logging.getLogger("serambi.api")

DESCRIPTION = """
Read-only interfaces for other agency systems (attendance, performance allowance, portals).

* **Authentication**: `Authorization: Bearer <token>`. Tokens are issued by Serambi administrators, shown once.
  Session cookies never grant access. Missing, unknown, revoked or expired token: **401**.
* **Scope**: each client sees only the units (and everything below them) it was granted; data outside never appears.
  Personal fields (NIP) appear only for clients granted them. An endpoint not granted: **403**.
* **Rate limit**: per client per minute; over it: **429** with `Retry-After`.
* **Pagination**: lists return `items`, `next_cursor`, `has_more`. Pass `cursor=<next_cursor>` for the next page.
  Cursors are stable while data changes: lists are ordered by (`updated_at`, `id`), so a record changed during a pull
  moves to the end and is seen again rather than missed.
* **Incremental pulls**: `updated_since=<ISO 8601 time>` returns records changed at or after that time. Store the
  largest `updated_at` you received and pass it next time.
* **Errors**: always `{"error": {"status": 401, "code": "invalid_token", "message": "..."}}`. Messages follow
  `Accept-Language` (`id` default, `en`).
* **Webhooks**: `leave.approved`, `leave.cancelled`, POSTed as JSON with headers `X-Serambi-Event`,
  `X-Serambi-Event-Id` (idempotency key), `X-Serambi-Timestamp` (Unix seconds) and
  `X-Serambi-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the subscription secret>`.
  Reject stale timestamps (e.g. older than 5 minutes). Failed deliveries are retried with exponential back-off.
"""


class JSONWithoutNul(Parser):
    """JSON bodies, refusing a NUL anywhere in them: it means nothing in any field, and PostgreSQL refuses it."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _holds_nul(data):
            raise ApiError(400, "bad_request", _("The request body contains a character that is not allowed."))
        return data


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


api = NinjaAPI(
    title="Serambi API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="v1",
    openapi_url="/openapi.json",
    docs_url=None,  # Swagger UI would load from a CDN: the docs page is rendered server-side instead (views.docs)
    auth=ClientBearer(),
    throttle=ClientRateThrottle(),
    parser=JSONWithoutNul(),
)
api.add_decorator(endpoint_granted)  # around each view, after authentication and throttling


# --- errors ----------------------------------------------------------------------------------------------------------
@api.exception_handler(ApiError)
def _api_error(request, exc):
    return from_exception(exc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc):
    details = [
        {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": e.get("type", "")} for e in exc.errors
    ]
    return error_response(422, "invalid_request", _("The request parameters are not valid."), details=details)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(413, "payload_too_large", _("The request body is too large."))


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Unexpected errors: logged with the traceback, answered with the usual body (never a traceback, even in DEBUG)."""
    logger.error("API error on %s", request.path, exc_info=exc)
    return error_response(500, "server_error", _("An internal error occurred. It has been logged."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:  # e.g. a body that is not JSON
        return error_response(400, "bad_request", _("The request body could not be read."))
    return error_response(exc.status_code, "error", str(exc))


@api.exception_handler(Throttled)
def _throttled(request, exc):
    seconds = math.ceil(exc.wait) if exc.wait else 60  # no estimate: a minute frees the whole allowance
    client = getattr(request, "auth", None)  # none yet: the address's failed authentications (ClientBearer)
    if client is None:
        message = _("Too many requests without a valid token from this address. Try again in %(seconds)d seconds.") % {
            "seconds": seconds
        }
    else:
        message = _("Too many requests: at most %(limit)d per minute. Try again in %(seconds)d seconds.") % {
            "limit": client.rate_limit,
            "seconds": seconds,
        }
    return error_response(429, "rate_limited", message, headers={"Retry-After": str(seconds)})


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        401, "unauthorized", _("Authentication required: send the header Authorization: Bearer <token>.")
    )


# --- schemas ---------------------------------------------------------------------------------------------------------
# Plain pydantic models (not ninja.Schema): the views return dicts, and skipping ninja's ORM-attribute resolver keeps
# a page of 1,000 employees well inside its time budget.
class Schema(BaseModel):
    pass


class ErrorDetail(Schema):
    status: int
    code: str = Field(description="Stable machine-readable code, e.g. invalid_token, forbidden, rate_limited.")
    message: str = Field(description="Human-readable, translated per Accept-Language.")
    details: Any | None = None


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_id: str
    name_en: str
    level: int = Field(description="0 ministry, 1–4 Eselon I–IV.")
    parent_code: str | None = Field(description="Null for the roots of the client's scope.")
    head_position: str | None
    active: bool


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: str | None
    has_more: bool


class EmployeeOut(Schema):
    id: int
    name: str = Field(description="Bare name, without academic titles.")
    full_name: str = Field(description="Name with titles, as addressed.")
    front_title: str
    back_title: str
    position: str | None
    unit_code: str
    unit_name: str
    work_email: str
    work_phone: str
    active: bool
    updated_at: dt.datetime
    nip: str | None = Field(None, description="Only present for clients granted the `nip` field.")


class EmployeePage(Schema):
    items: list[EmployeeOut]
    next_cursor: str | None
    has_more: bool


class LeaveEmployeeOut(Schema):
    id: int
    name: str
    full_name: str
    nip: str | None = Field(None, description="Only present for clients granted the `nip` field.")


class LeaveOut(Schema):
    id: int
    status: str = Field(description="approved, or cancelled (only with include_cancelled).")
    employee: LeaveEmployeeOut
    unit_code: str
    unit_name: str
    leave_type_code: str
    leave_type_name: str
    start_date: dt.date
    end_date: dt.date
    days: int = Field(description="Length of the whole leave, in `days_unit`.")
    days_unit: str = Field(description="working_days, calendar_days or months (counted as calendar days).")
    period_start: dt.date
    period_end: dt.date
    working_days_in_period: int = Field(description="Working days of the leave inside the requested period.")
    updated_at: dt.datetime


class LeavePage(Schema):
    items: list[LeaveOut]
    next_cursor: str | None
    has_more: bool


class LeaveSummaryOut(Schema):
    employee: LeaveEmployeeOut
    unit_code: str
    unit_name: str
    period_start: dt.date
    period_end: dt.date
    working_days: int = Field(description="Working days of approved leave inside the period, all types.")
    by_type: dict[str, int] = Field(description="Working days inside the period per leave type code.")


class LeaveSummaryPage(Schema):
    items: list[LeaveSummaryOut]
    next_cursor: str | None
    has_more: bool


class HolidayOut(Schema):
    date: dt.date
    name: str
    kind: str = Field(description="national, collective (cuti bersama) or agency.")


class CalendarOut(Schema):
    year: int
    version: int
    working_weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday.")
    updated_at: dt.datetime
    holidays: list[HolidayOut]


class WebhookIn(Schema):
    url: str = Field(description="https:// receiver URL.")
    events: list[str] = Field(description="leave.approved and/or leave.cancelled.")


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signing secret, shown only in this response.")


# --- routes ----------------------------------------------------------------------------------------------------------
LIMIT = Query(100, ge=1, le=1000, description="Page size (1–1000).")
UNIT = Query(None, description="Unit code: that unit and below it.")
START = Query(None, description="Period start (inclusive).")
END = Query(None, description="Period end (inclusive); at most 366 days after start.")
INCLUDE_CANCELLED = Query(False, description="Also return approved leave cancelled later.")


@api.get(
    "/units",
    response={200: UnitPage, **ERRORS},
    tags=["units"],
    url_name="units",
    summary=gettext_lazy("Organisation units in scope"),
)
def units(request, cursor: str | None = None, limit: int = LIMIT):
    """The unit tree (flat; rebuild it with `parent_code`), restricted to the client's subtrees."""
    return selectors.units_page(request.auth, cursor=cursor, limit=limit).as_dict()


@api.get(
    "/employees",
    response={200: EmployeePage, **ERRORS},
    exclude_unset=True,
    tags=["employees"],
    url_name="employees",
    summary=gettext_lazy("Employees in scope (work fields)"),
)
def employees(
    request,
    updated_since: dt.datetime | None = None,
    unit: str | None = UNIT,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = LIMIT,
):
    """Work fields only: name with titles, position, unit, work e-mail and phone; NIP only when granted.
    Includes inactive employees (with `active: false`) so incremental pulls see departures; filter with `active`."""
    return selectors.employees_page(
        request.auth, updated_since=updated_since, unit_code=unit, active=active, cursor=cursor, limit=limit
    ).as_dict()


@api.get(
    "/leave",
    response={200: LeavePage, **ERRORS},
    exclude_unset=True,
    tags=["leave"],
    url_name="leave",
    summary=gettext_lazy("Approved leave by period and unit"),
)
def leave(
    request,
    start: dt.date | None = START,
    end: dt.date | None = END,
    unit: str | None = UNIT,
    include_cancelled: bool = INCLUDE_CANCELLED,
    updated_since: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = LIMIT,
):
    """Approved leave overlapping the period, with the working days that fall inside it (holiday calendar in
    force: national holidays and cuti bersama excluded)."""
    return selectors.leave_page(
        request.auth,
        start=start,
        end=end,
        unit_code=unit,
        include_cancelled=include_cancelled,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    ).as_dict()


@api.get(
    "/leave/summary",
    response={200: LeaveSummaryPage, **ERRORS},
    exclude_unset=True,
    tags=["leave"],
    url_name="leave_summary",
    summary=gettext_lazy("Working days of approved leave per employee in a period"),
)
def leave_summary(
    request,
    start: dt.date,
    end: dt.date,
    unit: str | None = UNIT,
    cursor: str | None = None,
    limit: int = LIMIT,
):
    """For attendance and performance-allowance systems: per employee, the working days of approved leave that fall
    inside the period (at most 366 days), by leave type code and in total."""
    return selectors.leave_summary_page(
        request.auth, start=start, end=end, unit_code=unit, cursor=cursor, limit=limit
    ).as_dict()


@api.get(
    "/holidays/{year}",
    response={200: CalendarOut, **ERRORS},
    tags=["holidays"],
    url_name="holidays",
    summary=gettext_lazy("Holiday calendar of a year"),
)
def holidays(request, year: int):
    """Working weekdays and holidays (national holidays, cuti bersama, agency days off) in force for `year`."""
    return selectors.holiday_calendar(year)


@api.get(
    "/exports/leave",
    response={200: None, **ERRORS},
    tags=["exports"],
    url_name="exports_leave",
    summary=gettext_lazy("Approved leave as CSV or XLSX"),
)
def export_leave(
    request,
    start: dt.date,
    end: dt.date,
    unit: str | None = None,
    format: Literal["csv", "xlsx"] = "csv",  # noqa: A002
):
    """The leave endpoint's rows for the whole period as a file (text cells neutralised against formula injection)."""
    client = request.auth
    scope_units = selectors.client_scope_q(client, prefix="")
    unit_obj = selectors.unit_for_scope(scope_units, unit) if unit else None
    with_nip = client.has_field(RestrictedField.NIP)
    items = selectors.export_rows(
        selectors.client_scope_q(client, prefix="employee__unit__"),
        start=start,
        end=end,
        unit=unit_obj,
        with_nip=with_nip,
    )
    return exports.leave_download(items, fmt=format, filename=f"cuti-{start:%Y%m%d}-{end:%Y%m%d}", with_nip=with_nip)


def _webhook_out(sub: WebhookSubscription) -> dict:
    return {"id": sub.pk, "url": sub.url, "events": sub.events, "active": sub.active, "created_at": sub.created_at}


@api.get(
    "/webhooks",
    response={200: list[WebhookOut], **ERRORS},
    tags=["webhooks"],
    url_name="webhooks",
    summary=gettext_lazy("This client's webhook subscriptions"),
)
def webhook_list(request):
    return [_webhook_out(s) for s in request.auth.webhooks.filter(active=True).order_by("pk")]


@api.post(
    "/webhooks",
    response={201: WebhookCreated, **ERRORS},
    tags=["webhooks"],
    url_name="webhooks_create",
    summary=gettext_lazy("Subscribe to leave events"),
)
def webhook_create(request, payload: WebhookIn):
    """The response carries the signing secret; it is not shown again."""
    try:
        sub, secret = services.webhook_subscribe(client=request.auth, url=payload.url, events=payload.events)
    except services.ApiClientError as exc:
        raise ApiError(400, "invalid_webhook", str(exc)) from None
    return Status(201, {**_webhook_out(sub), "secret": secret})


@api.delete(
    "/webhooks/{subscription_id}",
    response={204: None, **ERRORS},
    tags=["webhooks"],
    url_name="webhooks_delete",
    summary=gettext_lazy("Unsubscribe"),
)
def webhook_delete(request, subscription_id: int):
    sub = get_object_or_404(WebhookSubscription, pk=subscription_id, client=request.auth, active=True)
    services.webhook_unsubscribe(subscription=sub)
    return Status(204, None)
