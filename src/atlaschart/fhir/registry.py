"""Every kind of FHIR resource AtlasChart exports, and where its rows come from.

A :class:`ResourceSource` is one kind of resource built from one kind of row: its rows are the
acting user's clinic's rows, reached through the owning app's door (``<kinds>_of_clinic``), so a
row of another clinic is never built. Each row gives exactly one resource, whose FHIR id is
``<id_prefix>-<row pk>``; ``id_prefix`` is unique across :data:`SOURCES`, so :func:`find` can tell
from an id alone which source and row it names.

The export (export.py) and the read API (``fhir/api*.py``) both use this table: the export takes
:func:`patient_resources`; the API searches each source's rows with ``patient_id``, ``when`` and
``codes``, and reads one resource with :func:`find`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from atlaschart.lib.actor import Actor

if TYPE_CHECKING:
    from fhir.resources.R4B.resource import Resource


@dataclass(frozen=True)
class ResourceSource:
    """One kind of resource from one kind of row (see the module docstring)."""

    resource_type: str
    id_prefix: str
    rows: Callable[[Actor], QuerySet[Any]]
    build: Callable[[Actor, Any], Resource]
    patient_id: Callable[[Any], int | None]
    when: Callable[[Any], datetime | date | None]
    codes: Callable[[Any], list[tuple[str, str]]]
    #: The row's lookup to its patient's id (``"patient_id"``, ``"visit__patient_id"``), so a
    #: patient's rows are one query; empty: filter with ``patient_id`` in Python.
    patient_field: str = ""

    def fhir_id(self, row: Any) -> str:
        return f"{self.id_prefix}-{row.pk}"

    def patient_rows(self, actor: Actor, patient_id: int) -> list[Any]:
        """This source's rows of one patient of the acting user's clinic."""
        rows = self.rows(actor)
        if self.patient_field:
            return list(rows.filter(**{self.patient_field: patient_id}))
        return [row for row in rows if self.patient_id(row) == patient_id]


_FHIR_ID = re.compile(r"^(?P<prefix>[A-Za-z0-9.\-]+)-(?P<pk>\d{1,18})$")


def resource_types() -> list[str]:
    """The resource types exported, in the order of :data:`SOURCES`, each once."""
    seen: list[str] = []
    for source in SOURCES:
        if source.resource_type not in seen:
            seen.append(source.resource_type)
    return seen


def sources_of(resource_type: str) -> list[ResourceSource]:
    return [source for source in SOURCES if source.resource_type == resource_type]


def source_of_id(resource_type: str, fhir_id: str) -> tuple[ResourceSource, int] | None:
    """Which source and row pk a FHIR id names (``None`` when no source of this type has that
    prefix, or the id is not of the form ``prefix-digits``)."""
    match = _FHIR_ID.match(fhir_id or "")
    if match is None:
        return None
    for source in sources_of(resource_type):
        if source.id_prefix == match["prefix"]:
            return source, int(match["pk"])
    return None


def find_row(actor: Actor, resource_type: str, fhir_id: str) -> tuple[ResourceSource, Any] | None:
    """The source and row behind a FHIR id, scoped to the actor's clinic (not logged)."""
    found = source_of_id(resource_type, fhir_id)
    if found is None:
        return None
    source, pk = found
    row = source.rows(actor).filter(pk=pk).first()
    if row is None:
        return None
    return source, row


def find(actor: Actor, resource_type: str, fhir_id: str) -> Resource | None:
    """The resource with this id of the actor's clinic, or ``None`` (also for another clinic's,
    exactly as for one that does not exist). Not logged: the caller logs what it hands out."""
    found = find_row(actor, resource_type, fhir_id)
    if found is None:
        return None
    source, row = found
    return source.build(actor, row)


def patient_rows(actor: Actor, patient: Any) -> list[tuple[ResourceSource, Any]]:
    """Every (source, row) of one patient of the actor's clinic, in :data:`SOURCES` order."""
    if actor.clinic_id is None or patient.clinic_id != actor.clinic_id:
        return []
    found: list[tuple[ResourceSource, Any]] = []
    for source in SOURCES:
        for row in source.patient_rows(actor, patient.pk):
            found.append((source, row))
    return found


def patient_resources(actor: Actor, patient: Any) -> list[Resource]:
    """Everything exported for one patient of the actor's clinic (empty for another clinic's
    patient): every record of the patient, then the clinic and the staff those records name."""
    resources = [source.build(actor, row) for source, row in patient_rows(actor, patient)]
    if not resources:
        return resources
    named = _references(resources)
    for source in SOURCES:
        if source.patient_field:
            continue
        for row in source.rows(actor):
            if f"{source.resource_type}/{source.fhir_id(row)}" in named:
                resources.append(source.build(actor, row))
    return resources


def _references(resources: list[Resource]) -> set[str]:
    """Every literal reference (``Type/id``) anywhere in these resources."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("reference")
            if isinstance(ref, str):
                found.add(ref)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for resource in resources:
        walk(resource.model_dump(mode="json", exclude_none=True))
    return found


def _check_prefixes(sources: list[ResourceSource]) -> list[ResourceSource]:
    prefixes = [source.id_prefix for source in sources]
    duplicates = sorted({p for p in prefixes if prefixes.count(p) > 1})
    if duplicates:
        raise RuntimeError(f"FHIR id prefixes used twice: {duplicates}")
    return sources


# At the end: sources.py imports ResourceSource from here.
from atlaschart.fhir.sources import all_sources  # noqa: E402

SOURCES: list[ResourceSource] = _check_prefixes(all_sources())
