"""The clinic's public profile (the public consultation page's text and hours)."""

from __future__ import annotations

from django.contrib import messages
from django.forms import CheckboxSelectMultiple, ModelForm, TimeInput, TypedMultipleChoiceField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.visits.calendar_rules import weekday_choices
from atlaschart.visits.models import (
    ClinicProfile,
)
from atlaschart.visits.views.common import clinic_id_of


class ProfileForm(ModelForm[ClinicProfile]):
    open_weekdays = TypedMultipleChoiceField(
        label=gettext_lazy("Open on"),
        coerce=int,
        required=False,
        choices=weekday_choices,
        widget=CheckboxSelectMultiple,
    )

    class Meta:
        widgets = {
            "opens_at": TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        model = ClinicProfile
        fields = [
            "public_page_enabled",
            "services",
            "conditions",
            "hours",
            "opens_at",
            "closes_at",
            "open_weekdays",
            "template_subjective",
            "template_objective",
            "template_assessment",
            "template_plan",
        ]


@permission_required(Kind.CLINIC_SETTINGS, Permission.WRITE)
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile, _created = ClinicProfile.objects.get_or_create(clinic_id=clinic_id_of(request))
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("visits:profile")
    return render(
        request,
        "visits/simple_form.html",
        {
            "form": form,
            "patient": None,
            "title": _("Public page and note templates"),
            "submit": _("Save"),
        },
    )
