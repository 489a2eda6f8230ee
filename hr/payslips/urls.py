from django.urls import path

from . import views

app_name = "payslips"
urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/pdf/", views.pdf, name="pdf"),
    path("penggajian/", views.batches, name="batches"),
    path("penggajian/contoh.csv", views.example_csv, name="example"),
    path("penggajian/komponen/", views.components, name="components"),
    path("penggajian/komponen/baru/", views.component_edit, name="component_new"),
    path("penggajian/komponen/<int:pk>/", views.component_edit, name="component_edit"),
    path("penggajian/<uuid:pk>/", views.batch_detail, name="batch"),
    path("penggajian/<uuid:pk>/terbitkan/", views.batch_publish, name="batch_publish"),
    path("penggajian/<uuid:pk>/buang/", views.batch_discard, name="batch_discard"),
    path("penggajian/<uuid:pk>/masalah.csv", views.batch_errors_csv, name="batch_errors"),
    path("penggajian/<uuid:pk>/data.csv", views.batch_rows_csv, name="batch_rows"),
]
