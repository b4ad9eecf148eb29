from django.urls import path

from atlaschart.intake import views

app_name = "intake"
urlpatterns = [
    path("settings/", views.intake_settings, name="settings"),
    path("wording/", views.wording_packs, name="packs"),
    path("patient/<int:patient_id>/link/", views.link_create, name="link_create"),
    path("patient/<int:patient_id>/followup/", views.followup_create, name="followup_create"),
    path("link/<int:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path("<int:intake_id>/", views.intake_detail, name="detail"),
    path("<int:intake_id>/local-regions/", views.local_regions_confirm, name="local_regions"),
    path("followup/<int:followup_id>/", views.followup_detail, name="followup_detail"),
    path("p/<str:token>/save/", views.autosave, name="autosave"),
    path("p/<str:token>/submit/", views.submit, name="submit"),
    path("p/<str:token>/<slug:step>/", views.fill, name="fill"),
    path("done/", views.done, name="done"),
]
