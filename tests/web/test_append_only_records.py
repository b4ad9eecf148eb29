"""One base for the records that are only ever added (lib/records.py): which models they are,
and that a stored row refuses to change or to be deleted, except for a declared mutable field."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from atlaschart.lib.actor import Actor
from atlaschart.lib.records import AppendOnlyError, AppendOnlyModel

#: Every append-only record. A model dropping the base (or a new one taking it) is a decision
#: made here, on purpose.
APPEND_ONLY = {
    "audit.AccessLogEntry",
    "audit.AccessLogAnchor",
    "audit.AccessLogReview",
    "safety.ScreenRecord",
    "safety.Acknowledgement",
    "intake.Intake",
    "intake.FollowUp",
    "intake.QuestionnaireResponse",
    "intake.LocalRegions",
    "imaging_studies.ListingTable",
}


def test_the_append_only_records_are_the_ones_named() -> None:
    found = {model._meta.label for model in apps.get_models() if issubclass(model, AppendOnlyModel)}
    assert found == APPEND_ONLY


def test_a_stored_screen_refuses_change_and_deletion(personas: Any) -> None:
    from atlaschart.measure.safety import SCREENING_ITEMS
    from atlaschart.safety.services import record_screen

    answers = {item: False for item in SCREENING_ITEMS} | {"T1": "na", "T2": "na"}
    record = record_screen(
        Actor(personas.clinician, "192.0.2.1"), personas.patient, answers, "clinician"
    )
    record.source = "intake"
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        record.save()
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        record.delete()


def test_only_a_declared_mutable_field_may_change(personas: Any) -> None:
    from atlaschart.imaging_studies.models import ListingTable

    table = ListingTable.objects.create(
        clinic=personas.seoul, table_id="t", version="1", view="ap", source="{}"
    )
    table.is_active = not table.is_active
    table.save(update_fields=["is_active"])  # the one field that may change
    table.source = '{"changed": true}'
    with pytest.raises(AppendOnlyError):
        table.save(update_fields=["source"])
    with pytest.raises(AppendOnlyError):
        table.save()
