from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.accounts.access import get_staff_user_for_admin, staff_of_clinic
from atlaschart.accounts.forms import LanguageForm, RateLimitedLoginForm, StaffUserForm
from atlaschart.accounts.models import Role, User
from atlaschart.web.decorators import role_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = RateLimitedLoginForm
    redirect_authenticated_user = True


login_view = login_not_required(LoginView.as_view())
logout_view = auth_views.LogoutView.as_view()


def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language; for a signed-in user the choice is saved to their account."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target or reverse("home"))
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user: User = request.user  # type: ignore[assignment]
        user.language = language
        user.save(update_fields=["language"])
    response.set_cookie("atlaschart_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@role_required(Role.CLINIC_ADMIN)
def staff_list(request: HttpRequest) -> HttpResponse:
    users = staff_of_clinic(request).order_by("role", "username")
    return render(request, "accounts/staff_list.html", {"users": users})


@role_required(Role.CLINIC_ADMIN)
def staff_edit(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    instance = get_staff_user_for_admin(request, user_id) if user_id is not None else User()
    form = StaffUserForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.clinic_id = request.user.clinic_id  # type: ignore[union-attr]
            if user.pk == request.user.pk and (
                user.role != Role.CLINIC_ADMIN or not user.is_active
            ):
                form.add_error(
                    "role", _("You cannot remove your own admin role or deactivate yourself.")
                )
                return render(
                    request, "accounts/staff_form.html", {"form": form, "staff": instance}
                )
            if form.cleaned_data["password"]:
                user.set_password(form.cleaned_data["password"])
            user.save()
        messages.success(request, _("The user %(name)s was saved.") % {"name": user.username})
        return redirect("accounts:staff")
    return render(request, "accounts/staff_form.html", {"form": form, "staff": instance})
