"""One error body for every API failure: {"error": {"status": 401, "code": "unauthorized", "message": "..."}}.
Messages are translated (Accept-Language: id or en); codes are stable identifiers for programs."""

from django.http import JsonResponse


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, headers: dict | None = None, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = str(message)
        self.headers = headers or {}
        self.details = details


def error_body(status: int, code: str, message: str, details=None) -> dict:
    body = {"status": status, "code": code, "message": str(message)}
    if details is not None:
        body["details"] = details
    return {"error": body}


def error_response(status: int, code: str, message: str, *, headers: dict | None = None, details=None) -> JsonResponse:
    response = JsonResponse(error_body(status, code, message, details), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="serambi-api"'
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def from_exception(exc: ApiError) -> JsonResponse:
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers, details=exc.details)
