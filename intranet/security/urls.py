from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("2fa/aktifkan/", views.twofactor_setup, name="2fa_setup"),
    path("2fa/verifikasi/", views.twofactor_verify, name="2fa_verify"),
    path("2fa/kode-pemulihan/", views.recovery_codes, name="recovery_codes"),
    path("sesi/", views.session_list, name="sessions"),
    path("sesi/keluar-lainnya/", views.sessions_sign_out_others, name="sessions_sign_out_others"),
]
