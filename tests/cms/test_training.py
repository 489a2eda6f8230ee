"""Training: completion rules, quiz pass mark, certificate, mandatory-assignment reminders (time-travelled), reports."""

import datetime as dt

import pytest

from cms.training import selectors, services
from cms.training.models import Enrolment, TrainingReminder
from intranet.notifications.models import Notification
from tests import factories

from .conftest import TODAY, add_course, person

pytestmark = pytest.mark.django_db

QUIZ = [
    ("Apa singkatan ASN?", ["Aparatur Sipil Negara", "Anggota Sipil Nasional"], 1),
    ("Berapa JP minimal per tahun?", ["10", "20"], 2),
]


def test_completion_needs_every_module_and_the_quiz(org):
    user = person(org["SUB1"])
    course = add_course("Orientasi ASN", modules=2, questions=QUIZ, pass_mark=100)
    m1, m2 = course.modules.all()
    services.complete_module(user=user, course=course, module_id=m1.pk)
    services.complete_module(user=user, course=course, module_id=m2.pk)
    e = Enrolment.objects.get(user=user, course=course)
    assert e.completed_at is None  # the quiz is still open
    q1, q2 = course.questions.all()
    e = services.submit_quiz(user=user, course=course, answers={q1.pk: 1, q2.pk: 1})
    assert (e.quiz_score, e.quiz_passed, e.completed_at) == (50, False, None)
    e = services.submit_quiz(user=user, course=course, answers={q1.pk: 1, q2.pk: 2})
    assert e.quiz_passed and e.quiz_score == 100 and e.completed_at is not None
    assert e.quiz_attempts == 2
    assert Notification.objects.filter(recipient=user, kind="training.completed").count() == 1


def test_course_without_quiz_completes_with_modules(org):
    user = person(org["SUB1"])
    course = add_course("Budaya Kerja", modules=1)
    (m1,) = course.modules.all()
    e = services.complete_module(user=user, course=course, module_id=m1.pk)
    assert e.completed_at is not None
    # idempotent
    services.complete_module(user=user, course=course, module_id=m1.pk)
    assert e.progress.count() == 1


def test_module_of_another_course_is_refused(org):
    user = person(org["SUB1"])
    a = add_course("Kursus A", modules=1)
    b = add_course("Kursus B", modules=1)
    with pytest.raises(services.TrainingError):
        services.complete_module(user=user, course=a, module_id=b.modules.get().pk)


def test_reminders_14_and_3_days_before_and_when_overdue(org):
    due = TODAY + dt.timedelta(days=14)
    target = person(org["SUB1"])
    done = person(org["SUB1"])
    person(org["DIR2"])  # not in the audience
    course = add_course("Anti Korupsi", modules=1, mandatory=True, due_date=due, units=[org["DIR1"]])
    services.complete_module(user=done, course=course, module_id=course.modules.get().pk)

    assert services.send_reminders(today=TODAY - dt.timedelta(days=1)) == 0
    assert services.send_reminders(today=TODAY) == 1
    assert services.send_reminders(today=TODAY) == 0  # idempotent
    assert services.send_reminders(today=due - dt.timedelta(days=5)) == 0
    assert services.send_reminders(today=due - dt.timedelta(days=3)) == 1
    assert services.send_reminders(today=due) == 0
    assert services.send_reminders(today=due + dt.timedelta(days=1)) == 1
    assert services.send_reminders(today=due + dt.timedelta(days=2)) == 0
    kinds = list(TrainingReminder.objects.filter(user=target).order_by("sent_at").values_list("kind", flat=True))
    assert kinds == ["d14", "d3", "overdue"]
    assert Notification.objects.filter(recipient=target, kind="training.reminder").count() == 3
    assert not Notification.objects.filter(recipient=done, kind="training.reminder").exists()


def test_dashboard_and_pages(client, org):
    user = person(org["SUB1"])
    course = add_course("Keamanan Siber", modules=1, mandatory=True, due_date=dt.date.today() + dt.timedelta(days=3))
    client.force_login(user)
    home = client.get("/").content.decode()
    assert 'data-testid="panel-training"' in home and "Keamanan Siber" in home
    assert client.get("/pelatihan/").status_code == 200
    assert client.get(course.url).status_code == 200
    assert client.post(course.url + "ikuti/").status_code == 302
    module = course.modules.get()
    assert client.get(f"{course.url}modul/{module.pk}/").status_code == 200
    assert client.post(f"{course.url}modul/{module.pk}/").status_code == 302
    assert selectors.enrolment_for(user, course).completed_at is not None
    assert 'data-testid="panel-training"' not in client.get("/").content.decode()
    r = client.get(course.url + "sertifikat/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")


def test_certificate_only_after_completion(client, org):
    course = add_course("Belum Selesai", modules=1)
    client.force_login(person(org["SUB1"]))
    assert client.get(course.url + "sertifikat/").status_code == 404


def test_quiz_page(client, org):
    user = person(org["SUB1"])
    course = add_course("Kuis", modules=0, questions=QUIZ, pass_mark=50)
    client.force_login(user)
    assert client.get(course.url + "kuis/").status_code == 200
    q1, q2 = course.questions.all()
    client.post(course.url + "kuis/", {f"q{q1.pk}": "1", f"q{q2.pk}": "1"})
    e = selectors.enrolment_for(user, course)
    assert e.quiz_passed and e.completed_at is not None


def test_completion_report_per_unit_in_scope(client, org):
    course = add_course("Wajib DJ1", modules=1, mandatory=True, due_date=TODAY, units=[org["DJ1"]])
    a = person(org["SUB1"])
    person(org["SUB1"])
    person(org["DIR2"])
    services.complete_module(user=a, course=course, module_id=course.modules.get().pk)
    hr = person(org["DIR1"])
    factories.give_scope(hr, org["DIR1"])
    report = selectors.completion_report(hr, course)
    assert (report["total"], report["done"]) == (3, 1)
    client.force_login(hr)
    assert client.get(course.url + "laporan/").status_code == 200
    csv = client.get(course.url + "laporan/csv/")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").count("\n") == 4
    xlsx = client.get(course.url + "laporan/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    client.force_login(a)
    assert client.get(course.url + "laporan/").status_code == 403
