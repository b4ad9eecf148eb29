from django.urls import path

from atlaschart.reports import views

app_name = "reports"
urlpatterns = [
    path("patient/<int:patient_id>/", views.patient_report, name="patient"),
    path("made/<int:job_id>/report.pdf", views.report_download, name="download"),
    path("patient/<int:patient_id>/photo-consent/", views.photo_consent, name="photo_consent"),
]
