"""AuditEvent: the patient's access-log rows (who opened, listed, changed or exported what, and
when), as the IHE Basic Audit Log Patterns shape them: type ``rest``-less DICOM "Patient Record"
events, the action as C/R/U/D/E, the member of staff as the agent, the patient and the record as
entities. The hash chain stays in AtlasChart (``atlaschart audit verify``); each event carries its
row hash so a copy can be checked against the log."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.auditevent import AuditEvent

from atlaschart.fhir import codes
from atlaschart.fhir.base import (
    compact,
    fhir_id,
    organization_ref,
    patient_ref,
    practitioner_ref,
    when,
)
from atlaschart.lib.actor import Actor

AUDIT = "audit"

#: audit.Action -> the FHIR AuditEvent action code (C create, R read, U update, D delete,
#: E execute).
_ACTION = {
    "view": "R",
    "list": "R",
    "create": "C",
    "update": "U",
    "archive": "U",
    "restore": "U",
    "export": "R",
    "sign": "U",
    "amend": "U",
    "denied": "E",
}


def audit_codes(entry: Any) -> list[tuple[str, str]]:
    return [(codes.local("audit-action"), entry.action)]


def _action_words(action: str) -> str:
    from django.utils import translation

    from atlaschart.audit.models import Action

    with translation.override("en"):
        try:
            return str(Action(action).label)
        except ValueError:
            return action


def build_audit_event(actor: Actor, entry: Any) -> AuditEvent:
    agent = compact(
        {
            "type": codes.concept(
                "http://terminology.hl7.org/CodeSystem/extra-security-role-type",
                "humanuser",
                "human user",
            ),
            "who": practitioner_ref(entry.user) if entry.user_id else {"display": "patient link"},
            "altId": entry.username or None,
            "requestor": True,
            "network": {"address": entry.client_ip, "type": "2"} if entry.client_ip else None,
        }
    )
    entities = []
    if entry.patient_id:
        entities.append(
            {
                "what": patient_ref(entry.patient_id),
                "type": codes.coding(
                    "http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"
                ),
            }
        )
    if entry.object_type:
        entities.append(
            compact(
                {
                    "what": {"display": f"{entry.object_type} {entry.object_id}".strip()},
                    "type": codes.coding(
                        "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                        "2",
                        "System Object",
                    ),
                    "description": entry.detail or None,
                }
            )
        )
    data = compact(
        {
            "resourceType": "AuditEvent",
            "id": fhir_id(AUDIT, entry.pk),
            "type": codes.coding(codes.AUDIT_EVENT_TYPE, "110110", "Patient Record"),
            "subtype": [
                codes.coding(codes.local("audit-action"), entry.action, _action_words(entry.action))
            ],
            "action": _ACTION.get(entry.action, "E"),
            "recorded": when(entry.at),
            "outcome": "4" if entry.action == "denied" else "0",
            "outcomeDesc": entry.detail or None,
            "agent": [agent],
            "source": {
                "site": "AtlasChart",
                "observer": organization_ref(entry.clinic)
                if entry.clinic_id
                else {"display": "AtlasChart"},
            },
            "entity": entities,
        }
    )
    if entry.row_hash:
        chained = {
            "what": {"display": f"access log row {entry.seq}"},
            "detail": [{"type": "sha256", "valueString": entry.row_hash}],
        }
        data["entity"] = [*data.get("entity", []), chained]
    return AuditEvent.model_validate(data)
