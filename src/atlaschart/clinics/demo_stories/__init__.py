"""The living demo: six patients of each demo clinic at different stages of care.

Everything is made through the apps' services, acting as the member of staff (or the patient)
who would do it, so the records, derived values and access log are the real ones:

1. ``complete``: an intake with a body map and questionnaires, the clinician's safety items
   (a clear screen), a neuro exam, a care plan with goals, three signed visits with an upper
   cervical adjustment and leg checks before and after, posture sessions before and after, a
   radiograph with an upper cervical analysis, and a follow-up that shows change.
2. ``red_flag``: an intake whose safety answers raise a red flag; not treated, seen today.
3. ``new``: an intake link sent, not answered yet; a first consultation today.
4. ``injection``: intake, clear screen, consent to an injection, a signed visit with one.
5. ``followups``: a baseline and two follow-ups in which some regions change and others do not
   (the change is shown per region once follow-ups re-ask the body map).
6. ``manual``: a signed manual-therapy visit; a re-examination booked today.

The posture photos and the complete patient's report and whole-record FHIR export go through
their background jobs (run at once: the loader has no worker), so the job pages have finished
jobs to show. Beyond the patients (``partners``): the clinician's calendar address, and in the
Korean clinic a partner system's API token and an older one revoked.

Photos are real ones that installed packages ship (:mod:`atlaschart.imaging.sample_photos`);
the radiograph is a sample file that pydicom ships. A step whose service refuses (say, a form
changed under it) is reported as skipped, never half written: each runs in its own savepoint.

The texts and answers are in ``content``, the steps (one service call each) in ``steps``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from atlaschart.clinics.demo_stories import partners
from atlaschart.clinics.demo_stories.content import (
    CONSULTATION_REQUEST,
    NEURO_NORMAL,
    SOAP_EN,
    SOAP_KO,
    STORIES,
)
from atlaschart.clinics.demo_stories.steps import (
    Report,
    Staff,
    answer_followup,
    answer_intake,
    at_time,
    book_slot,
    care_plan_with_goals,
    clear_clinician_items,
    exam_through_form,
    nucca_adjustment,
    posture_session,
    radiograph_session,
    run_step,
    treatment_data,
    visit_to_signing,
    working_day,
)
from atlaschart.patients.models import Patient

__all__ = ["Report", "Staff", "load_stories"]


@dataclass(frozen=True)
class Scene:
    """What every story shares: the report, the staff, today and the language of the notes."""

    report: Report
    staff: Staff
    language: str
    today: date
    soap: dict[str, str]
    weeks_ago: list[date]  # working days 4, 3, 2 and 1 weeks ago


def _complete(s: Scene, p: Patient) -> None:
    """The whole path of care."""
    answer_intake(s.report, s.staff, p, "complete")
    clear_clinician_items(s.report, s.staff, p)
    exam_through_form(s.report, s.staff, p, "neuro", NEURO_NORMAL)
    care_plan_with_goals(s.report, s.staff, p, s.weeks_ago[0])
    posture_session(s.report, s.staff, p, s.weeks_ago[0], "")
    radiograph_session(s.report, s.staff, p)
    for n, day in enumerate(s.weeks_ago[:3]):
        visit_to_signing(
            s.report, s.staff, p, day, 10, s.soap, nucca_adjustment(str(3 - n * 0.5)), leg_pre=4 - n
        )
    answer_followup(s.report, s.staff, p, "complete", 1)
    posture_session(s.report, s.staff, p, s.weeks_ago[3], "")
    # The patient agrees that their posture photos may go into their report.
    from atlaschart.reports import services as report_services

    run_step(
        s.report,
        "photo consent",
        lambda: report_services.record_photo_consent(s.staff.actor(s.staff.clinician), p, True),
    )
    # Their report, made by its background job (at once, as above): the chart's report
    # section and the job's page have something to show.
    run_step(
        s.report,
        "patient report",
        lambda: report_services.request_patient_report(
            s.staff.actor(s.staff.clinician), p.pk, None
        ),
    )
    # And, at the patient's request, their whole record as FHIR (a finished export job).
    partners.record_export(s.report, s.staff, p)
    book_slot(s.report, s.staff, p, at_time(s.today, 10), 30, "adjustment")


def _red_flag(s: Scene, p: Patient) -> None:
    """The screen names it; not treated; seen today to talk about referral."""
    answer_intake(s.report, s.staff, p, "red_flag")
    clear_clinician_items(s.report, s.staff, p)
    book_slot(s.report, s.staff, p, at_time(s.today, 11), 40, "consultation")


def _new(s: Scene, p: Patient) -> None:
    """A link sent this morning, not answered yet; first consultation today."""
    from atlaschart.intake import services as intake_services

    newcomer: Patient = p
    run_step(
        s.report,
        "open intake link",
        lambda: intake_services.create_link(s.staff.actor(s.staff.desk), newcomer),
    )
    book_slot(s.report, s.staff, p, at_time(s.today, 14), 40, "consultation")


def _injection(s: Scene, p: Patient) -> None:
    """Consent, then a signed visit with a trigger-point injection."""
    from atlaschart.visits import services as visit_services

    consenting: Patient = p
    answer_intake(s.report, s.staff, p, "injection")
    clear_clinician_items(s.report, s.staff, p)
    run_step(
        s.report,
        "injection consent",
        lambda: visit_services.record_consent(
            s.staff.actor(s.staff.clinician),
            consenting,
            {"kind": "injection", "given_on": s.weeks_ago[3], "notes": ""},
        ),
    )
    injection = treatment_data(
        "injection",
        "",
        drug="Lidocaine 1%",
        concentration_mg_per_ml="10",
        dose_mg="20",
        volume_ml="2",
        site="오른쪽 상부 승모근" if s.language == "ko" else "Right upper trapezius",
        injection_side="right",
        guidance="ultrasound",
        lot_number="LD24117",
        expiry_date=(s.today + timedelta(days=300)).isoformat(),
        given_at="15:10",
        physician=s.staff.clinician.display_name or s.staff.clinician.username,
        complications="",
    )
    from atlaschart.visits.access import consents_of_clinic

    consent = consents_of_clinic(s.staff.actor(s.staff.clinician)).filter(patient=p).first()
    if consent is not None:
        injection["consent"] = str(consent.pk)
    visit_to_signing(
        s.report, s.staff, p, s.weeks_ago[3], 15, s.soap, injection, appointment_kind="injection"
    )
    book_slot(s.report, s.staff, p, at_time(s.today, 15), 30, "injection")


def _followups(s: Scene, p: Patient) -> None:
    """Baseline and two follow-ups, some regions better and others not."""
    answer_intake(s.report, s.staff, p, "followups")
    clear_clinician_items(s.report, s.staff, p)
    # The clinician confirms the chief complaint: the neck and upper back are local, the rest
    # of the marked regions distant, as the progress page shows them.
    from atlaschart.intake import services as intake_services

    run_step(
        s.report,
        "chief-complaint regions",
        lambda: intake_services.confirm_local_regions(
            s.staff.actor(s.staff.clinician), p, ["neck", "upper_back_left"]
        ),
    )
    for n, day in enumerate(s.weeks_ago[:2]):
        visit_to_signing(
            s.report, s.staff, p, day, 16, s.soap, nucca_adjustment(str(2.5 - n * 0.5)), leg_pre=3
        )
    answer_followup(s.report, s.staff, p, "followups", 1)
    visit_to_signing(
        s.report, s.staff, p, s.weeks_ago[2], 16, s.soap, nucca_adjustment("1.5"), leg_pre=2
    )
    answer_followup(s.report, s.staff, p, "followups", 2)
    book_slot(s.report, s.staff, p, at_time(s.today, 16), 30, "reexamination")


def _manual(s: Scene, p: Patient) -> None:
    """A signed mobilisation visit; re-examination today."""
    answer_intake(s.report, s.staff, p, "manual")
    clear_clinician_items(s.report, s.staff, p)
    mobilisation = treatment_data(
        "manual_therapy",
        "mobilisation",
        description="",
        manual_side="left",
        setting_region="lumbar",
        setting_minutes="10",
    )
    visit_to_signing(s.report, s.staff, p, s.weeks_ago[3], 17, s.soap, mobilisation)
    book_slot(s.report, s.staff, p, at_time(s.today, 17), 30, "reexamination")


#: Each story of ``STORIES``, told for one patient.
_STORIES = {
    "complete": _complete,
    "red_flag": _red_flag,
    "new": _new,
    "injection": _injection,
    "followups": _followups,
    "manual": _manual,
}


def load_stories(staff: Staff, patients: list[Patient], language: str) -> Report:
    """Give the first six patients of a demo clinic their stories (see the module docstring)."""
    staff.language = language
    today = timezone.localdate()
    s = Scene(
        report=Report(),
        staff=staff,
        language=language,
        today=today,
        soap=SOAP_KO if language == "ko" else SOAP_EN,
        weeks_ago=[working_day(today - timedelta(days=d)) for d in (28, 21, 14, 7)],
    )
    for story, patient in zip(STORIES, patients, strict=False):
        _STORIES[story](s, patient)
    # And someone not yet a patient asked for a consultation on the clinic's public page.
    from atlaschart.visits import services as visit_services

    clinic_id = s.staff.desk.clinic_id
    assert clinic_id is not None  # the demo's staff belong to their clinic
    run_step(
        s.report,
        "consultation request",
        lambda: visit_services.submit_consultation_request(
            clinic_id, CONSULTATION_REQUEST[s.language]
        ),
    )
    # The clinic's links outside: the clinician's calendar address, and in the Korean clinic a
    # partner system's API token (and an older one revoked) for the token page and the API.
    partners.calendar_feed(s.report, s.staff)
    if s.language == "ko":
        partners.partner_tokens(s.report, s.staff)
    return s.report
