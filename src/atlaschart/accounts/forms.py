from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from atlaschart.accounts import ratelimit
from atlaschart.accounts.models import Role, User
from atlaschart.web.client import client_ip


class RateLimitedLoginForm(AuthenticationForm):
    """Django's login form, refusing further tries after too many failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not correct."),
        "locked_out": _("Too many failed sign-in attempts. Please wait 15 minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        request: HttpRequest | None = self.request
        ip = client_ip(request) if request is not None else ""
        username = str(self.data.get("username", ""))
        if ratelimit.is_locked_out(ip, username):
            raise ValidationError(self.error_messages["locked_out"], code="locked_out")
        try:
            cleaned = super().clean()
        except ValidationError:
            ratelimit.record_failure(ip, username)
            raise
        ratelimit.clear_failures(ip, username)
        return cleaned


class StaffUserForm(forms.ModelForm):
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
        self.fields["role"].choices = Role.choices

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password") or "")
        if not self.instance.pk and not password:
            raise ValidationError(_("A new user needs a password."), code="required")
        if password:
            password_validation.validate_password(password, self.instance)
        return password


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("en", "English"), ("ko", "한국어")])
    next = forms.CharField(required=False)
