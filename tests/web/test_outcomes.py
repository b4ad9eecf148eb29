"""Clinic outcomes: the CLI's JSON on a generated clinic against an independent computation,
the page and its CSV (small cells "<5"), no data gives zeros and empty intervals, bad input
exits 2, and nobody outside the policy (front desk, another clinic) gets the figures."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.web.stories import dated_response, generated_clinic

from atlaschart.cli import main

pytestmark = pytest.mark.django_db


def _patient(personas: Any, **data: Any) -> Any:
    """A Seoul patient registered by the front desk."""
    from atlaschart.lib.actor import Actor
    from atlaschart.patients.services import create_patient

    return create_patient(Actor.system(personas.desk, via="test"), data)


def _wilson_by_quadratic(x: int, n: int) -> list[float]:
    # Wilson's bounds as the roots of (p - x/n)^2 = z^2 p (1 - p) / n: a different route from
    # the centre-and-half form in the code.
    z = 1.959963984540054
    a = n + z * z
    b = -(2 * x + z * z)
    c = x * x / n
    root = math.sqrt(b * b - 4 * a * c)
    return [round((-b - root) / (2 * a), 4), round((-b + root) / (2 * a), 4)]


def _quartile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    return ordered[int(h)] + (h - int(h)) * (
        ordered[min(int(h) + 1, len(ordered) - 1)] - ordered[int(h)]
    )


def test_the_cli_matches_an_independent_computation(personas: Any, capsys: Any) -> None:
    truth = generated_clinic(personas)
    assert (
        main(["outcomes", "--clinic", "seoul", "--from", "2026-01-01", "--to", "2026-12-31"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    changes = [b - f for b, f in truth if not math.isnan(f)]
    mcid = sum(1 for c in changes if c >= 2)  # NPRS: MCID 2, MDC 2 (the core's rule)
    nprs = out["instruments"]["nprs"]
    assert out["clinic"] == "seoul" and out["from"] == "2026-01-01" and out["to"] == "2026-12-31"
    assert nprs["baseline_n"] == 40 and nprs["followup_n"] == 30 and nprs["lost_n"] == 10
    assert nprs["responders_mcid"]["n"] == mcid
    assert nprs["responders_mcid"]["rate"] == round(mcid / 30, 4)
    assert nprs["responders_mcid"]["ci95"] == _wilson_by_quadratic(mcid, 30)
    assert nprs["responders_mdc"]["n"] == mcid
    assert nprs["median_change"] == round(_quartile(changes, 0.5), 2)
    assert nprs["iqr"] == [round(_quartile(changes, 0.25), 2), round(_quartile(changes, 0.75), 2)]
    assert out["regions"]["local"] == {"n": 0, "improved_n": 0, "rate": None, "ci95": []}


def test_the_range_picks_the_cohort_by_its_baseline(personas: Any, capsys: Any) -> None:
    generated_clinic(personas)
    # Baselines 2026-03-01 .. 2026-04-09; only the first 10 days' patients, followed to the end.
    assert (
        main(
            [
                "outcomes",
                "--clinic",
                "seoul",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-10",
                "--instrument",
                "nprs",
            ]
        )
        == 0
    )
    nprs = json.loads(capsys.readouterr().out)["instruments"]["nprs"]
    assert nprs["baseline_n"] == 10
    # Follow-ups after 03-10 are outside the range: patients 0..9 have at most their day-14 form
    # inside it when their baseline was on or before 02-24, none here, so most are lost.
    assert nprs["followup_n"] + nprs["lost_n"] == 10


def test_no_data_gives_zeros_and_empty_intervals(personas: Any, capsys: Any) -> None:
    assert main(["outcomes", "--clinic", "seoul", "--instrument", "ndi"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["instruments"]["ndi"] == {
        "baseline_n": 0,
        "followup_n": 0,
        "lost_n": 0,
        "responders_mcid": {"n": 0, "rate": None, "ci95": []},
        "responders_mdc": {"n": 0, "rate": None, "ci95": []},
        "median_change": None,
        "iqr": [],
    }
    assert out["from"] is None and out["regions"]["distant"]["rate"] is None


@pytest.mark.parametrize(
    "argv",
    [
        ["--clinic", "nowhere"],
        ["--clinic", "seoul", "--from", "yesterday"],
        ["--clinic", "seoul", "--instrument", "groc"],  # not an outcome measure
        ["--clinic", "seoul", "--from", "2026-05-01", "--to", "2026-04-01"],
    ],
)
def test_bad_input_exits_2_with_one_line(personas: Any, capsys: Any, argv: list[str]) -> None:
    assert main(["outcomes", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("atlaschart outcomes: ") and "\n" not in err


def test_the_page_shows_the_figures_and_the_lost(personas: Any) -> None:
    generated_clinic(personas, patients=12)
    client = personas.login(personas.clinician)
    page = client.get(reverse("outcomes:clinic"), {"instrument": "nprs"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Lost to follow-up" in text and '<td data-label="Lost to follow-up">3</td>' in text
    bad = client.get(reverse("outcomes:clinic"), {"date_from": "2026-13-45"})
    assert bad.status_code == 200 and "error" in bad.content.decode()


def test_the_csv_shows_small_cells_as_under_5(personas: Any) -> None:
    from atlaschart.audit.models import AccessLogEntry

    generated_clinic(personas, patients=6)  # 6 with a baseline, 1 lost, 5 with a follow-up
    client = personas.login(personas.admin)
    response = client.get(reverse("outcomes:export"), {"instrument": "nprs"})
    assert response.status_code == 200
    rows = response.content.decode("utf-8-sig").splitlines()
    cells = rows[1].split(",")
    assert cells[1] == "6" and cells[2] == "5" and cells[3] == "<5"
    # Responders (of 5) are fewer than 5 here: their counts, rates and intervals are all hidden.
    assert cells[4:10] == ["<5"] * 6
    assert cells[10] != "" and "<5" not in cells[10:]  # the median change over 5 patients shows
    assert AccessLogEntry.objects.filter(action="export", detail="clinic outcomes CSV").count() == 1


def test_front_desk_gets_no_figures_and_nothing_is_written(personas: Any) -> None:
    from atlaschart.audit.models import AccessLogEntry

    generated_clinic(personas, patients=8)
    client = personas.login(personas.desk)
    before = AccessLogEntry.objects.exclude(action="denied").count()
    assert client.get(reverse("outcomes:clinic")).status_code == 403
    assert client.get(reverse("outcomes:export")).status_code == 403
    assert AccessLogEntry.objects.exclude(action="denied").count() == before


def test_another_clinic_sees_only_its_own_patients(personas: Any) -> None:
    generated_clinic(personas, patients=8)
    client = personas.login(personas.outsider)
    page = client.get(reverse("outcomes:clinic"), {"instrument": "nprs"}, HTTP_ACCEPT_LANGUAGE="en")
    # Busan has one patient with a baseline and a follow-up (9 -> 0), never Seoul's eight.
    assert '<td data-label="Patients with a baseline">1</td>' in page.content.decode()


def _body_map(
    personas: Any, patient: Any, when: datetime, kind: str, pains: dict[str, int]
) -> None:
    import secrets

    from atlaschart.intake.models import FollowUp, Intake, IntakeLink

    # Dated ``when``, in the past (see dated_response in tests/web/stories.py): written directly.
    link = IntakeLink.objects.create(
        clinic=personas.seoul,
        patient=patient,
        token_hash=secrets.token_hex(32),
        expires_at=when + timedelta(days=7),
        kind=kind,
    )
    model = Intake if kind == "intake" else FollowUp
    model.objects.create(
        clinic=personas.seoul,
        patient=patient,
        link=link,
        submitted_at=when,
        language="ko",
        answers={f"pain_{region}": str(value) for region, value in pains.items()},
    )


def test_local_and_distant_regions_improved(personas: Any, capsys: Any) -> None:
    """Hand-counted: patient A neck 7 -> 2 (local, better), low back right 5 -> 4 (distant,
    unchanged), left shoulder added at the follow-up (new: not compared); patient B neck 6 -> 6
    (local, unchanged), head 8 -> 3 (distant, better); patient C never came back (no region).
    Local: 2 compared, 1 better; distant: 2 compared, 1 better."""
    from atlaschart.intake.services import confirm_local_regions
    from atlaschart.lib.actor import Actor

    when = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.get_current_timezone())
    people = [
        _patient(
            personas,
            chart_number=f"R{i}",
            name=f"부위{i}",
            date_of_birth=date(1990, 1, 1),
        )
        for i in range(3)
    ]
    a, b, c = people
    _body_map(personas, a, when, "intake", {"neck": 7, "low_back_right": 5})
    _body_map(
        personas,
        a,
        when + timedelta(days=21),
        "followup",
        {"neck": 2, "low_back_right": 4, "shoulder_left": 3},
    )
    _body_map(personas, b, when, "intake", {"neck": 6, "head_face": 8})
    _body_map(personas, b, when + timedelta(days=21), "followup", {"neck": 6, "head_face": 3})
    _body_map(personas, c, when, "intake", {"neck": 9})
    for patient in people:
        confirm_local_regions(Actor.system(personas.clinician, via="test"), patient, ["neck"])
    assert (
        main(["outcomes", "--clinic", "seoul", "--from", "2026-05-01", "--to", "2026-06-30"]) == 0
    )
    regions = json.loads(capsys.readouterr().out)["regions"]
    assert regions["local"] == {
        "n": 2,
        "improved_n": 1,
        "rate": 0.5,
        "ci95": _wilson_by_quadratic(1, 2),
    }
    assert regions["distant"]["n"] == 2 and regions["distant"]["improved_n"] == 1
    # Before the follow-ups, nothing is compared yet.
    assert (
        main(["outcomes", "--clinic", "seoul", "--from", "2026-05-01", "--to", "2026-05-10"]) == 0
    )
    regions = json.loads(capsys.readouterr().out)["regions"]
    assert regions["local"]["n"] == 0 and regions["local"]["ci95"] == []


def test_the_complaint_region_filter_keeps_only_patients_who_marked_it(personas: Any) -> None:
    from atlaschart.lib.actor import Actor
    from atlaschart.outcomes.services import Filters, clinic_outcomes

    when = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.get_current_timezone())
    for i, pains in enumerate([{"neck": 6}, {"neck": 0, "low_back_left": 5}, {"neck": 3}]):
        patient = _patient(
            personas,
            chart_number=f"F{i}",
            name=f"필터{i}",
            date_of_birth=date(1990, 1, 1),
        )
        _body_map(personas, patient, when, "intake", pains)
        dated_response(personas.seoul, patient, when, 6)
        dated_response(personas.seoul, patient, when + timedelta(days=20), 2)
    actor = Actor.system(personas.clinician, via="cli")
    everyone = clinic_outcomes(actor, Filters(instrument="nprs"))
    neck = clinic_outcomes(actor, Filters(instrument="nprs", region="neck"))
    assert everyone.instruments["nprs"].baseline_n == 3
    assert neck.instruments["nprs"].baseline_n == 2  # the one with neck 0 did not mark it
    nobody = clinic_outcomes(actor, Filters(instrument="nprs", technique="toggle"))
    assert nobody.instruments["nprs"].baseline_n == 0
    assert nobody.instruments["nprs"].responders_mcid.ci95 is None  # type: ignore[union-attr]
