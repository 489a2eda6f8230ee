"""Demo data for the home page: an alert banner, quick links, English versions of the home and section pages."""

import datetime as dt

from django.utils import timezone
from wagtail.models import Locale, Page

from .models import HomePage, SiteAlert, StandardPage


def _translate(page, locale):
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing
    copy = page.specific.copy_for_translation(locale, copy_parents=True)
    copy.save_revision().publish()
    return copy


def english_titles():
    return {
        "beranda": "Home",
        "berita": "News",
        "pelatihan": "Training",
        "kebijakan": "Policies",
        "tentang-serambi": "About Serambi",
    }


def seed(ctx) -> None:
    home = HomePage.objects.filter(locale__language_code="id").first()
    if home is None:
        ctx.stdout.write("  no home page (run migrate first); skipping")
        return
    alert = SiteAlert.load()
    if not alert.message_id:
        alert.enabled = True
        alert.level = SiteAlert.Level.INFO
        alert.message_id = (
            "Pemeliharaan sistem kepegawaian pada Sabtu pukul 22.00–24.00 WIB; layanan cuti sementara tidak tersedia."
        )
        alert.message_en = (
            "HR system maintenance on Saturday 22:00–24:00 WIB; leave services will be briefly unavailable."
        )
        alert.until = timezone.now() + dt.timedelta(days=14)
        alert.save()
        ctx.count("alert banner", 1)
    if not home.quick_links.raw_data:
        home.quick_links = [
            ("link", {"title": "Ajukan cuti", "page": None, "url": "/cuti/"}),
            ("link", {"title": "Slip gaji saya", "page": None, "url": "/slip-gaji/"}),
            ("link", {"title": "Direktori pegawai", "page": None, "url": "/direktori/"}),
            ("link", {"title": "Dokumen kepegawaian", "page": None, "url": "/dokumen/"}),
        ]
        home.save_revision().publish()
    if not StandardPage.objects.filter(slug="tentang-serambi").exists():
        about = StandardPage(
            title="Tentang Serambi",
            slug="tentang-serambi",
            intro="Serambi adalah intranet dan layanan mandiri kepegawaian kementerian.",
            body="<p>Gunakan Serambi untuk membaca berita, mengikuti pelatihan, menyatakan telah membaca kebijakan, "
            "mengajukan cuti dan mengunduh slip gaji.</p>",
        )
        home.add_child(instance=about)
        about.save_revision().publish()
        ctx.count("standard pages", 1)
    en = Locale.objects.get(language_code="en")
    titles = english_titles()
    made = 0
    for page in [home, *Page.objects.child_of(home).filter(locale=home.locale).specific()]:
        if page.get_translation_or_none(en) is None:
            copy = _translate(page, en)
            copy.title = titles.get(page.slug, copy.title)
            copy.draft_title = copy.title
            copy.save_revision().publish()
            made += 1
    ctx.count("English page versions", made)
