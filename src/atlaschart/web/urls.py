from django.urls import include, path

from atlaschart.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("settings/", views.settings_hub, name="settings"),
    path("intake-links/", views.intake_links, name="intake_links"),
    path("accounts/", include("atlaschart.accounts.urls")),
    path("patients/", include("atlaschart.patients.urls")),
    path("access-log/", include("atlaschart.audit.urls")),
    path("exams/", include("atlaschart.exams.urls")),
    path("", include("atlaschart.visits.urls")),
    path("posture/", include("atlaschart.posture.urls")),
    path("imaging/", include("atlaschart.imaging_studies.urls")),
    path("imaging-inbox/", include("atlaschart.dicom_inbox.urls")),
    path("intake/", include("atlaschart.intake.urls")),
    path("safety/", include("atlaschart.safety.urls")),
    path("reports/", include("atlaschart.reports.urls")),
    path("outcomes/", include("atlaschart.outcomes.urls")),
    path("progress/", include("atlaschart.progress.urls")),
    path("fhir-export/", include("atlaschart.fhir.export_urls")),
    path("jobs/", include("atlaschart.jobs.urls")),
    path("calendar-feed/", include("atlaschart.calendarfeed.urls")),
    path("fhir/", include("atlaschart.fhir.urls")),
    path("settings/api-tokens/", include("atlaschart.fhir.tokens_urls")),
]

handler400 = "atlaschart.web.views.error_400"
handler403 = "atlaschart.web.views.error_403"
handler404 = "atlaschart.web.views.error_404"
handler500 = "atlaschart.web.views.error_500"
