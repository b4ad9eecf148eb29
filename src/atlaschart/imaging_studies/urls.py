from django.urls import path

from atlaschart.imaging_studies import views

app_name = "imaging_studies"
urlpatterns = [
    path("patients/<int:patient_id>/import/", views.import_study, name="import"),
    path("patients/<int:patient_id>/uploads/", views.upload_open, name="upload_open"),
    path(
        "patients/<int:patient_id>/uploads/<str:key>/<int:index>/",
        views.upload_file,
        name="upload_file",
    ),
    path(
        "patients/<int:patient_id>/uploads/<str:key>/finish/",
        views.upload_finish,
        name="upload_finish",
    ),
    path(
        "patients/<int:patient_id>/uploads/<str:key>/confirm/",
        views.confirm_upload,
        name="confirm_upload",
    ),
    path("patients/<int:patient_id>/compare/", views.compare_view, name="compare"),
    path("studies/<int:study_id>/", views.study_detail, name="study"),
    path("studies/<int:study_id>/export.zip", views.export_study, name="export_study"),
    path("exports/<int:job_id>/", views.export_ready, name="export_ready"),
    path("exports/<int:job_id>/study.zip", views.export_download, name="export_download"),
    path("images/<int:instance_id>/", views.viewer, name="viewer"),
    path("images/<int:instance_id>/image.png", views.instance_image, name="image"),
    path("images/<int:instance_id>/update/", views.instance_update, name="instance_update"),
    path("images/<int:instance_id>/annotated.png", views.export_png, name="export_png"),
    path("images/<int:instance_id>/analysis/", views.analysis_new, name="analysis_new"),
    path("images/<int:instance_id>/analysis/save/", views.analysis_save, name="analysis_save"),
    path("analyses/<int:analysis_id>/", views.analysis_edit, name="analysis_edit"),
    path("listing-tables/", views.listing_tables, name="listing_tables"),
    path(
        "listing-tables/<int:table_pk>/active/",
        views.listing_table_active,
        name="listing_table_active",
    ),
    path("series/<int:series_id>/", views.volume_viewer, name="volume"),
    path("series/<int:series_id>/slice.png", views.volume_slice, name="slice"),
    path("series/<int:series_id>/landmarks/", views.volume_landmarks, name="volume_landmarks"),
]
