"""Demo policies: two policies everyone must acknowledge, with part of the staff having acknowledged."""

import datetime as dt

from django.utils import timezone

from intranet.accounts.models import User

from .models import Acknowledgement, PolicyIndexPage, PolicyPage

POLICIES = [
    {
        "title": "Kode Etik dan Kode Perilaku Pegawai",
        "slug": "kode-etik-pegawai",
        "regulation_number": "Peraturan Menteri Nomor 5 Tahun 2026",
        "summary": "Pedoman sikap, tingkah laku dan perbuatan pegawai di dalam dan di luar kedinasan.",
        "body": "<p>Setiap pegawai wajib menjunjung tinggi integritas, menghindari konflik kepentingan, dan menolak "
        "gratifikasi.</p><p>Pelanggaran kode etik diperiksa oleh Majelis Kode Etik.</p>",
        "days": 30,
    },
    {
        "title": "Kebijakan Keamanan Informasi dan Penggunaan Perangkat",
        "slug": "keamanan-informasi-perangkat",
        "regulation_number": "Surat Edaran Sekretaris Jenderal Nomor SE-12/2026",
        "summary": "Aturan penggunaan surel dinas, perangkat kerja, dan perlindungan data pribadi.",
        "body": "<p>Data pribadi pegawai dan masyarakat hanya diproses untuk keperluan kedinasan sesuai UU 27/2022.</p>"
        "<p>Perangkat kerja wajib terkunci saat ditinggalkan.</p>",
        "days": 14,
    },
]


def seed(ctx) -> None:
    index = PolicyIndexPage.objects.filter(locale__language_code="id").first()
    if index is None:
        return
    owner = User.objects.filter(username="editor").first()
    today = timezone.localdate()
    made = 0
    for spec in POLICIES:
        if PolicyPage.objects.filter(slug=spec["slug"], locale=index.locale).exists():
            continue
        page = PolicyPage(
            title=spec["title"],
            slug=spec["slug"],
            regulation_number=spec["regulation_number"],
            summary=spec["summary"],
            body=spec["body"],
            requires_acknowledgement=True,
            acknowledge_by=today + dt.timedelta(days=spec["days"]),
            content_owner=owner,
            review_by=today + dt.timedelta(days=365),
            live=False,
        )
        index.add_child(instance=page)
        page.save_revision(user=owner).publish()
        page.refresh_from_db()
        users = list(
            User.objects.filter(employee__active=True).exclude(username="pegawai").values_list("pk", flat=True)
        )
        chosen = ctx.rng.sample(users, k=len(users) * 2 // 5)
        Acknowledgement.objects.bulk_create(
            [Acknowledgement(page=page, user_id=pk, revision_id=page.live_revision_id) for pk in chosen],
            ignore_conflicts=True,
        )
        ctx.count("acknowledgements", len(chosen))
        made += 1
    ctx.count("policies", made)
