from django.urls import path

from atlaschart.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.clinic_outcomes_page, name="clinic"),
    path("export.csv", views.export_csv, name="export"),
]
