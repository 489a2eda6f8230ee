"""Demo HR documents: personnel files and unit documents of every classification, each with a small generated PDF.

Fast and scale-aware: one PDF is rendered once and its bytes copied under generated names; rows go in with
bulk_create. Size: `--scale documents=N` (default: two per employee, at most 3,000). Idempotent: skipped when any
document exists. The demo accounts get a meaningful set: `pegawai` has a personnel file (SK, ijazah, a pending
submission, a Rahasia record shared with `sdm`), the section has Terbatas and Rahasia unit documents (the Rahasia one
shared with `pejabat` for 30 days), and a Sangat Rahasia report is shared with `pejabat`.
"""

import datetime as dt
import hashlib
import uuid

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hr.org.models import Employee, HRScope, OrgUnit
from intranet.accounts.models import User
from intranet.core.private_files import private_storage

from .models import Category, Classification, Document, DocumentUserObjectPermission, DocumentVersion

PERSONNEL = [  # category code, title pattern, classification weight table
    ("sk-cpns", "SK Pengangkatan CPNS a.n. {name}"),
    ("sk-pns", "SK Pengangkatan PNS a.n. {name}"),
    ("sk-pangkat", "SK Kenaikan Pangkat a.n. {name}"),
    ("ijazah", "Ijazah a.n. {name}"),
    ("sertifikat", "Sertifikat Pelatihan a.n. {name}"),
    ("skp", "SKP Tahun {year} a.n. {name}"),
]
UNIT = [
    ("surat-edaran", "Surat Edaran tentang {topic}"),
    ("sop", "SOP {topic}"),
    ("nota-dinas", "Nota Dinas {topic}"),
    ("laporan", "Laporan {topic}"),
]
TOPICS = [
    "Jam Kerja dan Presensi",
    "Pengelolaan Arsip",
    "Penggunaan Kendaraan Dinas",
    "Perjalanan Dinas",
    "Keamanan Informasi",
    "Pengadaan Barang",
    "Evaluasi Kinerja Triwulan",
    "Rencana Strategis",
    "Audit Internal",
    "Pengembangan Kompetensi",
]


def _pdf_template() -> bytes:
    from intranet.core.pdf import html_to_pdf

    html = (
        "<html><body style='font-family:sans-serif'><h1>Dokumen contoh</h1>"
        "<p>Dokumen ini dibuat oleh data demo Serambi. Isinya tidak bermakna.</p></body></html>"
    )
    return html_to_pdf(html)


