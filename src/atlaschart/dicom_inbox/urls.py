from django.urls import path

from atlaschart.dicom_inbox import views

app_name = "dicom_inbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:item_id>/", views.item, name="item"),
    path("<int:item_id>/confirm/", views.confirm, name="confirm"),
    path("<int:item_id>/discard/", views.discard, name="discard"),
]
