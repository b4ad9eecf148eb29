from django.urls import path

from atlaschart.reports import views

app_name = "reports"
urlpatterns = [
    path("patient/<int:patient_id>/", views.patient_report, name="patient"),
    path("patient/<int:patient_id>/photo-consent/", views.photo_consent, name="photo_consent"),
]
