from django.urls import path

from atlaschart.safety import views

app_name = "safety"
urlpatterns = [
    path("patient/<int:patient_id>/", views.patient_safety, name="patient"),
    path("screen/<int:screen_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
