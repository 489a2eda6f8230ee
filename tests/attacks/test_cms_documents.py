"""An editor tries to plant script in CMS documents and images, and an outsider tries to read them.

HTML, SVG, XML and script uploads are refused by extension, an HTML page renamed .pdf by its content; the stored
file is in private storage, never under MEDIA_ROOT; the only way to it is the serve view, behind the login wall and
the collection's privacy, as an attachment with nosniff and a sandboxing CSP. Images: no SVG, and a pixel cap for
Wagtail images and for the attachments of leave requests and HR documents."""

import io
import struct
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction

from cms.training.models import CourseModule
from intranet.accounts.models import User
from tests.cms.conftest import add_course, person

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>fetch('/api/v1/employees').then(r=>r.text()).then(alert)</script>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    """Messages of direct service calls are asserted in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, org):
    user = User.objects.create_superuser(username="webmaster", password="x" * 16, email="w@example.go.id")
    client.force_login(user)
    return client


def _upload(client, name, data):
    collection = Collection.get_first_root_node()
    return client.post(
        reverse("wagtaildocs:add"),
        {"title": name, "collection": collection.pk, "file": SimpleUploadedFile(name, data)},
    )


@pytest.mark.parametrize(
    "name,data",
    [
        ("ledger.html", HTML),
        ("ledger.htm", HTML),
        ("ledger.xhtml", HTML),
        ("ledger.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("ledger.xml", b"<?xml version='1.0'?><x/>"),
        ("ledger.js", b"alert(1)"),
        ("ledger.pdf", HTML),  # the content decides, not the name
        ("ledger.docx", HTML),
        ("ledger.mp4", HTML),
    ],
)
def test_script_carrying_documents_are_refused(admin_client, name, data):
    response = _upload(admin_client, name, data)
    assert response.status_code == 200  # the form again, with the error
    assert not Document.objects.exists()
    assert response.context["form"].errors["file"]  # refused with a message on the file field


def test_a_real_pdf_is_stored_privately_and_served_only_as_a_safe_download(admin_client, client, org, settings):
    assert _upload(admin_client, "Pedoman Kerja.pdf", PDF).status_code == 302
    doc = Document.objects.get()
    stored = settings.PRIVATE_MEDIA_ROOT / "uploads" / doc.file.name
    assert stored.read_bytes() == PDF
    assert not (settings.MEDIA_ROOT / doc.file.name).exists()  # nothing under the public media folder
    with pytest.raises(NotImplementedError):
        doc.file.url  # noqa: B018 (no public address at all)
    assert doc.url == f"/berkas/{doc.pk}/{doc.filename}" and not doc.url.startswith(settings.MEDIA_URL)

    client.logout()
    anonymous = client.get(doc.url)
    assert anonymous.status_code == 302 and "/akun/" in anonymous["Location"]

    client.force_login(person(org["SUB1"]))
    response = client.get(doc.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Type"] == "application/pdf"


def test_an_html_file_from_before_the_allow_list_cannot_run(client, org):
    """A document uploaded before the fix (stored by Wagtail without checks) goes out as opaque bytes."""
    doc = Document.objects.create(title="Lama", file=ContentFile(HTML, name="lama.html"))
    client.force_login(person(org["SUB1"]))
    response = client.get(doc.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_collection_privacy_is_honoured(client, org):
    root = Collection.get_first_root_node()
    secret = root.add_child(name="Pimpinan")
    restriction = CollectionViewRestriction.objects.create(
        collection=secret, restriction_type=CollectionViewRestriction.GROUPS
    )
    leaders = Group.objects.create(name="Pimpinan")
    restriction.groups.set([leaders])
    doc = Document.objects.create(title="Rapat", collection=secret, file=ContentFile(PDF, name="rapat.pdf"))
    outsider = person(org["SUB1"])
    client.force_login(outsider)
    assert client.get(doc.url).status_code in (302, 403)
    outsider.groups.add(leaders)
    assert client.get(doc.url).status_code == 200


def test_wrong_filename_is_a_404(client, org):
    doc = Document.objects.create(title="Rapat", file=ContentFile(PDF, name="rapat.pdf"))
    client.force_login(person(org["SUB1"]))
    assert client.get(f"/berkas/{doc.pk}/lain.pdf").status_code == 404


def test_training_module_with_a_document_opens(client, org):
    course = add_course("Keamanan Informasi", modules=1)
    doc = Document.objects.create(title="Materi", file=ContentFile(PDF, name="materi.pdf"))
    video = Document.objects.create(title="Video", file=ContentFile(b"\0\0\0\x18ftypmp42", name="materi.mp4"))
    CourseModule.objects.filter(page=course).update(document=doc, video=video)
    module = CourseModule.objects.get(page=course)
    client.force_login(person(org["SUB1"]))
    response = client.get(f"{course.url}modul/{module.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/berkas/{doc.pk}/materi.pdf"' in html and f'src="/berkas/{video.pk}/materi.mp4"' in html
    assert client.get(f"/berkas/{video.pk}/materi.mp4")["Content-Type"] == "video/mp4"


# --- images ---------------------------------------------------------------------------------------------------------
def png_of(width: int, height: int) -> bytes:
    """A small PNG file that declares `width`×`height` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_svg_image_upload_is_refused(admin_client):
    from wagtail.images.models import Image

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "logo",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml"),
        },
    )
    assert response.status_code == 200 and not Image.objects.exists()


