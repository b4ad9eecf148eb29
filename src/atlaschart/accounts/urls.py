from django.urls import path

from atlaschart.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("language/", views.set_language, name="set_language"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<int:user_id>/", views.staff_edit, name="staff_edit"),
]
