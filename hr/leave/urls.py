from django.urls import path

from . import views
from .official import views as official_views

app_name = "leave"
urlpatterns = [
    path("", views.index, name="index"),
    path("ajukan/", views.request_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/putuskan/", views.decide, name="decide"),
    path("<int:pk>/tarik/", views.withdraw, name="withdraw"),
    path("<int:pk>/terima-perubahan/", views.accept_change, name="accept"),
    path("<int:pk>/batalkan/", views.cancel, name="cancel"),
    path("<int:pk>/izin-sementara/", views.permit, name="permit"),
    path("<int:pk>/dokumen/", views.document, name="document"),
    path("<int:pk>/surat/", views.letter, name="letter"),
    path("<int:pk>/formulir/", official_views.form_page, name="form"),
    path("<int:pk>/formulir.pdf", official_views.form_pdf, name="form_pdf"),
    path("persetujuan/", views.inbox, name="inbox"),
    path("kalender/", views.team_calendar, name="calendar"),
    path("sdm/", views.hr_dashboard, name="hr"),
    path("sdm/penyesuaian/", views.hr_adjust, name="hr_adjust"),
    path("sdm/saldo-awal/", views.hr_opening, name="hr_opening"),
    path("sdm/ekspor.<str:fmt>", views.hr_export, name="hr_export"),
    path("ical/", views.feed_settings, name="feed_settings"),
    path("ical/<uuid:token>.ics", views.feed, name="feed"),
]
