"""Demo news: a handful of realistic items (some in English too, one pinned, three targeted: at the demo employee's
directorate, at another directorate, at HR officers) with revisions, then
bulk-created items up to `--scale news=N` (default 40; 20,000 at ministry scale in about a minute, search index included)."""

import datetime as dt

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale

from hr.org.models import Employee, OrgUnit
from intranet.accounts.models import User
from intranet.accounts.roles import Role

from .bulk import bulk_create_news
from .models import NewsCategory, NewsIndexPage, NewsPage

CATEGORIES = [
    ("kepegawaian", "Kepegawaian", "Staffing"),
    ("kegiatan", "Kegiatan", "Events"),
    ("pengumuman", "Pengumuman", "Announcements"),
    ("teknologi", "Teknologi Informasi", "Information technology"),
]

FEATURED = [
    # (title, intro, category, English title, English intro, pinned)
    (
        "Apel Hari Kesadaran Nasional 17 Desember",
        "Seluruh pegawai diharapkan hadir di halaman kantor pusat pukul 07.30 WIB.",
        "pengumuman",
        "National Awareness Day assembly, 17 December",
        "All staff are expected in the main courtyard at 07:30 WIB.",
        True,
    ),
    (
        "Penyesuaian jam kerja selama bulan Ramadan",
        "Jam kerja pegawai disesuaikan menjadi pukul 08.00–15.00 WIB.",
        "kepegawaian",
        "Working hours during Ramadan",
        "Working hours are adjusted to 08:00–15:00 WIB.",
        False,
    ),
    (
        "Layanan cuti kini sepenuhnya daring melalui Serambi",
        "Pengajuan dan persetujuan cuti tidak lagi memerlukan formulir kertas.",
        "teknologi",
        "Leave requests are now fully online in Serambi",
        "Leave requests and approvals no longer need paper forms.",
        False,
    ),
    (
        "Pelantikan pejabat administrator dan pengawas",
        "Menteri melantik 24 pejabat administrator dan pengawas di lingkungan kementerian.",
        "kepegawaian",
        None,
        None,
        False,
    ),
    (
        "Donor darah dalam rangka Hari Ulang Tahun Kementerian",
        "Kegiatan donor darah bekerja sama dengan PMI di aula utama.",
        "kegiatan",
        None,
        None,
        False,
    ),
    (
        "Pembaruan kata sandi akun jaringan setiap 90 hari",
        "Demi keamanan informasi, kata sandi akun jaringan wajib diganti berkala.",
        "teknologi",
        None,
        None,
        False,
    ),
]

TOPICS = [
    "Rapat koordinasi",
    "Sosialisasi",
    "Bimbingan teknis",
    "Monitoring dan evaluasi",
    "Rapat kerja",
    "Penandatanganan nota kesepahaman",
    "Kunjungan kerja",
    "Focus group discussion",
]
SUBJECTS = [
    "reformasi birokrasi",
    "sistem merit",
    "pengelolaan arsip",
    "anggaran berbasis kinerja",
    "SPBE",
    "pelayanan publik",
    "zona integritas",
    "pengadaan barang dan jasa",
    "manajemen risiko",
]
# (title, intro, category, audience): "home" is the directorate of the demo accounts (pegawai, atasan, pejabat, sdm,
# gaji), "other" another directorate, a role name a role. What `pegawai` sees on the dashboard differs from `luar`.
TARGETED = [
    (
        "Rapat evaluasi kinerja triwulan IV direktorat",
        "Seluruh pegawai direktorat diundang ke rapat evaluasi kinerja di ruang rapat utama.",
        "kegiatan",
        "home",
    ),
    (
        "Kerja bakti lingkungan kantor direktorat",
        "Kerja bakti dilaksanakan Jumat pagi; pegawai direktorat lain tidak perlu hadir.",
        "kegiatan",
        "other",
    ),
    (
        "Batas unggah dokumen kepegawaian untuk petugas SDM",
        "Petugas SDM diminta melengkapi SK dan dokumen kepegawaian di Serambi paling lambat akhir bulan.",
        "kepegawaian",
        "hr_officer",
    ),
]
PLACES = ["Jakarta", "Bandung", "Yogyakarta", "Surabaya", "Makassar", "Medan", "Denpasar", "Balikpapan"]


