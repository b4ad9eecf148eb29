from django.urls import path

from atlaschart.posture import views

app_name = "posture"
urlpatterns = [
    path("patient/<int:patient_id>/", views.patient_sessions, name="patient"),
    path("patient/<int:patient_id>/compare/", views.compare, name="compare"),
    path("session/<int:session_id>/", views.session_detail, name="session"),
    path("shot/<int:shot_id>/", views.shot_detail, name="shot"),
    path("shot/<int:shot_id>/image", views.shot_image, name="image"),
    path("shot/<int:shot_id>/landmarks", views.shot_landmarks, name="landmarks"),
    path("shot/<int:shot_id>/calibration", views.shot_calibration, name="calibration"),
    path("settings/", views.mdc_settings, name="mdc_settings"),
]
