from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from atlaschart.accounts import ratelimit
from atlaschart.accounts.models import ClinicSecurityPolicy, Role, User
from atlaschart.lib.client import client_ip


def _storable(text: str) -> bool:
    """False for text no database column can hold (NUL, lone surrogates)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class RateLimitedLoginForm(AuthenticationForm):
    """Django's login form; every attempt is counted before the password is checked.

    The count is taken whatever the form's validity: an empty or malformed submission costs an
    attempt like a wrong password, so it cannot be used to reset the count (ratelimit.py).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not correct."),
        # The same words whether or not the username exists, and no hint of which limit bit.
        "locked_out": _(
            "Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again, "
            "or ask your clinic admin to lift the lock."
        ),
    }

    def clean(self) -> dict[str, Any]:
        request: HttpRequest | None = self.request
        ip = client_ip(request) if request is not None else ""
        username = str(self.data.get("username", ""))
        password = str(self.data.get("password", ""))
        attempt = ratelimit.begin_attempt(ip, username if _storable(username) else "\ufffd")
        if not attempt.allowed:
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)},
            )
        if not (_storable(username) and _storable(password)):
            raise self.get_invalid_login_error()
        cleaned = super().clean()
        if self.user_cache is None:  # a field was missing: the attempt stays counted
            return cleaned
        ratelimit.attempt_succeeded(attempt)
        return cleaned


class StaffUserForm(forms.ModelForm[User]):
    """A clinic admin's form for a member of staff of their own clinic."""

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Required for a new user; leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "role", "language", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A model field with choices gets a (typed) choice field.
        cast(forms.ChoiceField, self.fields["role"]).choices = Role.choices

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password") or "")
        if not self.instance.pk and not password:
            raise ValidationError(_("A new user needs a password."), code="required")
        return password

    def _post_clean(self) -> None:
        # django-stubs leaves out BaseModelForm._post_clean (django/forms/models.py has it).
        super()._post_clean()  # type: ignore[misc]
        # Checked here, once the instance carries the submitted username and names: in
        # clean_password() a new user has no username yet, so "username = password" would pass.
        password = self.cleaned_data.get("password")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password", error)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("en", "English"), ("ko", "한국어")])
    next = forms.CharField(required=False)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SecurityPolicyForm(forms.ModelForm[ClinicSecurityPolicy]):
    class Meta:
        model = ClinicSecurityPolicy
        fields = ["two_factor_admin", "two_factor_clinician", "two_factor_front_desk"]


class ReauthenticationForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]
