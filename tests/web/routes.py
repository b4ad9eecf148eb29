"""The URL map as the access tests walk it: how to request each URL pattern, and what the role
policy (atlaschart.lib.policy.POLICY) requires for it.

A support module, not a test: the URL walk (test_url_walk.py), its mutation check
(test_url_walk_bites.py) and the hostile-input fuzzer (test_fuzz_endpoints.py) all read
``ROUTES``. A new URL pattern gets its entry here; the walk fails for a pattern with none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import reverse
from tests.web import every_kind

from atlaschart.lib.policy import Kind, Permission

K, P = Kind, Permission


@dataclass(frozen=True)
class Route:
    """How to request one URL pattern and what the policy requires for it.

    ``args`` names the fixture ids (or literal values) for the pattern's arguments, in order.
    ``need`` is the (kind, permission) the policy must allow; ``None`` with ``public=False`` means
    any signed-in member of a clinic.
    """

    args: tuple[str, ...] = ()
    need: tuple[Kind, Permission] | None = None
    method: str = "GET"
    public: bool = False
    signed_in_only: bool = False  # reachable by any signed-in user, clinic or not
    shows_no_patient_data: bool = False  # e.g. an empty "new patient" form
    # The partner API (fhir/views.py): opened by a Bearer token only, never by a session; without
    # one it answers 401 with an OperationOutcome (tests/web/test_fhir_api.py walks it with one).
    token_api: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def names_a_record(self) -> bool:
        return any(not a.startswith("=") for a in self.args)


def r(*args: str, need: tuple[Kind, Permission] | None = None, **kw: Any) -> Route:
    return Route(args=args, need=need, **kw)


ROUTES: dict[str, Route] = {
    # Public and personal pages.
    "healthz": r(public=True),
    "accounts:login": r(public=True),
    "accounts:set_language": r(public=True, method="POST", data={"language": "ko"}),
    "visits:public": r("=seoul", public=True),
    "intake:fill": r("=token", "=complaints", public=True),
    "intake:autosave": r("=token", public=True, method="POST"),
    "intake:submit": r("=token", public=True, method="POST"),
    "intake:done": r(public=True),
    # The clinician's own calendar feed; the feed itself is opened by its secret address only.
    "calendarfeed:settings": r(need=(K.CALENDAR_FEED, P.READ)),
    "calendarfeed:create": r(need=(K.CALENDAR_FEED, P.WRITE), method="POST"),
    "calendarfeed:revoke": r(need=(K.CALENDAR_FEED, P.WRITE), method="POST"),
    "calendarfeed:feed": r("=not-a-feed-secret", public=True),
    # The partners' read API (Bearer tokens) and the admin's token pages.
    "fhir:metadata": r(public=True),
    "fhir:read": r("=Patient", "=patient-1", token_api=True),
    "fhir:search": r("=Patient", token_api=True),
    "fhir_tokens:list": r(need=(K.API_TOKEN, P.LIST)),
    "fhir_tokens:create": r(need=(K.API_TOKEN, P.WRITE), method="POST"),
    "fhir_tokens:revoke": r(need=(K.API_TOKEN, P.WRITE), method="POST"),
    "home": r(signed_in_only=True),
    "accounts:logout": r(signed_in_only=True, method="POST"),
    "accounts:password_change": r(signed_in_only=True),
    "accounts:security": r(signed_in_only=True),
    "accounts:reauth": r(signed_in_only=True),
    "accounts:two_factor": r(signed_in_only=True),
    "accounts:two_factor_verify": r(signed_in_only=True),
    "accounts:two_factor_enrol": r(signed_in_only=True),
    # Staff and clinic settings.
    "accounts:staff": r(need=(K.STAFF, P.LIST)),
    "accounts:staff_create": r(need=(K.STAFF, P.WRITE)),
    "accounts:staff_edit": r("staff_user", need=(K.STAFF, P.WRITE)),
    "accounts:staff_two_factor_reset": r("staff_user", need=(K.STAFF, P.WRITE), method="POST"),
    "accounts:locks": r(need=(K.STAFF, P.LIST)),
    "accounts:lock_lift": r("sign_in_lock", need=(K.STAFF, P.WRITE), method="POST"),
    "accounts:security_policy": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "audit:access_log": r(need=(K.ACCESS_LOG, P.READ)),
    "audit:review": r(need=(K.ACCESS_LOG, P.READ)),
    "audit:export": r(need=(K.ACCESS_LOG, P.EXPORT)),
    "outcomes:clinic": r(need=(K.OUTCOMES, P.READ)),
    "outcomes:export": r(need=(K.OUTCOMES, P.EXPORT)),
    "posture:mdc_settings": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "imaging_studies:listing_tables": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "imaging_studies:listing_table_active": r(
        "listing_table", need=(K.CLINIC_SETTINGS, P.WRITE), method="POST"
    ),
    "intake:settings": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "intake:packs": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "visits:profile": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "settings": r(need=(K.CLINIC_SETTINGS, P.READ)),
    "intake_links": r(need=(K.INTAKE_STATUS, P.LIST)),
    # Demographics.
    "patients:list": r(need=(K.DEMOGRAPHICS, P.LIST)),
    "patients:create": r(need=(K.DEMOGRAPHICS, P.WRITE), shows_no_patient_data=True),
    "patients:chart": r("patient", need=(K.DEMOGRAPHICS, P.READ)),
    "patients:edit": r("patient", need=(K.DEMOGRAPHICS, P.WRITE)),
    "patients:archive": r("patient", need=(K.DEMOGRAPHICS, P.WRITE), method="POST"),
    # Appointments and consultation requests.
    "visits:today": r(need=(K.APPOINTMENT, P.LIST)),
    "visits:calendar": r(need=(K.APPOINTMENT, P.LIST)),
    "visits:book": r("patient", need=(K.APPOINTMENT, P.WRITE)),
    "visits:status": r("appointment", need=(K.APPOINTMENT, P.WRITE), method="POST"),
    "visits:open": r("appointment", need=(K.VISIT_NOTE, P.WRITE)),
    "visits:requests": r(need=(K.CONSULTATION_REQUEST, P.LIST)),
    "visits:convert": r("consultation_request", need=(K.CONSULTATION_REQUEST, P.WRITE)),
    "visits:decline": r(
        "consultation_request", need=(K.CONSULTATION_REQUEST, P.WRITE), method="POST"
    ),
    # Visit notes, treatments, care plans, consent, adverse events.
    "visits:visit": r("visit", need=(K.VISIT_NOTE, P.READ)),
    "visits:save": r("visit", need=(K.VISIT_NOTE, P.WRITE), method="POST"),
    "visits:sign": r("visit", need=(K.VISIT_NOTE, P.SIGN), method="POST"),
    "visits:amend": r("visit", need=(K.VISIT_NOTE, P.WRITE)),
    "visits:treatment_add": r("visit", need=(K.VISIT_NOTE, P.WRITE), method="POST"),
    "visits:followup": r("visit", need=(K.ADVERSE_EVENT, P.WRITE), method="POST"),
    "visits:treatment_sign": r("treatment", need=(K.VISIT_NOTE, P.SIGN), method="POST"),
    "visits:treatment_delete": r("spare_treatment", need=(K.VISIT_NOTE, P.WRITE), method="POST"),
    "visits:care_plan": r("patient", need=(K.CARE_PLAN, P.WRITE)),
    "visits:care_plan_book": r("care_plan", need=(K.CARE_PLAN, P.WRITE)),
    "visits:consent": r("patient", need=(K.VISIT_NOTE, P.WRITE)),
    "visits:adverse_events": r(need=(K.ADVERSE_EVENT, P.SIGN)),
    "visits:adverse_event_review": r(
        "adverse_event", need=(K.ADVERSE_EVENT, P.SIGN), method="POST"
    ),
    # Exams and the safety screen.
    "exams:create": r("patient", "=leg_check", need=(K.EXAM, P.WRITE)),
    "exams:detail": r("exam", need=(K.EXAM, P.READ)),
    "safety:patient": r("patient", need=(K.SAFETY_SCREEN, P.READ)),
    "safety:acknowledge": r("screen", need=(K.SAFETY_SCREEN, P.SIGN), method="POST"),
    # Intake and follow-up.
    "intake:link_create": r("patient", need=(K.INTAKE_LINK, P.WRITE), method="POST"),
    "intake:followup_create": r("patient", need=(K.INTAKE_LINK, P.WRITE)),
    "intake:link_revoke": r("intake_link", need=(K.INTAKE_LINK, P.WRITE), method="POST"),
    "intake:detail": r("intake", need=(K.INTAKE_ANSWERS, P.READ)),
    "intake:followup_detail": r("followup", need=(K.INTAKE_ANSWERS, P.READ)),
    "intake:local_regions": r("intake", need=(K.EXAM, P.WRITE), method="POST"),
    # Progress.
    "progress:patient": r("patient", need=(K.INTAKE_ANSWERS, P.READ)),
    # Posture.
    "posture:patient": r("patient", need=(K.POSTURE, P.READ)),
    "posture:compare": r("patient", need=(K.POSTURE, P.READ)),
    "posture:session": r("posture_session", need=(K.POSTURE, P.READ)),
    "posture:shot": r("posture_shot", need=(K.POSTURE, P.READ)),
    "posture:image": r("posture_shot", need=(K.POSTURE, P.READ)),
    "posture:landmarks": r("posture_shot", need=(K.POSTURE, P.WRITE), method="POST"),
    "posture:calibration": r("posture_shot", need=(K.POSTURE, P.WRITE), method="POST"),
    # Background jobs: the fixture's job is its posture upload, seen by who may upload photos.
    "jobs:progress": r("job", need=(K.POSTURE, P.WRITE)),
    "jobs:status": r("job", need=(K.POSTURE, P.WRITE)),
    # Patient report (PDF) and the consent to photos in it.
    "reports:patient": r("patient", need=(K.POSTURE, P.EXPORT), method="POST", data={"lang": "ko"}),
    "reports:download": r("report_job", need=(K.POSTURE, P.EXPORT)),
    "reports:photo_consent": r(
        "patient", need=(K.POSTURE, P.WRITE), method="POST", data={"given": "yes"}
    ),
    # The whole record as FHIR (the chart's export; the partner API is fhir:*).
    "fhir_export:download": r("patient", need=(K.WHOLE_RECORD, P.EXPORT)),
    "fhir_export:made": r("fhir_job", need=(K.WHOLE_RECORD, P.EXPORT)),
    # Imaging.
    "imaging_studies:import": r("patient", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:upload_open": r("patient", need=(K.IMAGING, P.WRITE), method="POST"),
    "imaging_studies:upload_file": r("patient", "upload", "=0", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:upload_finish": r(
        "patient", "upload", need=(K.IMAGING, P.WRITE), method="POST"
    ),
    "imaging_studies:confirm_upload": r("patient", "upload", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:compare": r("patient", need=(K.IMAGING, P.READ)),
    "imaging_studies:study": r("study", need=(K.IMAGING, P.READ)),
    "imaging_studies:export_study": r("study", need=(K.IMAGING, P.EXPORT), method="POST"),
    "imaging_studies:export_ready": r("export_job", need=(K.IMAGING, P.EXPORT)),
    "imaging_studies:export_download": r("export_job", need=(K.IMAGING, P.EXPORT)),
    "imaging_studies:viewer": r("instance", need=(K.IMAGING, P.READ)),
    "imaging_studies:image": r("instance", need=(K.IMAGING, P.READ)),
    "imaging_studies:instance_update": r("instance", need=(K.IMAGING, P.WRITE), method="POST"),
    "imaging_studies:export_png": r("instance", need=(K.IMAGING, P.EXPORT)),
    "imaging_studies:analysis_new": r("instance", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:analysis_save": r("instance", need=(K.IMAGING, P.WRITE), method="POST"),
    "imaging_studies:analysis_edit": r("analysis", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:volume": r("series", need=(K.IMAGING, P.READ)),
    "imaging_studies:slice": r("series", need=(K.IMAGING, P.READ)),
    "imaging_studies:volume_landmarks": r("series", need=(K.IMAGING, P.WRITE), method="POST"),
    # The imaging inbox (studies the DICOM receiver held for a person to confirm the patient).
    "dicom_inbox:inbox": r(need=(K.IMAGING, P.WRITE)),
    "dicom_inbox:item": r("inbox_item", need=(K.IMAGING, P.WRITE)),
    "dicom_inbox:confirm": r("inbox_item", need=(K.IMAGING, P.WRITE), method="POST"),
    "dicom_inbox:discard": r("inbox_item", need=(K.IMAGING, P.WRITE), method="POST"),
}

ROLES = ("admin", "clinician", "front_desk")


def url_of(route: Route, name: str, fixture: every_kind.EveryKind) -> str:
    """The URL of pattern ``name`` with the fixture's ids (or the literal values) as arguments."""
    values: list[Any] = []
    for arg in route.args:
        if arg == "=token":
            values.append(fixture.intake_token)
        elif arg.startswith("="):
            values.append(arg[1:])
        else:
            values.append(fixture.ids[arg])
    return reverse(name, args=values)


def request_route(client: Client, route: Route, url: str) -> Any:
    """Request ``url`` with the route's method (and its form data for a POST)."""
    if route.method == "POST":
        return client.post(url, route.data)
    return client.get(url)
