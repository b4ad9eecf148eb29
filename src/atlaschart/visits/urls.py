from django.urls import path

from atlaschart.visits import views

app_name = "visits"
urlpatterns = [
    path("c/<slug:slug>/", views.public_page, name="public"),
    path("schedule/today/", views.today, name="today"),
    path("schedule/", views.calendar, name="calendar"),
    path("schedule/book/<int:patient_id>/", views.appointment_create, name="book"),
    path(
        "schedule/appointment/<int:appointment_id>/status/", views.appointment_status, name="status"
    ),
    path("schedule/appointment/<int:appointment_id>/open/", views.appointment_open, name="open"),
    path("schedule/requests/", views.requests_list, name="requests"),
    path("schedule/requests/<int:request_id>/convert/", views.request_convert, name="convert"),
    path("schedule/requests/<int:request_id>/decline/", views.request_decline, name="decline"),
    path("schedule/profile/", views.profile_edit, name="profile"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/save/", views.visit_save, name="save"),
    path("visits/<int:visit_id>/sign/", views.visit_sign, name="sign"),
    path("visits/<int:visit_id>/amend/", views.visit_amend, name="amend"),
    path("visits/<int:visit_id>/treatment/", views.treatment_add, name="treatment_add"),
    path("visits/<int:visit_id>/follow-up/", views.followup, name="followup"),
    path("visits/treatment/<int:treatment_id>/sign/", views.treatment_sign, name="treatment_sign"),
    path(
        "visits/treatment/<int:treatment_id>/remove/",
        views.treatment_delete,
        name="treatment_delete",
    ),
    path("visits/patient/<int:patient_id>/care-plan/", views.care_plan_create, name="care_plan"),
    path("visits/care-plan/<int:plan_id>/book/", views.care_plan_book, name="care_plan_book"),
    path("visits/patient/<int:patient_id>/consent/", views.consent_create, name="consent"),
    path("visits/adverse-events/", views.adverse_events, name="adverse_events"),
    path(
        "visits/adverse-events/<int:event_id>/review/",
        views.adverse_event_review,
        name="adverse_event_review",
    ),
]
