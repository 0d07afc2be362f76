from django.urls import path

from kefu.customers.importexport import views

app_name = "importexport"

urlpatterns = [
    path("import/", views.import_home, name="import"),
    path("import/<int:pk>/", views.import_job, name="job"),
    path("import/<int:pk>/status/", views.import_job_status, name="job_status"),
    path("import/<int:pk>/confirm/", views.import_job_confirm, name="job_confirm"),
    path("import/template/<str:kind>.csv", views.import_template, name="template"),
    path("export/<str:kind>/", views.export, name="export"),
]
