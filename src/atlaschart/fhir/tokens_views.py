"""The clinic admin's page of API tokens: make one (shown once), see when each was last used,
revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required

from . import tokens
from .tokens_forms import RevokeForm, TokenForm


def _page(
    request: AuthenticatedHttpRequest,
    form: TokenForm | None = None,
    made: tokens.NewToken | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "fhir/tokens.html",
        {
            "form": form or TokenForm(),
            "made": made,
            "tokens": list(tokens.tokens_of_clinic(Actor.of(request))),
            "api_base": request.build_absolute_uri(reverse("fhir:metadata")).removesuffix(
                "metadata"
            ),
        },
        status=status,
    )


@require_safe
@permission_required(Kind.API_TOKEN, Permission.LIST)
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@permission_required(Kind.API_TOKEN, Permission.WRITE)
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a token and show its secret this once (the page is not cached: no-store)."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        made = tokens.make_token(
            Actor.of(request), form.cleaned_data["name"], form.cleaned_data["purpose"]
        )
    except tokens.NameTaken:
        form.add_error("name", _("A token in use already has this name."))
        return _page(request, form=form, status=400)
    return _page(request, made=made)


@require_POST
@permission_required(Kind.API_TOKEN, Permission.WRITE)
def token_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RevokeForm(request.POST)
    revoked = (
        tokens.revoke_token(Actor.of(request), form.cleaned_data["token"])
        if form.is_valid()
        else None
    )
    if revoked is None:
        messages.error(request, _("No such token in use."))
    else:
        messages.success(request, _("The token %(name)s no longer works.") % {"name": revoked.name})
    return redirect("fhir_tokens:list")
