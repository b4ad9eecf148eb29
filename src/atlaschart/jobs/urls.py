from django.urls import path

from atlaschart.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_id>/", views.progress, name="progress"),
    path("<int:job_id>/status", views.status, name="status"),
]
