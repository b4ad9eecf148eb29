"""The clinic admin's API token pages, under /settings/api-tokens/ (the API is urls.py)."""

from django.urls import path

from . import tokens_views

app_name = "fhir_tokens"
urlpatterns = [
    path("", tokens_views.token_list, name="list"),
    path("new/", tokens_views.token_create, name="create"),
    path("revoke/", tokens_views.token_revoke, name="revoke"),
]
