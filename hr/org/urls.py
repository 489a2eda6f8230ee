from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("saya/", views.my_profile, name="my_profile"),
    path("pegawai/<int:pk>/", views.profile, name="profile"),
    path("pegawai/<int:pk>/foto/", views.photo, name="photo"),
    path("unit/<str:code>/", views.unit_detail, name="unit"),
]
