from django.urls import path

from . import views

app_name = "calendarfeed"
urlpatterns = [
    path("", views.feed_settings, name="settings"),
    path("new/", views.feed_create, name="create"),
    path("revoke/", views.feed_revoke, name="revoke"),
    path("<str:secret>.ics", views.feed, name="feed"),
]
