"""Pages make a fixed number of queries, however many records they list.

Each exam and visit page's count is pinned to the number measured: a new query on one of these
pages is a decision made here, on purpose, and a query per listed row (N+1) fails because every
page is counted twice, with one record of each kind and with six. (Tried: dropping the
``select_related`` of today's appointments, asking the safety gate once per treatment on the
visit page, or dropping the care plans' ``prefetch_related("goals")`` in the chart's visits
section each fails here, with the statements listed.)

The whole chart is pinned too, exactly: empty, and with these exams and visits; its exam and
visit sections are also counted on their own. The chart with every section filled, and every
other list page, are pinned in test_query_counts_lists.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.web.query_counting import assert_queries, page_queries, statements

from atlaschart.patients.models import Patient

#: Measured on SQLite and PostgreSQL (the same on both, see ``statements``). Change a number
#: only together with the page whose queries it counts, and say why in the commit.
VISIT_PAGE = 18  # an unsigned visit: note, treatments (three technique classes), exams, events
SIGNED_VISIT_PAGE = 15  # a signed visit: the current note, amendments, signed treatments
TODAY = 15  # appointments, arrivals, due follow-ups, due re-assessments
CALENDAR = 9  # the day and the week view alike
ADVERSE_EVENTS = 8
CONSULTATION_REQUESTS = 8
EXAM_DETAIL = 8
#: The chart's own sections, each counted with its template rendered.
EXAM_SECTION = 1
VISITS_SECTION = 4  # visits, care plans with their goals (prefetched), consents
APPOINTMENTS_SECTION = 1
#: The whole chart, every app's sections together: of a patient with no records yet, and with
#: the exams and visits of ``Records`` (every section filled: test_query_counts_lists.py).
EMPTY_CHART = 23
CHART_OF_EXAMS_AND_VISITS = 24
#: The patient search (a page of patients, one access-log row naming them all).
PATIENT_SEARCH = 8


def add_patients(clinic: Any, n: int, start: int) -> None:
    Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            chart_number=f"B{start + i:05d}",
            name=f"박환자{start + i}",
            date_of_birth=date(1980, 1, 1),
            search_text=f"박환자{start + i}",
        )
        for i in range(n)
    )


def test_search_and_chart_query_counts_do_not_grow_with_the_number_of_patients(personas) -> None:
    client = personas.login(personas.clinician)
    add_patients(personas.seoul, 3, 0)
    small_list = len(page_queries(client, reverse("patients:list"), {"q": "박환자"}))
    small_chart = len(page_queries(client, reverse("patients:chart", args=[personas.patient.pk])))
    add_patients(personas.seoul, 60, 100)
    assert len(page_queries(client, reverse("patients:list"), {"q": "박환자"})) == small_list
    chart = page_queries(client, reverse("patients:chart", args=[personas.patient.pk]))
    assert len(chart) == small_chart
    assert small_list == PATIENT_SEARCH
    assert small_chart == EMPTY_CHART, "\n".join(chart)


# --------------------------------------------------------------------- records of one patient


class Records:
    """One patient's exams, visits and their rows, added in rounds of one of each kind."""

    def __init__(self, personas: Any) -> None:
        from atlaschart.lib.actor import Actor
        from atlaschart.visits.models import Visit

        self.personas = personas
        self.actor = Actor.system(personas.clinician, via="test")
        self.today = timezone.localdate()
        self.open_visit = Visit.objects.create(
            patient=personas.patient, clinician=personas.clinician, visit_date=self.today
        )
        self.signed_visit = Visit.objects.create(
            patient=personas.patient,
            clinician=personas.clinician,
            visit_date=self.today - timedelta(days=1),
            signed_at=timezone.now(),
            signed_by=personas.clinician,
        )
        self.rounds = 0

    def add_round(self) -> None:
        """One more of everything the exam and visit pages list."""
        from atlaschart.exams import services as exam_services
        from atlaschart.visits.models import (
            AdverseEvent,
            Amendment,
            Appointment,
            CarePlan,
            CarePlanGoal,
            ConsentRecord,
            ConsultationRequest,
            Treatment,
            Visit,
        )

        p, clinician, n = self.personas.patient, self.personas.clinician, self.rounds
        self.rounds += 1
        exam_services.record_exam(
            self.actor,
            p,
            "palpation",
            raw={"findings": f"C1 tender {n}", "tender_levels": "C1"},
            visit_id=self.open_visit.pk,
        )
        # One treatment of each technique class (thrust, low force, not manual): the safety
        # gate is asked once a class, however many rows.
        for visit, signed in ((self.open_visit, None), (self.signed_visit, timezone.now())):
            for kind, technique in (
                ("uc_adjustment", "nucca"),
                ("manual_therapy", "mobilisation"),
                ("injection", ""),
            ):
                Treatment.objects.create(
                    visit=visit,
                    kind=kind,
                    technique=technique,
                    signed_at=signed,
                    signed_by=clinician if signed else None,
                )
        AdverseEvent.objects.create(
            visit=self.open_visit,
            patient=p,
            reported_by=clinician,
            escalated=True,
            classification="intense",
            description=f"dizziness {n}",
            is_new=True,
            severity_0_10=7,
            onset_h=2,
            algorithm="test@1",
        )
        Amendment.objects.create(
            visit=self.signed_visit, author=clinician, reason=f"typo {n}", subjective=f"S {n}"
        )
        starts = timezone.make_aware(datetime.combine(self.today, datetime.min.time()))
        starts += timedelta(hours=9, minutes=15 * n)
        Appointment.objects.create(
            clinic=self.personas.seoul,
            patient=p,
            clinician=clinician,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=15),
        )
        Visit.objects.create(
            patient=p, clinician=clinician, visit_date=self.today - timedelta(days=10 + n)
        )
        plan = CarePlan.objects.create(
            patient=p, start_date=self.today - timedelta(days=30 + n), created_by=clinician
        )
        CarePlanGoal.objects.create(care_plan=plan, description=f"sit {n}")
        ConsentRecord.objects.create(
            patient=p, kind="injection", given_on=self.today, recorded_by=clinician
        )
        ConsultationRequest.objects.create(
            clinic=self.personas.seoul, name=f"신청자{n}", contact="010-0000-0000", complaint="목"
        )
        # Another patient of the clinic who is due a follow-up and a re-assessment.
        other = Patient.objects.create(
            clinic=self.personas.seoul,
            chart_number=f"R{n:05d}",
            name=f"재평가{n}",
            date_of_birth=date(1980, 1, 1),
        )
        CarePlan.objects.create(
            patient=other,
            start_date=self.today - timedelta(days=21),
            reassess_weeks=[1],
            created_by=clinician,
        )


