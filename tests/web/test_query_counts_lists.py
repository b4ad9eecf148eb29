"""Every list page and the whole chart make an exact number of queries, however many rows.

The companion of test_query_counts.py (same rules, same ``statements`` helper, so the numbers are
the same on SQLite and PostgreSQL): a clinic is filled through the services (``Clinic``), a round
at a time, and each page is counted after one round, after two and after ``ROUNDS``. Every count
must equal the number pinned here, so a query per listed row (N+1) fails, and so does any new
query. Each page must also show a text of every round's rows, so that a page that lists nothing
cannot pass.

The list pages are those of the URL map (src/atlaschart/*/urls.py, ROUTES in tests/web/routes.py)
that list records: the patient list and search, the chart (every section filled) as a
clinician and as the front desk, a patient's posture sessions, one session, the before/after
comparison, one imaging study, the imaging pre/post list and comparison, progress, the safety
screen, the imaging inbox, intake links (intakes and follow-ups), wording packs, the intake
settings, listing rule tables, the access log and its monthly review, API tokens, the calendar
feed, staff, sign-in locks, clinic outcomes and the settings page. (There is no list page of
reports or jobs: a report and a job each have only their own page.)

Found so far: the chart's safety section and the safety page read the user of each acknowledged
finding one by one (fixed by reading them with the acknowledgements, ``acks_by_rule``). Tried:
dropping that ``select_related("by")`` fails the chart and the safety page (31, 33, 37 and 15,
17, 21 queries); dropping the intake links' ``select_related("patient")`` (14, 20, 32) or the
imaging inbox's ``select_related("patient", "resolved_by")`` (10, 11, 13) fails the clinic's
lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pydicom.uid import generate_uid
from tests.builders import dicom
from tests.factories import care, exams, imaging, intake, people, posture
from tests.web.query_counting import page_queries

from atlaschart.reports import services as reports

#: Rounds of records in the second count (the first count is after one round).
ROUNDS = 4


class Clinic:
    """The Seoul clinic filled through the services (the factories of tests/factories), one more
    of every kind a round."""

    def __init__(self, personas: Any) -> None:
        self.personas = personas
        self.patient = personas.patient
        self.rounds = 0
        self.first_session: Any = None
        self.first_study = generate_uid()

    def add_round(self) -> None:
        n = self.rounds
        self.rounds += 1
        other = people.patient(
            self.personas.desk, f"박환자{n}", date(1980, 1, 1 + n), phone=f"010-1000-{n:04d}"
        )
        for patient in (self.patient, other):
            self._intake_and_followup(patient, n)
        self._acknowledgements()
        self._posture(n)
        self._imaging(n)
        self._care(n)
        reports.request_patient_report(care.actor(self.personas.clinician), self.patient.pk, "ko")
        self._clinic_rows(n)

    # --- patient records

    def _intake_and_followup(self, patient: Any, n: int) -> None:
        desk, clinician = self.personas.desk, self.personas.clinician
        answers = {"q_nprs_q1": str(6 + n % 3), "pain_neck": "6"}
        intake.submitted_intake(desk, patient, answers, instruments=("nprs",))
        intake.submitted_followup(
            clinician, patient, ["nprs"], {"q_nprs_q1": "2", "pain_neck": "2"}
        )
        # And one link left open, for the desk's list.
        intake.intake_link(desk, patient)

    def _acknowledgements(self) -> None:
        """The clinician acknowledges two more findings of the latest screen (made by the intake;
        earlier acknowledgements carry over to it)."""
        from atlaschart.safety import services
        from atlaschart.safety.models import AckAction

        screen = services.latest_screen(self.patient)
        assert screen is not None
        done = services.acks_by_rule(screen)
        for finding in [f for f in screen.findings if f["rule"] not in done][:2]:
            services.acknowledge(
                care.actor(self.personas.clinician),
                screen,
                finding["rule"],
                AckAction.ACKNOWLEDGE,
                "asked in person",
            )

    def _posture(self, n: int) -> None:
        clinician = self.personas.clinician
        session = posture.posture_session(
            clinician, self.patient, taken_on=date(2025, 3, 1) + timedelta(days=n)
        )
        points = [
            {
                "name": name,
                "x": x,
                "y": y + n,
                "visibility": 0.99,
                "source": "model",
                "uncertainty_px": 2.0,
                "moved_by": None,
                "moved_at": None,
            }
            for name, x, y in (("left_shoulder", 250, 190), ("right_shoulder", 150, 200))
        ]
        posture.posture_shot(clinician, session, points, detector="fake@1")
        # And one more photo a round in the first session, for its own page.
        if self.first_session is None:
            self.first_session = session
        else:
            posture.posture_shot(clinician, self.first_session, points, detector="fake@1")

    def _imaging(self, n: int) -> None:
        from atlaschart.imaging_studies.models import Instance

        # A new study a round (with its UC analysis), and one more series in the first study.
        study = generate_uid()
        imaging.imported_study(
            self.personas.clinician,
            self.patient,
            dicom.image("DX", 32, 32, study, generate_uid()),
            dicom.image("DX", 32, 32, self.first_study, generate_uid()),
        )
        radiograph = Instance.objects.get(series__study__study_instance_uid=study)
        imaging.uc_analysis(self.personas.clinician, radiograph, imaging.SMALL_NASIUM)

    def _care(self, n: int) -> None:
        clinician, desk = self.personas.clinician, self.personas.desk
        # An appointment tomorrow, and a visit today (booked, opened, then signed) with its exam,
        # its adverse-event follow-up, a care plan with a goal and a consent.
        care.booked_appointment(
            desk, self.patient, care.at(9 + n // 2, 30 * (n % 2)), clinician=clinician
        )
        visit = care.visit(clinician, self.patient, care.at(13 + n // 2, 30 * (n % 2), days=0))
        exams.exam(
            clinician,
            self.patient,
            "palpation",
            {"findings": f"C1 tender {n}", "tender_levels": "C1"},
            visit=visit,
        )
        care.adverse_event(clinician, visit, f"dizziness {n}", severity_0_10=3)
        care.signed_visit(clinician, visit)
        care.care_plan(
            clinician,
            self.patient,
            goals=[f"sit {n}"],
            start_date=timezone.localdate() - timedelta(days=30 + n),
        )
        care.consent(clinician, self.patient, "treatment")

    # --- the clinic's own rows

    def _clinic_rows(self, n: int) -> None:
        from atlaschart.accounts.models import Role, SignInThrottle
        from atlaschart.calendarfeed import services as feeds
        from atlaschart.dicom_inbox import services as inbox
        from atlaschart.dicom_inbox.models import HeldReason, InboxItem
        from atlaschart.fhir import tokens
        from atlaschart.intake.services import save_wording_pack
        from atlaschart.measure.instruments import load_wording_pack

        admin, clinician = care.actor(self.personas.admin), care.actor(self.personas.clinician)
        tokens.make_token(admin, f"partner {n}", "research")
        staff = people.staff(self.personas.seoul, Role.CLINICIAN, f"staff{n}")
        # Locked out by wrong passwords (the sign-in journey is test_security_lockout.py's).
        SignInThrottle.objects.create(
            key=f"user:staff{n}", failures=5, window_started=timezone.now(), user=staff
        )
        feeds.make_feed(clinician)
        # Two studies the DICOM receiver held (rows: the network journey is
        # test_dicom_receiver.py's); one is discarded, so the page lists it among the resolved.
        for state in ("held", "discarded"):
            item = InboxItem.objects.create(
                clinic=self.personas.seoul,
                key=f"{state}{n}",
                patient_id_received=self.patient.chart_number,
                patient_name_received="Lee^Jieun",
                study_instance_uid=f"1.2.3.{n}",
                study_description=f"{state} study {n}",
                reason=HeldReason.IDENTITY_DIFFERS,
            )
        inbox.discard(clinician, item)
        table = {
            "id": f"rules{n}",
            "version": "1",
            "view": "nasium",
            "rules": [{"when": {"atlas_laterality_deg": {"min": 0.25}}, "listing": f"L{n}"}],
        }
        imaging.listing_table(self.personas.admin, table, activate=True)
        pack = {
            "instrument": "rmdq",
            "version": "rmdq-24",
            "language": ("ko", "en")[n % 2],
            "title": f"허리 {n}",
            "items": {f"q{i}": {"text": f"문장 {i}"} for i in range(1, 25)},
        }
        save_wording_pack(admin, load_wording_pack(pack), pack)


@pytest.fixture
def clinic(personas, settings, tmp_path) -> Clinic:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Clinic(personas)


@dataclass(frozen=True)
class Page:
    """One page to count: who asks, its address, the pinned count, and texts it must show (each at
    least ``at_least`` times, a row a round), so a page that lists nothing cannot pass."""

    user: str
    url: str
    queries: int
    shows: tuple[str, ...] = ()
    at_least: int = ROUNDS
    params: Callable[[], dict[str, str]] = dict
    #: The count with one record, where it differs: a compare page compares from two on.
    queries_with_one: int | None = None

    def expected(self) -> list[int]:
        one = self.queries if self.queries_with_one is None else self.queries_with_one
        return [one, self.queries, self.queries]


def count_pages(personas: Any, clinic: Clinic, pages: dict[str, Page]) -> None:
    """Each page's count after one round, two and ``ROUNDS``, against its pin; every mismatch is
    reported at once, with the statements of the last count."""
    clients = {r: personas.login(getattr(personas, r)) for r in ("admin", "clinician", "desk")}
    measured: dict[str, list[int]] = {name: [] for name in pages}
    listings: dict[str, str] = {}
    for rounds in (1, 2, ROUNDS):
        while clinic.rounds < rounds:
            clinic.add_round()
        for name, page in pages.items():
            sql = page_queries(clients[page.user], page.url, page.params())
            measured[name].append(len(sql))
            listings[name] = "\n".join(sql)
    wrong = [name for name, page in pages.items() if measured[name] != page.expected()]
    assert not wrong, "\n\n".join(
        f"{name}: {measured[name]} queries with 1, 2 and {ROUNDS} rounds, pinned at "
        f"{pages[name].expected()}:\n{listings[name]}"
        for name in wrong
    )
    for name, page in pages.items():
        body = clients[page.user].get(page.url, page.params()).content.decode()
        for text in page.shows:
            assert body.count(text) >= page.at_least, f"{name}: {text!r} is not listed"


@pytest.fixture
def counted(personas, clinic) -> Any:
    """``counted(pages)``: :func:`count_pages` on this test's clinic. Its first round is made
    already, so that a page may name a record of it."""
    clinic.add_round()
    return lambda pages: count_pages(personas, clinic, pages)


# ------------------------------------------------------------------------------------ pinned

#: The patient list and the search: the page of patients, one access-log row naming them all.
PATIENT_LIST = 8
PATIENT_SEARCH = 8
#: The whole chart with every section filled (intake links, intakes, follow-ups, the screen with
#: its acknowledgements, exams, posture, imaging studies with their series and UC analyses,
#: appointments, visits, care plans with their goals, consents, scores, photo consent).
CHART = 29
#: The same chart as the front desk sees it: the status sections and the appointments only.
CHART_FOR_THE_DESK = 16
#: A patient's own pages.
POSTURE_SESSIONS = 10  # sessions, their photos
POSTURE_SESSION = 9  # one session with its photos
POSTURE_COMPARE = 23  # sessions; the two compared, each logged; their photos; the clinic's MDC
POSTURE_COMPARE_WITH_ONE_SESSION = 9  # nothing to compare yet
IMAGING_STUDY = 10  # the study, its series and images
IMAGING_COMPARE = 9  # the patient's UC analyses (with their image, series, study), pair or not
PROGRESS = 21  # questionnaires, regions, visits with treatments, posture, exams, analyses
SAFETY = 13  # the latest screen, its history, acknowledgements (with who), re-assessments
#: The clinic's lists.
DICOM_INBOX = 9  # held studies, recently resolved ones (with patient and user), one log row
INTAKE_LINKS = 8  # links with their patients, one log row naming them
WORDING_PACKS = 4
INTAKE_SETTINGS = 5  # the clinic's choice and its wording packs
LISTING_TABLES = 4  # tables with uploader and analysis count
ACCESS_LOG = 5  # a page of entries (with patient), the users to filter by
ACCESS_REVIEW = 8  # the month's entries grouped by user, refused, exports, the sign-off
API_TOKENS = 4  # tokens with their maker
CALENDAR_FEED = 4
STAFF = 4  # users with whether a second factor is set up
SIGN_IN_LOCKS = 4  # locks with their users
CLINIC_OUTCOMES = 8  # baselines and latest forms, intakes, follow-ups, local regions, clinicians
SETTINGS = 3


def _analyses() -> dict[str, str]:
    """The first and the latest UC analysis, for the pre/post comparison."""
    from atlaschart.imaging_studies.models import UCAnalysis

    ids = list(UCAnalysis.objects.order_by("id").values_list("id", flat=True))
    return {"pre": str(ids[0]), "post": str(ids[-1])}


def test_the_patient_list_and_the_whole_chart_make_a_fixed_number_of_queries(
    personas, counted
) -> None:
    chart = reverse("patients:chart", args=[personas.patient.pk])
    filled = ("C1 tender", "Atlas laterality", "· Booked", "· signed", "Follow-up submitted")
    counted(
        {
            "patients": Page("clinician", reverse("patients:list"), PATIENT_LIST, ("박환자",)),
            "search": Page(
                "clinician",
                reverse("patients:list"),
                PATIENT_SEARCH,
                ("박환자",),
                params=lambda: {"q": "박환자"},
            ),
            "chart": Page("clinician", chart, CHART, filled),
            "chart for the desk": Page("desk", chart, CHART_FOR_THE_DESK, ("· Booked",)),
        }
    )


def test_a_patients_posture_imaging_progress_and_safety_pages_make_a_fixed_number_of_queries(
    personas, clinic, counted
) -> None:
    from atlaschart.imaging_studies.models import Study

    p = personas.patient.pk
    study = Study.objects.get(study_instance_uid=clinic.first_study).pk
    counted(
        {
            "posture sessions": Page(
                "clinician", reverse("posture:patient", args=[p]), POSTURE_SESSIONS, ("2025-03-0",)
            ),
            "posture session": Page(
                "clinician",
                reverse("posture:session", args=[clinic.first_session.pk]),
                POSTURE_SESSION,
                ("/image",),
            ),
            "posture compare": Page(
                "clinician",
                reverse("posture:compare", args=[p]),
                POSTURE_COMPARE,
                queries_with_one=POSTURE_COMPARE_WITH_ONE_SESSION,
            ),
            "imaging study": Page(
                "clinician",
                reverse("imaging_studies:study", args=[study]),
                IMAGING_STUDY,
                ("32×32",),
            ),
            "imaging compare": Page(
                "clinician",
                reverse("imaging_studies:compare", args=[p]),
                IMAGING_COMPARE,
                ("Nasium (AP) ·",),
            ),
            "imaging pre/post": Page(
                "clinician",
                reverse("imaging_studies:compare", args=[p]),
                IMAGING_COMPARE,
                ("Nasium (AP) ·",),
                params=_analyses,
            ),
            "progress": Page(
                "clinician", reverse("progress:patient", args=[p]), PROGRESS, ("Neck: 2",)
            ),
            "safety": Page(
                "clinician", reverse("safety:patient", args=[p]), SAFETY, ("asked in person",)
            ),
        }
    )


def test_the_clinics_lists_make_a_fixed_number_of_queries(counted) -> None:
    review_month = {"month": timezone.localdate().strftime("%Y-%m")}
    counted(
        {
            "imaging inbox": Page(
                "clinician", reverse("dicom_inbox:inbox"), DICOM_INBOX, ("held study", "discarded")
            ),
            "intake links": Page("desk", reverse("intake_links"), INTAKE_LINKS, ("Answered",)),
            "wording packs": Page(
                "admin", reverse("intake:packs"), WORDING_PACKS, ("loaded",), at_least=2
            ),
            "intake settings": Page("admin", reverse("intake:settings"), INTAKE_SETTINGS),
            "listing tables": Page(
                "admin", reverse("imaging_studies:listing_tables"), LISTING_TABLES, ("@1",)
            ),
            "access log": Page(
                "admin", reverse("audit:access_log"), ACCESS_LOG, ("listed in search results",)
            ),
            "access review": Page(
                "admin",
                reverse("audit:review"),
                ACCESS_REVIEW,
                ("clinician",),
                at_least=1,
                params=lambda: review_month,
            ),
            "API tokens": Page("admin", reverse("fhir_tokens:list"), API_TOKENS, ("partner ",)),
            "calendar feed": Page(
                "clinician",
                reverse("calendarfeed:settings"),
                CALENDAR_FEED,
                ("Your calendar address was made",),
                at_least=1,
            ),
            "staff": Page("admin", reverse("accounts:staff"), STAFF, ("staff",)),
            "sign-in locks": Page(
                "admin", reverse("accounts:locks"), SIGN_IN_LOCKS, ("Lift lock",)
            ),
            "clinic outcomes": Page(
                "admin",
                reverse("outcomes:clinic"),
                CLINIC_OUTCOMES,
                ("Responders by MCID",),
                at_least=1,
            ),
            "settings": Page("admin", reverse("settings"), SETTINGS),
        }
    )
