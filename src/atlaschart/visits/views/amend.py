"""Amending a signed note: the original is kept, the amendment is made against the version
its author saw (a concurrent one gets a 409 page with both texts)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.visits import services
from atlaschart.visits.access import (
    get_visit_for_user,
)
from atlaschart.visits.forms import (
    AmendmentForm,
)
from atlaschart.visits.models import (
    SOAP_FIELDS,
)
from atlaschart.visits.views.common import soap_pairs


@permission_required(Kind.VISIT_NOTE, Permission.WRITE)
def visit_amend(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request, visit_id, detail="amendment form")
    if not visit.is_signed:
        return redirect("visits:visit", visit_id=visit.pk)
    form = AmendmentForm(
        request.POST or None,
        initial={**services.current_text(visit), "version": services.note_version(visit)},
    )
    context: dict[str, Any] = {"visit": visit, "patient": visit.patient}
    if request.method == "POST" and form.is_valid():
        mine = {f: form.cleaned_data[f] for f in SOAP_FIELDS}
        try:
            services.amend_note(
                Actor.of(request),
                visit,
                mine,
                form.cleaned_data["reason"],
                form.cleaned_data["version"],
            )
        except services.AmendmentConflict as conflict:
            # Nothing was saved. Show both texts, and offer the author's own text again, now
            # based on the stored version, so saving it is a deliberate choice after comparing.
            retry = AmendmentForm(
                initial={
                    **mine,
                    "reason": form.cleaned_data["reason"],
                    "version": conflict.stored.version,
                }
            )
            context.update(
                form=retry,
                conflict=str(conflict),
                mine=soap_pairs(mine),
                stored=soap_pairs(conflict.stored.text),
                stored_by=conflict.stored.last_author,
                stored_at=conflict.stored.last_at,
            )
            return render(request, "visits/amend.html", context, status=409)
        except services.VisitError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, _("The amendment was saved. The original is kept."))
            return redirect("visits:visit", visit_id=visit.pk)
    context["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/amend.html", context, status=status)