def test_oversized_image_is_refused_by_wagtail(admin_client, settings):
    from wagtail.images.models import Image

    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "bom",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("bom.png", png_of(8000, 8000), content_type="image/png"),
        },
    )
    assert response.status_code == 200 and not Image.objects.exists()  # 64 M pixels > the 40 M cap


def test_truncated_image_is_refused_with_a_message_not_a_500(admin_client):
    from PIL import ImageFile
    from wagtail.images.models import Image
    from weasyprint import HTML

    HTML(string="<p>PDF</p>").write_pdf()  # a worker that has rendered a PDF (WeasyPrint sets a Pillow flag)
    assert not ImageFile.LOAD_TRUNCATED_IMAGES
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "rusak",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("rusak.png", png_of(400, 300), content_type="image/png"),  # no pixel data
        },
    )
    assert response.status_code == 200 and not Image.objects.exists()
    assert response.context["form"].errors["file"]


def test_a_real_image_is_still_accepted(admin_client):
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "navy").save(buffer, "PNG")
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "logo",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (64, 48)


def test_oversized_png_is_refused_as_a_leave_attachment():
    from hr.leave.services import LeaveError, sniff_document

    with pytest.raises(LeaveError) as refused:
        sniff_document(SimpleUploadedFile("surat-dokter.png", png_of(30000, 30000), content_type="image/png"))
    assert "pixels" in str(refused.value)
    assert sniff_document(SimpleUploadedFile("ok.png", png_of(800, 600), content_type="image/png")) == "image/png"


def test_oversized_png_is_refused_as_an_hr_document():
    from django.core.exceptions import ValidationError

    from hr.documents.validation import validate_upload

    with pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile("sk.png", png_of(30000, 30000), content_type="image/png"))
    assert "pixels" in str(refused.value)
    assert validate_upload(SimpleUploadedFile("sk.png", png_of(800, 600))).kind.key == "png"


def test_pillow_refuses_to_open_a_bomb_anywhere_in_the_process():
    from PIL import Image

    # 81 million pixels: under Pillow's own default (89 million), over the project's cap (40 million)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_of(9000, 9000)))
    Image.open(io.BytesIO(png_of(6000, 6000))).close()  # 36 million: opens


def test_employee_photo_is_private_and_served_to_colleagues_only(client, org, settings):
    from tests import factories

    employee = factories.EmployeeFactory(unit=org["SUB1"])
    employee.photo.save("ani.png", ContentFile(png_of(48, 48)), save=True)
    assert (settings.PRIVATE_MEDIA_ROOT / "uploads" / employee.photo.name).exists()
    assert not (settings.MEDIA_ROOT / employee.photo.name).exists()
    url = reverse("org:photo", args=[employee.pk])
    assert client.get(url).status_code == 302  # the login wall
    client.force_login(person(org["DIR2"]))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    profile = client.get(reverse("org:profile", args=[employee.pk])).content.decode()
    assert f'src="{url}"' in profile and "/media/" not in profile


def test_a_document_on_pages_one_may_not_read_is_refused(client, org):
    """Page privacy: a document used only by a course for another directorate, or by a news article restricted to a
    group, is not readable by someone who may not read those pages, even knowing its address."""
    from tests.cms.conftest import add_news, restrict

    handout = Document.objects.create(title="Materi", file=ContentFile(PDF, name="materi-dir1.pdf"))
    course = add_course("Khusus DIR1", modules=1, units=[org["DIR1"]])
    CourseModule.objects.filter(page=course).update(document=handout)
    course.refresh_from_db()
    course.save_revision().publish()  # the reference index records the module's document
    outsider, insider = person(org["DIR2"]), person(org["SUB1"])  # SUB1 is under DIR1
    client.force_login(outsider)
    assert client.get(handout.url).status_code == 404
    client.force_login(insider)
    assert client.get(handout.url).status_code == 200

    memo = Document.objects.create(title="Memo", file=ContentFile(PDF, name="memo.pdf"))
    news = add_news("Rapat pimpinan", body=[("paragraph", f'<p><a linktype="document" id="{memo.pk}">memo</a></p>')])
    news.save_revision().publish()
    leaders = Group.objects.create(name="Pimpinan")
    restrict(news, "Pimpinan")
    assert client.get(memo.url).status_code == 404
    insider.groups.add(leaders)
    assert client.get(memo.url).status_code == 200
