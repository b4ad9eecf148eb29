"""What every builder shares: resource ids, references, dates, the provenance extension."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

#: The id prefix of each kind of resource: FHIR id ``<prefix>-<database id>``. Unique per source
#: (registry.py checks), so an id names exactly one row of one table.
PATIENT = "patient"
PRACTITIONER = "practitioner"
ORGANIZATION = "clinic"

#: Extension carrying the algorithm (``id@version``) that derived a number (docs/fhir.md).
ALGORITHM_EXTENSION = "urn:atlaschart:fhir:StructureDefinition:algorithm"
#: Extension on an Observation value: the measurement error (MDC95 or uncertainty) stated with it.
UNCERTAINTY_EXTENSION = "urn:atlaschart:fhir:StructureDefinition:uncertainty"


def fhir_id(prefix: str, pk: Any) -> str:
    return f"{prefix}-{pk}"


def reference(prefix_type: tuple[str, str], pk: Any, display: str = "") -> dict[str, str]:
    """A literal reference ``Type/prefix-pk``: ``prefix_type`` is ``(resource type, prefix)``."""
    resource_type, prefix = prefix_type
    data = {"reference": f"{resource_type}/{fhir_id(prefix, pk)}"}
    if display:
        data["display"] = display
    return data


def patient_ref(patient_id: int) -> dict[str, str]:
    return reference(("Patient", PATIENT), patient_id)


def practitioner_ref(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return reference(("Practitioner", PRACTITIONER), user.pk, str(user))


def organization_ref(clinic: Any) -> dict[str, str]:
    return reference(("Organization", ORGANIZATION), clinic.pk, clinic.name)


def when(value: date | datetime | None) -> str | None:
    """A FHIR dateTime: an aware datetime in ISO 8601 with its offset (UTC as stored), a date as
    YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        return value.isoformat()
    return value.isoformat()


def number(value: Any) -> float | int | None:
    """A JSON number for FHIR: Decimals and floats as they are stored, never a string."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def algorithm_extension(algorithm: str) -> list[dict[str, str]]:
    """The provenance of a derived value, when the chart has it."""
    if not algorithm:
        return []
    return [{"url": ALGORITHM_EXTENSION, "valueString": algorithm}]


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: FHIR forbids empty strings, lists and objects."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        out[key] = value
    return out
