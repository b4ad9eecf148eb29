from django.urls import path

from atlaschart.progress import views

app_name = "progress"
urlpatterns = [
    path("patient/<int:patient_id>/", views.progress_page, name="patient"),
]
