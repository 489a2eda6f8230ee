"""Demo training: three courses, one mandatory for everyone with a due date and a quiz; a few enrolments."""

import datetime as dt

from django.utils import timezone

from intranet.accounts.models import User

from . import services
from .models import CourseModule, CoursePage, QuizQuestion, TrainingIndexPage

COURSES = [
    {
        "title": "Orientasi Nilai Dasar ASN BerAKHLAK",
        "slug": "orientasi-berakhlak",
        "intro": "Nilai dasar Berorientasi Pelayanan, Akuntabel, Kompeten, Harmonis, Loyal, Adaptif dan Kolaboratif.",
        "learning_hours": "4.0",
        "mandatory": True,
        "due_days": 21,
        "modules": [
            (
                "Berorientasi pelayanan dan akuntabel",
                "<p>Memahami kebutuhan masyarakat dan bertanggung jawab atas amanah.</p>",
            ),
            (
                "Kompeten, harmonis dan loyal",
                "<p>Terus belajar, saling peduli, dan setia kepada Pancasila dan UUD 1945.</p>",
            ),
            ("Adaptif dan kolaboratif", "<p>Cepat menyesuaikan diri dan membangun kerja sama yang sinergis.</p>"),
        ],
        "questions": [
            ("Apa kepanjangan huruf A pertama dalam BerAKHLAK?", ["Adaptif", "Akuntabel", "Aktif"], 2),
            ("Nilai yang menekankan kerja sama lintas unit adalah…", ["Kolaboratif", "Loyal", "Harmonis"], 1),
            ("Setia kepada Pancasila dan UUD 1945 termasuk nilai…", ["Kompeten", "Loyal", "Adaptif"], 2),
        ],
    },
    {
        "title": "Keamanan Informasi untuk Pegawai",
        "slug": "keamanan-informasi",
        "intro": "Mengenali phishing, mengelola kata sandi, dan melindungi data pribadi sesuai UU 27/2022.",
        "learning_hours": "2.0",
        "mandatory": False,
        "modules": [
            ("Mengenali surel phishing", "<p>Periksa alamat pengirim dan jangan membuka tautan mencurigakan.</p>"),
            (
                "Kata sandi dan autentikasi dua faktor",
                "<p>Gunakan frasa sandi panjang dan aktifkan verifikasi dua langkah.</p>",
            ),
        ],
        "questions": [],
    },
    {
        "title": "Penulisan Naskah Dinas",
        "slug": "naskah-dinas",
        "intro": "Tata naskah dinas: nota dinas, surat dinas, dan surat edaran.",
        "learning_hours": "3.0",
        "mandatory": False,
        "modules": [
            ("Jenis naskah dinas", "<p>Naskah dinas arahan, korespondensi dan khusus.</p>"),
            ("Susunan dan penomoran", "<p>Kepala, batang tubuh, kaki, dan kode klasifikasi arsip.</p>"),
        ],
        "questions": [],
    },
]


def seed(ctx) -> None:
    index = TrainingIndexPage.objects.filter(locale__language_code="id").first()
    if index is None:
        return
    owner = User.objects.filter(username="editor").first()
    today = timezone.localdate()
    made = 0
    for spec in COURSES:
        if CoursePage.objects.filter(slug=spec["slug"], locale=index.locale).exists():
            continue
        page = CoursePage(
            title=spec["title"],
            slug=spec["slug"],
            intro=spec["intro"],
            learning_hours=spec["learning_hours"],
            issuer="Biro Sumber Daya Manusia",
            mandatory=spec["mandatory"],
            content_owner=owner,
            review_by=today + dt.timedelta(days=365),
            due_date=today + dt.timedelta(days=spec["due_days"]) if spec.get("due_days") else None,
        )
        for title, body in spec["modules"]:
            page.modules.add(CourseModule(title=title, body=body))
        for question, choices, correct in spec["questions"]:
            page.questions.add(QuizQuestion(question=question, choices="\n".join(choices), correct_choice=correct))
        index.add_child(instance=page)
        page.save_revision(user=owner).publish()
        made += 1
    ctx.count("courses", made)
    # a little progress so reports are not empty: a share of staff finished the security course
    course = CoursePage.objects.filter(slug="keamanan-informasi", locale=index.locale).first()
    if course is not None and not course.enrolments.exists():
        users = list(User.objects.filter(employee__active=True).order_by("pk")[:200])
        modules = list(course.modules.all())
        done = 0
        for user in ctx.rng.sample(users, k=min(len(users), 40)):
            for m in modules:
                services.complete_module(user=user, course=course, module_id=m.pk)
            done += 1
        ctx.count("training completions", done)