@pytest.fixture
def records(personas) -> Records:
    return Records(personas)


def counted_twice(records: Records, check: Any) -> None:
    """``check()`` with one record of each kind, then with six."""
    records.add_round()
    check()
    for _ in range(5):
        records.add_round()
    check()


def test_the_visit_pages_make_a_fixed_number_of_queries(personas, records) -> None:
    client = personas.login(personas.clinician)

    def check() -> None:
        assert_queries(client, reverse("visits:visit", args=[records.open_visit.pk]), VISIT_PAGE)
        signed = reverse("visits:visit", args=[records.signed_visit.pk])
        assert_queries(client, signed, SIGNED_VISIT_PAGE)

    counted_twice(records, check)
    page = client.get(reverse("visits:visit", args=[records.open_visit.pk])).content.decode()
    assert page.count("C1 tender") == 6 and page.count("dizziness") == 6


def test_todays_list_and_the_calendar_make_a_fixed_number_of_queries(personas, records) -> None:
    desk = personas.login(personas.desk)
    clinician = personas.login(personas.clinician)
    day = {"date": records.today.isoformat()}

    def check() -> None:
        assert_queries(desk, reverse("visits:today"), TODAY)
        assert_queries(clinician, reverse("visits:today"), TODAY)
        assert_queries(desk, reverse("visits:calendar"), CALENDAR, day)
        assert_queries(desk, reverse("visits:calendar"), CALENDAR, {**day, "view": "week"})

    counted_twice(records, check)
    page = desk.get(reverse("visits:today")).content.decode()
    assert page.count("재평가") >= 6  # every due patient is listed


def test_the_adverse_event_and_request_lists_make_a_fixed_number_of_queries(
    personas, records
) -> None:
    admin, desk = personas.login(personas.admin), personas.login(personas.desk)

    def check() -> None:
        assert_queries(admin, reverse("visits:adverse_events"), ADVERSE_EVENTS)
        assert_queries(desk, reverse("visits:requests"), CONSULTATION_REQUESTS)

    counted_twice(records, check)
    assert admin.get(reverse("visits:adverse_events")).content.decode().count("dizziness") == 6


def test_an_exam_page_makes_a_fixed_number_of_queries(personas, records) -> None:
    from atlaschart.exams.models import ExamRecord

    records.add_round()
    exam = ExamRecord.objects.get()
    client = personas.login(personas.clinician)
    assert_queries(client, reverse("exams:detail", args=[exam.pk]), EXAM_DETAIL)


def test_the_exam_and_visit_sections_of_the_chart_make_a_fixed_number_of_queries(
    personas, records
) -> None:
    """Each section's context and its template, counted on their own."""
    from atlaschart.patients.chart import chart_sections

    request = RequestFactory().get("/")
    request.user = personas.clinician
    pinned = {
        "exam": EXAM_SECTION,
        "visits": VISITS_SECTION,
        "appointments": APPOINTMENTS_SECTION,
    }

    client = personas.login(personas.clinician)
    whole_chart: list[int] = []

    def check() -> None:
        chart = page_queries(client, reverse("patients:chart", args=[personas.patient.pk]))
        assert len(chart) == CHART_OF_EXAMS_AND_VISITS, "\n".join(chart)
        whole_chart.append(len(chart))
        for section, _ctx in chart_sections(request, personas.patient):
            if section.key not in pinned:
                continue
            with CaptureQueriesContext(connection) as ctx:
                context = section.context(request, personas.patient)
                render_to_string(
                    section.template, {"ctx": context, "patient": personas.patient}, request
                )
            sql = statements(ctx)
            assert len(sql) == pinned[section.key], f"{section.key}:\n" + "\n".join(sql)

    counted_twice(records, check)
    assert whole_chart[0] == whole_chart[1]
