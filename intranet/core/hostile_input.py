"""A NUL character has no meaning in any URL or query parameter Serambi reads, and PostgreSQL refuses it in text
(a raw read such as `?q=` or a path segment would otherwise reach the database and answer 500). Such a request gets
the 400 page, before any view. Form fields are covered by Django's own ProhibitNullCharactersValidator."""

from django.core.exceptions import BadRequest


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in _pairs(request.GET)):
            raise BadRequest("NUL character in the path or query string")  # logged; the user sees the 400 page
        return self.get_response(request)


def _pairs(query):
    for key, values in query.lists():
        for value in values:
            yield key, value
