from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from atlaschart.accounts import ratelimit, reauth, services, two_factor
from atlaschart.accounts.access import get_staff_user_for_admin, staff_of_clinic
from atlaschart.accounts.forms import (
    EnrolForm,
    LanguageForm,
    RateLimitedLoginForm,
    ReauthenticationForm,
    SecondFactorForm,
    SecurityPolicyForm,
    StaffUserForm,
)
from atlaschart.accounts.models import ClinicSecurityPolicy, Role, SignInThrottle, User
from atlaschart.lib.actor import Actor
from atlaschart.lib.client import client_ip
from atlaschart.lib.http import SIGNED_OUT_IDLE_KEY, AuthenticatedHttpRequest, clinic_id_of
from atlaschart.lib.policy import Kind, Permission, permission_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = RateLimitedLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Set by the idle timeout when it signed this browser out (web/security.py).
        context["signed_out_idle"] = self.request.session.pop(SIGNED_OUT_IDLE_KEY, False)
        context["idle_minutes"] = settings.SESSION_IDLE_MINUTES
        return context


login_view = login_not_required(LoginView.as_view())
logout_view = auth_views.LogoutView.as_view()


def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
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
        user: User = request.user
        user.language = language
        user.save(update_fields=["language"])
    response.set_cookie("atlaschart_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@permission_required(Kind.STAFF, Permission.LIST)
def staff_list(request: HttpRequest) -> HttpResponse:
    authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    users = (
        staff_of_clinic(request)
        .annotate(has_authenticator=Exists(authenticator))
        .order_by("role", "username")
    )
    return render(request, "accounts/staff_list.html", {"users": users})


@permission_required(Kind.STAFF, Permission.WRITE)
def staff_edit(request: AuthenticatedHttpRequest, user_id: int | None = None) -> HttpResponse:
    instance = get_staff_user_for_admin(request, user_id) if user_id is not None else User()
    form = StaffUserForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        # The ModelForm has copied the posted values onto ``instance``: the service compares
        # with the stored row, so it is handed the cleaned values, not the instance's fields.
        target = User(pk=instance.pk) if instance.pk is not None else User()
        try:
            user = services.save_staff_user(
                Actor.of(request),
                target,
                {f: form.cleaned_data[f] for f in services.STAFF_FIELDS},
                form.cleaned_data["password"],
            )
        except services.StaffChangeRefused as refused:
            form.add_error("role", str(refused))
            return render(request, "accounts/staff_form.html", {"form": form, "staff": instance})
        messages.success(request, _("The user %(name)s was saved.") % {"name": user.username})
        return redirect("accounts:staff")
    return render(request, "accounts/staff_form.html", {"form": form, "staff": instance})


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` target if it stays on this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


def _next_query(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return "?" + urlencode({"next": target})
    return ""


# --- second factor ------------------------------------------------------------------------


def _wrong_code_message() -> str:
    return _("That code is not right, or too many codes were tried: wait a little and try again.")


def two_factor_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a session owing its second factor is sent: verify, or set one up first."""
    user: User = request.user
    if two_factor.has_authenticator(user):
        return redirect(reverse("accounts:two_factor_verify") + _next_query(request))
    return redirect(reverse("accounts:two_factor_enrol") + _next_query(request))


def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_any(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                messages.warning(
                    request,
                    _("You used a recovery code; %(n)s are left.")
                    % {"n": two_factor.recovery_codes_left(user)},
                )
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", _wrong_code_message())
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


def two_factor_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code or typed key, then one code to confirm."""
    user: User = request.user
    # Whoever knows only the password must not replace an authenticator already set up.
    # (is_verified is put on request.user by django-otp's OTPMiddleware, unknown to the model.)
    if two_factor.has_authenticator(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(reverse("accounts:two_factor_verify") + _next_query(request))
    device = two_factor.pending_authenticator(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_authenticator(device, form.cleaned_data["code"].strip()):
            codes = two_factor.new_recovery_codes(user)
            otp_login(request, device)
            request.session[two_factor.NEEDS_SECOND_FACTOR_KEY] = True
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request)},
            )
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "manual_key": two_factor.manual_key(device),
            "next": request.GET.get("next", ""),
        },
        status=400 if form.errors else 200,
    )


def security_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A user's own second factor: status, and fresh recovery codes."""
    user: User = request.user
    if request.method == "POST" and request.POST.get("action") == "recovery_codes":
        if not user.is_verified():  # type: ignore[attr-defined]  # set by OTPMiddleware
            return redirect(
                reverse("accounts:two_factor") + "?next=" + reverse("accounts:security")
            )
        codes = two_factor.new_recovery_codes(user)
        return render(
            request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("home")}
        )
    return render(
        request,
        "accounts/security.html",
        {
            "has_authenticator": two_factor.has_authenticator(user),
            "required": two_factor.required_for(user),
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )


# --- the clinic admin's sign-in security pages ----------------------------------------------


@permission_required(Kind.STAFF, Permission.LIST)
def sign_in_locks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Locked sign-ins of this clinic's staff, each with a button to lift it."""
    clinic_id = clinic_id_of(request)
    locks = [
        (row, ratelimit.locked_until(row))
        for row in ratelimit.locked_throttles()
        .filter(user__clinic_id=clinic_id)
        .select_related("user")
        .order_by("user__username")
    ]
    return render(request, "accounts/locks.html", {"locks": locks})


@permission_required(Kind.STAFF, Permission.WRITE)
@require_POST
def sign_in_lock_lift(request: AuthenticatedHttpRequest, lock_id: int) -> HttpResponse:
    clinic_id = clinic_id_of(request)
    row = SignInThrottle.objects.filter(pk=lock_id, user__clinic_id=clinic_id).first()
    if row is None:
        raise Http404("No such lock")
    name = row.user.username if row.user else ""
    ratelimit.lift_lock(row)
    messages.success(request, _("The sign-in lock of %(name)s was lifted.") % {"name": name})
    return redirect("accounts:locks")


@permission_required(Kind.STAFF, Permission.WRITE)
@require_POST
def staff_two_factor_reset(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    staff = get_staff_user_for_admin(request, user_id)
    services.reset_second_factor(Actor.of(request), staff)
    messages.success(
        request,
        _("The second factor of %(name)s was reset; they set up a new one at their next sign-in.")
        % {"name": staff.username},
    )
    return redirect("accounts:staff_edit", user_id=staff.pk)


@permission_required(Kind.CLINIC_SETTINGS, Permission.WRITE)
def security_policy(request: AuthenticatedHttpRequest) -> HttpResponse:
    clinic_id = clinic_id_of(request)
    policy = ClinicSecurityPolicy.objects.filter(clinic_id=clinic_id).first()
    if policy is None:
        defaults = settings.TWO_FACTOR_REQUIRED_ROLES
        policy = ClinicSecurityPolicy(
            clinic_id=clinic_id,
            two_factor_admin=Role.CLINIC_ADMIN in defaults,
            two_factor_clinician=Role.CLINICIAN in defaults,
            two_factor_front_desk=Role.FRONT_DESK in defaults,
        )
    form = SecurityPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The sign-in policy was saved."))
        return redirect("accounts:security_policy")
    return render(request, "accounts/security_policy.html", {"form": form})


def reauthenticate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Prove the password (and the second factor, if set up) again before signing or exporting.

    Counted against the same sign-in allowance as the login page, so it is no side door for
    guessing.
    """
    user: User = request.user
    needs_code = two_factor.has_authenticator(user)
    form = ReauthenticationForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        attempt = ratelimit.begin_attempt(client_ip(request), user.get_username())
        if not attempt.allowed:
            form.add_error(
                None,
                RateLimitedLoginForm.error_messages["locked_out"]
                % {"minutes": max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)},
            )
        elif not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("The password is not correct."))
        elif needs_code and two_factor.verify_any(user, form.cleaned_data["code"]) is None:
            form.add_error("code", _wrong_code_message())
        else:
            ratelimit.attempt_succeeded(attempt)
            reauth.mark(request)
            return HttpResponseRedirect(_safe_next(request))
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": request.GET.get("next", ""), "minutes": settings.REAUTH_MINUTES},
        status=400 if form.errors else 200,
    )