def seed(ctx) -> None:
    index = NewsIndexPage.objects.filter(locale__language_code="id").first()
    if index is None:
        return
    cats = {}
    for slug, name_id, name_en in CATEGORIES:
        cats[slug], _ = NewsCategory.objects.get_or_create(slug=slug, defaults={"name_id": name_id, "name_en": name_en})
    owner = User.objects.filter(username="editor").first()
    today = timezone.localdate()
    en = Locale.objects.get(language_code="en")
    made = translated = 0
    for i, (title, intro, cat, title_en, intro_en, pinned) in enumerate(FEATURED):
        slug = slugify(title)[:80]
        if NewsPage.objects.filter(slug=slug, locale=index.locale).exists():
            continue
        page = NewsPage(
            title=title,
            slug=slug,
            intro=intro,
            category=cats[cat],
            date=today - dt.timedelta(days=i * 2),
            pinned_until=today + dt.timedelta(days=10) if pinned else None,
            content_owner=owner,
            review_by=today + dt.timedelta(days=180),
            body=[
                (
                    "paragraph",
                    f"<p>{intro}</p><p>Informasi lebih lanjut dapat ditanyakan kepada unit kerja masing-masing.</p>",
                )
            ],
        )
        index.add_child(instance=page)
        page.save_revision(user=owner).publish()
        made += 1
        if title_en:
            copy = page.copy_for_translation(en, copy_parents=True)
            copy.title = copy.draft_title = title_en
            copy.intro = intro_en
            copy.body = [("paragraph", f"<p>{intro_en}</p>")]
            copy.save_revision().publish()
            translated += 1
    made += _targeted(index, cats, owner, today)
    target = ctx.scale.get("news", 40)
    existing = NewsPage.objects.filter(locale=index.locale).count()
    missing = max(target - existing, 0)
    if missing:
        rng = ctx.rng
        cat_list = list(cats.values())
        items = []
        for n in range(existing, existing + missing):
            topic, subject, place = rng.choice(TOPICS), rng.choice(SUBJECTS), rng.choice(PLACES)
            title = f"{topic} {subject} di {place}"
            items.append(
                {
                    "title": title,
                    "slug": f"{slugify(title)[:60]}-{n}",
                    "intro": f"{topic} tentang {subject} diikuti perwakilan unit kerja dari seluruh Indonesia.",
                    "category": rng.choice(cat_list),
                    "date": today - dt.timedelta(days=rng.randrange(3, 720)),
                    "content_owner": owner,
                    "body": [("paragraph", f"<p>{topic} {subject} diselenggarakan di {place}.</p>")],
                }
            )
        with ctx.progress("news pages", len(items)) as bar:
            for start in range(0, len(items), 2000):
                chunk = items[start : start + 2000]
                bulk_create_news(parent=index, items=chunk)
                bar.advance(len(chunk))
        made += missing
    ctx.count("news pages", made)
    ctx.count("news translations (en)", translated)


def _targeted(index, cats, owner, today) -> int:
    pejabat = Employee.objects.filter(user__username="pejabat").select_related("unit").first()
    if pejabat is None:
        return 0
    home = pejabat.unit
    other = OrgUnit.objects.filter(level=home.level).exclude(pk=home.pk).order_by("path").first()
    made = 0
    for i, (title, intro, cat, audience) in enumerate(TARGETED):
        slug = slugify(title)[:80]
        if NewsPage.objects.filter(slug=slug, locale=index.locale).exists():
            continue
        units = {"home": [home], "other": [other] if other else []}.get(audience)
        roles = [] if units is not None else list(Group.objects.filter(name=Role[audience.upper()].value))
        if not (units or roles):
            continue
        page = NewsPage(
            title=title,
            slug=slug,
            intro=intro,
            category=cats[cat],
            date=today - dt.timedelta(days=i + 1),
            content_owner=owner,
            review_by=today + dt.timedelta(days=180),
            body=[("paragraph", f"<p>{intro}</p>")],
            audience_everyone=False,
            audience_include_subunits=True,
        )
        page.audience_units = units or []
        page.audience_roles = roles
        index.add_child(instance=page)
        page.save_revision(user=owner).publish()
        made += 1
    return made
