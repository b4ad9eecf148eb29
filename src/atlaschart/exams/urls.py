from django.urls import path

from atlaschart.exams import views

app_name = "exams"
urlpatterns = [
    path("patient/<int:patient_id>/<slug:kind>/", views.exam_create, name="create"),
    path("<int:exam_id>/", views.exam_detail, name="detail"),
]
