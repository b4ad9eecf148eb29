"""A fixture clinic that holds one record of every kind, made the way staff and patients make them.

Used by the URL walk (test_url_walk.py): every URL pattern is requested with the ids of these
records. Records are made through the web pages where a page exists (imaging import, posture
upload, exam form, intake link and submission, follow-up link), so the fixture follows the app as it
changes, and through the services (tests/factories) where the page would need a long journey
(appointments, a draft visit with its treatments, a care plan, an adverse event, a safety screen).
Plain model rows remain only for what no service writes as the walk needs it, each said where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pydicom.uid import generate_uid
from tests.builders import dicom, photos

# A string written into the Seoul clinic's records: no page shown to another clinic may contain it.
SECRET = "SEOUL-ONLY-7f3a"


@dataclass
class EveryKind:
    """Ids of one record of every kind in the Seoul clinic (plus the token of an open link)."""

    ids: dict[str, int]
    intake_token: str


def _token_in(page: str) -> str:
    return page.split("/intake/p/")[1].split("/")[0]


def build(personas: Any, monkeypatch: Any) -> EveryKind:
    """Create one record of every kind in ``personas.seoul``; returns their ids."""
    from tests.factories.care import actor as care_actor
    from tests.factories.care import (
        adverse_event,
        booked_appointment,
        care_plan,
        consent,
        consultation_request,
        opened_visit,
        screen_record,
    )
    from tests.factories.care import treatment as draft_treatment
    from tests.factories.intake import CONSENT, answered
    from tests.factories.posture import posture_session

    from atlaschart.exams.models import ExamRecord
    from atlaschart.imaging_studies.models import Instance, ListingTable, Series, Study
    from atlaschart.intake.models import FollowUp, Intake, IntakeLink
    from atlaschart.posture import services as posture_services
    from atlaschart.posture.models import PostureShot
    from atlaschart.visits.models import SOAP_FIELDS
    from atlaschart.visits.services.notes import update_note

    ids: dict[str, int] = {"patient": personas.patient.pk}
    clinician = personas.login(personas.clinician)
    desk = personas.login(personas.desk)
    patient = personas.patient
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    starts = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 0, tzinfo=tz)

    # Visits: an appointment, a draft visit with a treatment, a care plan with a goal, consent,
    # an adverse event, a consultation request.
    appointment = booked_appointment(personas.clinician, patient, starts)
    # And one later today, so today's list and the calendar show a patient; the visit is opened
    # from it (a visit is never opened before its day).
    last_minute = datetime(today.year, today.month, today.day, 23, 59, tzinfo=tz)
    later = min(timezone.localtime() + timedelta(minutes=5), last_minute)
    visit = opened_visit(personas.clinician, booked_appointment(personas.clinician, patient, later))
    note = {field: "" for field in SOAP_FIELDS}
    visit = update_note(
        care_actor(personas.clinician),
        visit,
        {**note, "subjective": f"neck pain {SECRET}"},
        visit.version,
    )
    treatment = draft_treatment(personas.clinician, visit, technique="nucca")
    # A second draft treatment, for the walk's removal request (the first is signed by another).
    spare = draft_treatment(personas.clinician, visit, technique="nucca")
    plan = care_plan(personas.clinician, patient, goals=[f"turn head {SECRET}"])
    consent_record = consent(personas.clinician, patient, "treatment")
    event = adverse_event(personas.clinician, visit, f"soreness {SECRET}", severity_0_10=3)
    consultation = consultation_request(
        personas.seoul, name="문의자", contact="010-0000-1111", complaint=SECRET
    )
    ids.update(
        appointment=appointment.pk,
        visit=visit.pk,
        treatment=treatment.pk,
        spare_treatment=spare.pk,
        care_plan=plan.pk,
        consent=consent_record.pk,
        adverse_event=event.pk,
        consultation_request=consultation.pk,
    )

    # Exams: a leg check through the form.
    response = clinician.post(
        reverse("exams:create", args=[patient.pk, "leg_check"]),
        {
            "timing": "pre",
            "check_type": "supine",
            "short_side": "right",
            "magnitude": "2",
            "unit": "eighth_inch",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    ids["exam"] = ExamRecord.objects.filter(patient=patient).latest("id").pk

    # Safety: a screen recorded as the safety page records it (clinician answers, all "no").
    ids["screen"] = screen_record(personas.clinician, patient).pk

    # Intake: a link made at the desk, submitted by the patient; a second link left open.
    page = desk.post(reverse("intake:link_create", args=[patient.pk])).content.decode()
    token = _token_in(page)
    link = IntakeLink.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())
    # No service narrows one link's questionnaires (the clinic's settings choose them for every
    # link); changing those settings would change the walk's other links.
    link.instruments = ["nprs"]
    link.save(update_fields=["instruments"])
    answered(link, {**CONSENT, "q_nprs_q1": "6"})
    assert Client().post(reverse("intake:submit", args=[token])).status_code == 302
    ids["intake"] = Intake.objects.filter(patient=patient).latest("id").pk
    page = clinician.post(
        reverse("intake:followup_create", args=[patient.pk]), {"instruments": ["nprs"]}
    ).content.decode()
    followup_token = _token_in(page)
    assert Client().post(reverse("intake:submit", args=[followup_token])).status_code == 302
    ids["followup"] = FollowUp.objects.filter(patient=patient).latest("id").pk
    open_page = desk.post(reverse("intake:link_create", args=[patient.pk])).content.decode()
    intake_token = _token_in(open_page)
    revocable = _token_in(
        desk.post(reverse("intake:link_create", args=[patient.pk])).content.decode()
    )
    ids["intake_link"] = IntakeLink.objects.get(
        token_hash=hashlib.sha256(revocable.encode()).hexdigest()
    ).pk

    # Posture: a session with one photo, the pose model replaced by fixed points.
    points = [
        {
            "name": name,
            "x": x,
            "y": y,
            "visibility": 0.99,
            "source": "model",
            "uncertainty_px": 2.0,
            "moved_by": None,
            "moved_at": None,
        }
        for name, x, y in (("left_shoulder", 250, 190), ("right_shoulder", 150, 200))
    ]
    monkeypatch.setattr(posture_services, "detect", lambda photo, view: (points, "", "fake@1"))
    session = posture_session(personas.clinician, patient, date(2025, 3, 1))
    response = clinician.post(
        reverse("posture:session", args=[session.pk]),
        {
            "view": "anterior",
            "photo": SimpleUploadedFile(
                "p.jpg", photos.flat_jpeg(400, 300, (120, 130, 140)), content_type="image/jpeg"
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    ids["posture_session"] = session.pk
    ids["posture_shot"] = PostureShot.objects.get(session=session).pk
    # The upload went through a background job (run at once: no broker in tests).
    ids["job"] = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    # A patient report, made by its background job (at once: no broker in tests).
    report = clinician.post(reverse("reports:patient", args=[patient.pk]), {"lang": "ko"})
    assert report.status_code == 302, report.content.decode()[:1000]
    ids["report_job"] = int(report["Location"].rstrip("/").rsplit("/", 1)[-1])

    # Imaging: a radiograph and a small CT series imported through the import page.
    study_uid, ct_study, ct_series = generate_uid(), generate_uid(), generate_uid()
    files = [dicom.plain("DX", "1.2.840.10008.5.1.4.1.1.1.1", 64, 64, study_uid, generate_uid())]
    files += [
        dicom.plain(
            "CT",
            "1.2.840.10008.5.1.4.1.1.2",
            6,
            8,
            ct_study,
            ct_series,
            z=10 + 2.5 * k,
            number=k + 1,
        )
        for k in range(4)
    ]
    response = clinician.post(
        reverse("imaging_studies:import", args=[patient.pk]),
        {"files": [SimpleUploadedFile(f"{i}.dcm", d) for i, d in enumerate(files)]},
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    radiograph = Instance.objects.get(series__study__study_instance_uid=study_uid)
    ids["study"] = Study.objects.get(study_instance_uid=study_uid).pk
    ids["instance"] = radiograph.pk
    ids["series"] = Series.objects.get(series_instance_uid=ct_series).pk
    # A chunked upload set (nothing sent yet) and the study's de-identified export job.
    from atlaschart.imaging_studies import uploads
    from atlaschart.jobs.models import Job

    ids["upload"] = uploads.open_set(  # type: ignore[assignment]  (a key, not an id)
        [("walk.dcm", 4)], user_id=personas.clinician.pk, patient_id=patient.pk
    ).key
    response = clinician.post(reverse("imaging_studies:export_study", args=[ids["study"]]))
    assert response.status_code == 302, response.content.decode()[:1000]
    ids["export_job"] = Job.objects.filter(kind="imaging.export_deidentified").latest("id").pk
    landmarks = {
        "skull_pairs.1.right": [10, 10],
        "skull_pairs.1.left": [50, 10],
        "skull_pairs.2.right": [10, 50],
        "skull_pairs.2.left": [50, 50],
        "apl_right": [20, 40],
        "apl_left": [44, 36],
    }
    response = clinician.post(
        reverse("imaging_studies:analysis_save", args=[radiograph.pk]),
        json.dumps({"view": "nasium", "points": landmarks}),
        content_type="application/json",
    )
    assert response.status_code in (200, 201, 302), response.content.decode()[:1000]
    from atlaschart.imaging_studies.models import UCAnalysis

    ids["analysis"] = UCAnalysis.objects.filter(patient=patient).latest("id").pk
    table = {
        "id": "walk",
        "version": "1",
        "view": "nasium",
        "rules": [{"when": {"atlas_laterality_deg": {"min": 0.25}}, "listing": "WALK"}],
    }
    response = personas.login(personas.admin).post(
        reverse("imaging_studies:listing_tables"),
        {"file": SimpleUploadedFile("t.json", json.dumps(table).encode()), "activate": "on"},
    )
    assert response.status_code in (200, 302), response.content.decode()[:1000]
    ids["listing_table"] = ListingTable.objects.get(clinic=personas.seoul, table_id="walk").pk
    # A finished whole-record export (fhir/jobs.py): the job and a stand-in archive, as the worker
    # leaves them, written raw (running the worker's real archive would slow every walk by seconds).
    from atlaschart.fhir.jobs import EXPORT_KIND, archive_name
    from atlaschart.jobs.models import Job as FhirJob
    from atlaschart.lib import media

    fhir_job = FhirJob.objects.create(
        clinic=personas.seoul,
        patient=patient,
        requested_by=personas.clinician,
        kind=EXPORT_KIND,
        input_sha256="f" * 64,
        payload={"patient_id": patient.pk, "reason": "walk"},
        state="done",
    )
    media.save(archive_name(fhir_job), f"PK walk {patient.name}".encode())
    ids["fhir_job"] = fhir_job.pk
    ids["staff_user"] = personas.desk.pk
    # A study the DICOM receiver held, a raw row: only the receiver's network journey holds one
    # (tests/web/test_dicom_receiver.py). It names the chart's ID, so its page lists the patient.
    from atlaschart.dicom_inbox.models import HeldReason, InboxItem

    ids["inbox_item"] = InboxItem.objects.create(
        clinic=personas.seoul,
        key="walk",
        patient_id_received=patient.chart_number,
        patient_name_received="Lee^Jieun",
        study_instance_uid=generate_uid(),
        study_description=SECRET,
        reason=HeldReason.IDENTITY_DIFFERS,
    ).pk
    from django.utils.timezone import now as lock_started

    from atlaschart.accounts.models import SignInThrottle

    # A raw lock: failed sign-ins would also count against an address (a second throttle row).
    ids["sign_in_lock"] = SignInThrottle.objects.update_or_create(
        key="user:walk",
        defaults={"failures": 5, "window_started": lock_started(), "user": personas.desk},
    )[0].pk
    return EveryKind(ids=ids, intake_token=intake_token)
