"""The shipped nginx config, run for real (tests/nginx_server.py): an outsider without a session gets nothing
private under /media/ (not a CMS document, not an employee photo, not an upload from before the fix), the
private-file location cannot be reached from outside, CMS documents come only from the authorising view as
sandboxed attachments, and the iCal feed token is redacted in the access log (and in Django's own request log)."""

import logging
import uuid

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents.models import Document

from hr.leave.services import feed_token_rotate
from tests.cms.conftest import person
from tests.nginx_server import nginx  # noqa: F401 (fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"

pytestmark = pytest.mark.django_db(transaction=True)


def _session_cookie(user) -> dict:
    c = Client()
    c.force_login(user)
    return {"Cookie": f"sessionid={c.cookies['sessionid'].value}"}


def test_media_serves_no_document_photo_or_page_to_anyone(nginx):  # noqa: F811
    # What an older release left in the public folder, and what other uploads put there.
    for name, data in {
        "documents/ledger.html": HTML,
        "documents/pedoman.pdf": PDF,
        "photos/198001012005011001.jpg": b"\xff\xd8\xff\xe0jpeg",
        "original_images/x.svg": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        "leave/letter.pdf": PDF,
        "index.html": HTML,
    }.items():
        path = nginx.media_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        for url in (f"/media/{name}", f"/media/images/../{name}", f"/media/images/%2e%2e/{name}"):
            response = nginx.get(url)
            assert response.status_code == 404, (url, response.status_code)
            assert data not in response.body
    assert nginx.get("/media/").status_code == 404


def test_image_renditions_stay_public_and_inert(nginx):  # noqa: F811
    rendition = nginx.media_root / "images" / "berita.width-800.jpg"
    rendition.parent.mkdir(parents=True, exist_ok=True)
    rendition.write_bytes(b"\xff\xd8\xff\xe0jpeg")
    response = nginx.get("/media/images/berita.width-800.jpg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    (nginx.media_root / "images" / "planted.html").write_bytes(HTML)
    planted = nginx.get("/media/images/planted.html")
    assert planted.headers["content-type"] == "application/octet-stream"  # never rendered as a page


def test_private_location_is_internal_only(nginx):  # noqa: F811
    (nginx.private_root / "uploads" / "documents").mkdir(parents=True, exist_ok=True)
    (nginx.private_root / "uploads" / "documents" / "rapat.pdf").write_bytes(PDF)
    assert nginx.get("/_private/uploads/documents/rapat.pdf").status_code == 404


def test_cms_document_only_through_the_authorising_view(nginx, org, settings):  # noqa: F811
    settings.PRIVATE_MEDIA_X_ACCEL_PREFIX = "/_private/"  # as deployed: nginx sends the bytes
    doc = Document.objects.create(title="Rapat", file=ContentFile(PDF, name="rapat.pdf"))
    legacy = Document.objects.create(title="Lama", file=ContentFile(HTML, name="lama.html"))
    assert (nginx.private_root / "uploads" / doc.file.name).exists()
    assert nginx.get(f"/media/{doc.file.name}").status_code == 404

    anonymous = nginx.get(doc.url)
    assert anonymous.status_code == 302 and "/akun/" in anonymous.headers["location"]

    reader = _session_cookie(person(org["SUB1"]))
    response = nginx.get(doc.url, headers=reader)
    assert response.status_code == 200 and response.body == PDF
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]

    old = nginx.get(legacy.url, headers=reader)
    assert old.status_code == 200 and old.body == HTML
    assert old.headers["content-type"] == "application/octet-stream"
    assert old.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in old.headers["content-security-policy"]


def test_feed_token_is_redacted_in_the_access_log(nginx, org):  # noqa: F811
    token = feed_token_rotate(user=person(org["SUB1"])).token
    unknown = uuid.uuid4()
    assert nginx.get(f"/cuti/ical/{token}.ics").status_code == 200
    assert nginx.get(f"/cuti/ical/{unknown}.ics?x=1").status_code == 404
    lines = nginx.log_lines(containing="/cuti/ical/", at_least=2)
    assert len(lines) == 2
    assert all("/cuti/ical/[redacted].ics" in line for line in lines)
    log = nginx.access_log.read_text()
    assert str(token) not in log and str(unknown) not in log


def test_plain_http_redirect_keeps_the_real_address(nginx):  # noqa: F811
    import urllib.request

    from tests.nginx_server import _NoRedirect

    opener = urllib.request.build_opener(_NoRedirect())
    token = uuid.uuid4()
    try:
        opener.open(f"{nginx.http_url}/cuti/ical/{token}.ics", timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 301
        assert redirect.headers["Location"].endswith(f"/cuti/ical/{token}.ics")
    else:
        pytest.fail("no redirect to https")
    assert nginx.log_lines(containing="/cuti/ical/", at_least=1)
    assert str(token) not in nginx.access_log.read_text()


@pytest.mark.django_db
def test_django_request_log_redacts_the_feed_token(client, caplog):
    token = uuid.uuid4()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/cuti/ical/{token}.ics").status_code == 404
    messages = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert messages and all("/cuti/ical/[redacted].ics" in m for m in messages)
    assert str(token) not in caplog.text


def test_gunicorn_access_log_redacts_the_feed_token(tmp_path):
    """The shipped gunicorn config's access logger, writing a real log file."""
    import datetime as dt
    import runpy

    from gunicorn.config import Config

    from tests.nginx_server import CONF

    gunicorn_conf = runpy.run_path(str(CONF.parent.parent / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s %(U)s %({raw_uri}e)s "%(f)s"')
    logger = gunicorn_conf["logger_class"](cfg)
    token = uuid.uuid4()
    path = f"/cuti/ical/{token}.ics"

    class Response:
        status, sent, headers = "200 OK", 10, []

    environ = {
        "REMOTE_ADDR": "10.0.0.5",
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://serambi.example.go.id{path}",
    }
    logger.access(Response(), [], environ, dt.timedelta(milliseconds=5))
    for handler in logger.access_log.handlers:
        handler.flush()
    written = (tmp_path / "access.log").read_text()
    assert "/cuti/ical/[redacted].ics" in written and str(token) not in written
