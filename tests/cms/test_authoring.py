"""What communications staff meet in the Wagtail editor: audience on the content tab, said not to be access control,
units as a tree; alt text required on images; news images served as responsive renditions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage
from wagtail.admin.panels import MultiFieldPanel
from wagtail.images.models import Image
from wagtail.models import Collection

from cms.news.models import NewsPage
from cms.policies.models import PolicyPage
from cms.training.models import CoursePage

from .conftest import add_news

pytestmark = pytest.mark.django_db


def _tabs(model):
    handler = model.get_edit_handler()
    return {str(tab.heading): tab for tab in handler.children}


def _audience_panels(panel):
    found = []
    for child in getattr(panel, "children", []):
        if isinstance(child, MultiFieldPanel) and str(child.heading) == "Audience":
            found.append(child)
        found += _audience_panels(child)
    return found


@pytest.mark.parametrize("model", [NewsPage, PolicyPage, CoursePage])
def test_audience_is_on_the_content_tab_and_says_it_is_not_access_control(model):
    with translation.override("en"):
        tabs = _tabs(model)
        assert len(_audience_panels(tabs["Content"])) == 1
        assert not _audience_panels(tabs["Promote"])
        [panel] = _audience_panels(tabs["Content"])
        assert "not access control" in str(panel.help_text) and "privacy" in str(panel.help_text)


def _png(width=1600, height=900) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_edit_screen_shows_units_as_a_tree_with_the_audience_help(admin_client, org):
    page = add_news("Apel pagi")
    body = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'lang="id"' in body and "Sasaran pembaca bukan kendali akses" in body  # the editor's admin in Indonesian
    assert "Simpan perubahan sebelum keluar" in body or "Pratinjau di tab baru" in body  # Wagtail's catalog lacks these
    top = body.index(org["DJ1"].name_id)
    directorate = body.index(org["DIR1"].name_id, top)
    section = body.index(org["SUB1"].name_id, directorate)
    assert top < directorate < section, "tree order"
    assert "\u2003\u2003" + org["SUB1"].name_id in body or "&emsp;&emsp;" in body


def test_an_image_needs_alt_text(admin_client):
    def upload(**extra):
        return admin_client.post(
            reverse("wagtailimages:add"),
            {
                "title": "apel",
                "collection": Collection.get_first_root_node().pk,
                "file": SimpleUploadedFile("apel.png", _png(64, 48), content_type="image/png"),
                **extra,
            },
        )

    response = upload(description="")
    assert response.status_code == 200 and not Image.objects.exists()
    assert response.context["form"].errors["description"]
    assert upload(description="Pegawai berbaris pada apel pagi").status_code == 302
    assert Image.objects.get().default_alt_text == "Pegawai berbaris pada apel pagi"


def test_news_images_are_responsive_renditions(client, org):
    from tests.factories import EmployeeFactory

    image = Image.objects.create(
        title="apel",
        description="Pegawai berbaris pada apel pagi",
        file=SimpleUploadedFile("apel.png", _png(), content_type="image/png"),
    )
    page = add_news("Apel pagi dengan foto", lead_image=image, body=[("image", image)])
    client.force_login(EmployeeFactory(unit=org["SUB1"]).user)
    body = client.get(page.url).content.decode()
    imgs = [chunk.split(">", 1)[0] for chunk in body.split("<img")[1:]]
    article = [i for i in imgs if "srcset" in i]
    assert len(article) == 2, imgs
    for tag in article:
        assert " 400w" in tag and " 800w" in tag and 'sizes="(max-width: 52rem) calc(100vw - 2rem), 800px"' in tag
        assert 'alt="Pegawai berbaris pada apel pagi"' in tag
