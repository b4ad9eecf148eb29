"""The partners' read API under /fhir/ (docs/api.md).

The last pattern answers every other address under /fhir/ with an OperationOutcome: keep any new
pattern above it. The admin's token pages are in tokens_urls.py (HTML, under /settings/).
"""

from django.urls import path, re_path

from . import views

app_name = "fhir"
urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    re_path(
        r"^(?P<resource_type>[A-Za-z]{1,64})/(?P<fhir_id>[A-Za-z0-9.\-]{1,64})$",
        views.read,
        name="read",
    ),
    re_path(r"^(?P<resource_type>[A-Za-z]{1,64})$", views.search, name="search"),
    re_path(r"^[\s\S]*$", views.unknown),  # "." would miss an address with a newline
]
