"""The whole-record export from the patient chart (the partner API's URLs are ``fhir/urls.py``)."""

from django.urls import path

from atlaschart.fhir import export_views

app_name = "fhir_export"
urlpatterns = [
    path("patient/<int:patient_id>/", export_views.download, name="download"),
    path("made/<int:job_id>/record.zip", export_views.made, name="made"),
]
