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
    path(
        "staff/<int:user_id>/two-factor-reset/",
        views.staff_two_factor_reset,
        name="staff_two_factor_reset",
    ),
    path("two-factor/", views.two_factor_start, name="two_factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("security/", views.security_page, name="security"),
    path("confirm/", views.reauthenticate, name="reauth"),
    path("locks/", views.sign_in_locks, name="locks"),
    path("locks/<int:lock_id>/lift/", views.sign_in_lock_lift, name="lock_lift"),
    path("security-policy/", views.security_policy, name="security_policy"),
]
