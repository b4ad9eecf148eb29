"""Helpers the visits pages share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.visits.forms import (
    NoteForm,
)
from atlaschart.visits.models import (
    SOAP_FIELDS,
)


def clinic_id_of(request: AuthenticatedHttpRequest) -> int:
    # permission_required lets only members of a clinic through; this keeps mypy and a
    # misconfigured URL honest.
    if request.user.clinic_id is None:
        raise PermissionDenied
    return request.user.clinic_id


def soap_pairs(text: dict[str, str]) -> list[tuple[Any, str]]:
    return [(NoteForm.base_fields[f].label, text[f]) for f in SOAP_FIELDS]
