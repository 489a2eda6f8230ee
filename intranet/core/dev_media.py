"""Public media under `dev.py up` (DEBUG only): what nginx serves in production (deploy/nginx/serambi.conf), Wagtail's
image renditions under /media/images/, and nothing else. Originals, CMS documents, employee photos and every private
file stay unreachable here as there; with DEBUG off this adds no route at all."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.static import serve

PUBLIC_FOLDER = "images"


def _root() -> Path | None:
    root = (Path(settings.MEDIA_ROOT) / PUBLIC_FOLDER).resolve()
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    # A private root placed inside the public folder (a misconfiguration) must not become reachable.
    if root == private or private.is_relative_to(root):
        return None
    return root


def media_urlpatterns(*, debug: bool) -> list:
    root = _root() if debug else None
    if root is None:
        return []
    prefix = settings.MEDIA_URL.lstrip("/")
    return [
        path(
            f"{prefix}{PUBLIC_FOLDER}/<path:path>",
            login_not_required(serve),
            {"document_root": str(root)},
            name="dev_media",
        ),
    ]
