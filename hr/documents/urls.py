from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("baru/", views.create, name="create"),
    path("cari-nomor/", views.lookup, name="lookup"),
    path("permintaan/", views.requests, name="requests"),
    path("permintaan/<int:pk>/putuskan/", views.decide, name="decide"),
    path("permintaan/<int:pk>/tarik/", views.withdraw, name="withdraw"),
    path("berkas-saya/", views.mine, name="mine"),
    path("berkas-saya/unggah/", views.submit, name="submit"),
    path("berkas-saya/siapa-membuka/", views.access_log, name="access_log"),
    path("verifikasi/", views.verification, name="verification"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/unduh/", views.download, name="download"),
    path("<int:pk>/versi/<int:number>/unduh/", views.version_download, name="version_download"),
    path("<int:pk>/ubah/", views.edit, name="edit"),
    path("<int:pk>/versi-baru/", views.new_version, name="new_version"),
    path("<int:pk>/bagikan/", views.share, name="share"),
    path("<int:pk>/cabut/", views.revoke, name="revoke"),
    path("<int:pk>/minta-akses/", views.request_access, name="request_access"),
    path("<int:pk>/verifikasi/", views.verify, name="verify"),
]
