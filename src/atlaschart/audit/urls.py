from django.urls import path

from atlaschart.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.access_log, name="access_log"),
    path("review/", views.monthly_review, name="review"),
    path("export/", views.export, name="export"),
]