def seed(ctx) -> None:
    if Document.objects.exists():
        ctx.stdout.write("  documents already seeded; skipping (idempotent)")
        return
    total = ctx.scale.get("documents", min(ctx.employees * 2, 3000))
    rng = ctx.rng
    pdf = _pdf_template()
    digest = hashlib.sha256(pdf).hexdigest()
    cats = {c.code: c for c in Category.objects.all()}
    scopes = list(HRScope.objects.filter(kind=HRScope.Kind.HR).select_related("unit", "user").order_by("unit__depth"))
    employees = list(Employee.objects.filter(active=True).select_related("unit", "user").order_by("pk"))
    units = list(OrgUnit.objects.filter(active=True).order_by("path"))
    if not employees or not units:
        ctx.stdout.write("  no organisation yet; skipping documents")
        return

    def hr_for(unit):
        best = None
        for s in scopes:
            if unit.path.startswith(s.unit.path):
                best = s.user
        return best

    now = timezone.now()
    n_personnel = int(total * 0.7)
    docs: list[Document] = []
    for i in range(n_personnel):
        emp = employees[i % len(employees)]
        code, pattern = PERSONNEL[rng.randrange(len(PERSONNEL))]
        cls = Classification.RAHASIA if rng.random() < 0.04 else Classification.TERBATAS
        if cls == Classification.RAHASIA:
            code, pattern = "disiplin", "Keputusan Hukuman Disiplin a.n. {name}"
        docs.append(
            _doc(
                cats[code],
                cls,
                pattern.format(name=emp.name, year=2020 + i % 5),
                rng,
                now,
                subject=emp,
                created_by=hr_for(emp.unit),
            )
        )
    for _i in range(total - n_personnel):
        unit = units[rng.randrange(len(units))]
        code, pattern = UNIT[rng.randrange(len(UNIT))]
        roll = rng.random()
        cls = (
            Classification.BIASA
            if roll < 0.5
            else Classification.TERBATAS
            if roll < 0.9
            else Classification.RAHASIA
            if roll < 0.97
            else Classification.SANGAT_RAHASIA
        )
        docs.append(
            _doc(
                cats[code],
                cls,
                pattern.format(topic=TOPICS[rng.randrange(len(TOPICS))]),
                rng,
                now,
                unit=unit,
                created_by=hr_for(unit),
            )
        )
    docs.extend(_demo_documents(cats, rng, now, hr_for))

    with transaction.atomic(), ctx.progress("documents", len(docs)) as bar:
        Document.objects.bulk_create(docs, batch_size=2000)
        storage = private_storage()
        versions = []
        for idx, doc in enumerate(docs):
            name = storage.save(f"documents/demo/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
            versions.append(
                DocumentVersion(
                    document=doc,
                    number=1,
                    storage_name=name,
                    original_name=f"dokumen-{doc.pk}.pdf",
                    content_type="application/pdf",
                    size=len(pdf),
                    sha256=digest,
                    uploaded_by=doc.created_by,
                    uploaded_at=doc.created_at,
                )
            )
            if idx % 500 == 499:
                bar.advance(500)
        DocumentVersion.objects.bulk_create(versions, batch_size=2000)
        for doc, version in zip(docs, versions, strict=True):
            doc.current_version = version
        Document.objects.bulk_update(docs, ["current_version"], batch_size=2000)
        grants = _grants(docs, now)
        DocumentUserObjectPermission.objects.bulk_create(grants, batch_size=5000)
        bar.done = len(docs)
    ctx.count("documents", len(docs))
    ctx.count("document grants", len(grants))


def _doc(category, cls, title, rng, now, *, subject=None, unit=None, created_by=None, **extra) -> Document:
    year = rng.randint(2015, 2025)
    return Document(
        title=title[:255],
        category=category,
        classification=cls,
        subject_employee=subject,
        owner_unit=unit,
        number=f"{rng.randint(100, 999)}/{category.code.upper()}/{rng.randint(1, 99)}/{year}",
        document_date=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
        issuer=rng.choice(["Sekretaris Jenderal", "Kepala Biro SDM", "Direktur", "Kepala BKN"]),
        keywords="kepegawaian, contoh",
        language="id",
        created_by=created_by,
        created_at=now - dt.timedelta(days=rng.randint(0, 900)),
        **extra,
    )


def _demo_documents(cats, rng, now, hr_for) -> list[Document]:
    """A recognisable set around the demo accounts (see the module docstring)."""
    users = {u.username: u for u in User.objects.filter(username__in=["pegawai", "sdm", "pejabat", "atasan"])}
    pegawai = Employee.objects.select_related("unit").filter(user__username="pegawai").first()
    if pegawai is None or "sdm" not in users:
        return []
    sdm = users["sdm"]
    section = pegawai.unit
    kem = OrgUnit.objects.filter(depth=1).first()
    out = [
        _doc(
            cats["sk-cpns"],
            Classification.TERBATAS,
            f"SK Pengangkatan CPNS a.n. {pegawai.name}",
            rng,
            now,
            subject=pegawai,
            created_by=sdm,
        ),
        _doc(
            cats["sk-pangkat"],
            Classification.TERBATAS,
            f"SK Kenaikan Pangkat III/b a.n. {pegawai.name}",
            rng,
            now,
            subject=pegawai,
            created_by=sdm,
        ),
        _doc(
            cats["ijazah"],
            Classification.TERBATAS,
            "Ijazah S1 Ilmu Komputer",
            rng,
            now,
            subject=pegawai,
            created_by=pegawai.user,
            verification=Document.Verification.VERIFIED,
        ),
        _doc(
            cats["sertifikat"],
            Classification.TERBATAS,
            "Sertifikat Pelatihan Kepemimpinan",
            rng,
            now,
            subject=pegawai,
            created_by=pegawai.user,
            verification=Document.Verification.PENDING,
        ),
        _doc(
            cats["disiplin"],
            Classification.RAHASIA,
            f"Berita Acara Pemeriksaan a.n. {pegawai.name}",
            rng,
            now,
            subject=pegawai,
            created_by=sdm,
        ),
        _doc(
            cats["nota-dinas"],
            Classification.TERBATAS,
            "Nota Dinas Pembagian Tugas Seksi",
            rng,
            now,
            unit=section,
            created_by=sdm,
        ),
        _doc(
            cats["laporan"],
            Classification.RAHASIA,
            "Laporan Hasil Audit Internal Seksi",
            rng,
            now,
            unit=section,
            created_by=sdm,
        ),
        _doc(
            cats["laporan"],
            Classification.SANGAT_RAHASIA,
            "Laporan Investigasi Khusus",
            rng,
            now,
            unit=section.get_parent() or section,
            created_by=sdm,
        ),
    ]
    if kem is not None:
        out.append(
            _doc(
                cats["surat-edaran"],
                Classification.BIASA,
                "Surat Edaran Jam Kerja Bulan Ramadan",
                rng,
                now,
                unit=kem,
                created_by=hr_for(kem) or sdm,
            )
        )
    out[0]._demo_share = []
    out[6]._demo_share = [("pejabat", ("view", "download"), 30)]
    out[7]._demo_share = [("pejabat", ("view", "download"), 30)]
    for doc in out:
        doc._demo_users = users
    return out


def _grants(docs: list[Document], now) -> list[DocumentUserObjectPermission]:
    """The filer of each Rahasia+ document holds every permission (as document_create does); demo shares on top."""
    perms = {
        p.codename.removesuffix("_document"): p
        for p in Permission.objects.filter(
            content_type__app_label="documents",
            codename__in=[f"{c}_document" for c in ("view", "download", "change", "share")],
        )
    }
    rows = []
    for doc in docs:
        if doc.classification >= Classification.RAHASIA and doc.created_by_id:
            rows.extend(
                DocumentUserObjectPermission(
                    content_object=doc, user_id=doc.created_by_id, permission=p, granted_at=now
                )
                for p in perms.values()
            )
        for username, names, days in getattr(doc, "_demo_share", []):
            user = doc._demo_users.get(username)
            if user is None:
                continue
            rows.extend(
                DocumentUserObjectPermission(
                    content_object=doc,
                    user=user,
                    permission=perms[n],
                    granted_at=now,
                    granted_by_id=doc.created_by_id,
                    expires_at=now + dt.timedelta(days=days),
                )
                for n in names
            )
    return rows
