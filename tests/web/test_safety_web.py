"""Safety screens on the chart: storing, clinician signs, acknowledgements, the signing gate.

Levels come from the table of outcomes_safety.md §3.3 as issue 3 states it (E > B-urgent >
B-routine > H > W > none-found; unanswered item = incomplete at B-routine), worked out by hand."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.lib.actor import Actor
from atlaschart.measure.safety import SCREENING_ITEMS
from atlaschart.safety import services
from atlaschart.safety.models import Acknowledgement, ScreenRecord

pytestmark = pytest.mark.django_db

# Every main item answered "no" (timing items take false, risk factors false = none).
ALL_NO = {item: False for item in SCREENING_ITEMS}
ALL_NO["T1"] = "na"
ALL_NO["T2"] = "na"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def screen_for(personas, answers) -> ScreenRecord:
    actor = Actor.system(personas.clinician, via="test")
    return services.record_screen(actor, personas.patient, answers, "clinician")


def test_no_screen_blocks_signing(personas) -> None:
    assert services.current_gate(personas.patient) == (
        "not-screened",
        ["no safety screen on record"],
    )


def test_all_items_answered_no_gives_none_found_and_nothing_blocks(personas) -> None:
    record = screen_for(personas, ALL_NO)
    assert record.level == "none-found" and record.findings == []
    assert services.current_gate(personas.patient) == ("none-found", [])
    page = login(personas.clinician).get(reverse("patients:chart", args=[personas.patient.pk]))
    text = page.content.decode()
    assert 'data-level="none-found"' in text and "not a clearance" in text
    assert "cleared" not in text.lower()


def test_a_stored_screen_cannot_be_changed(personas) -> None:
    record = screen_for(personas, ALL_NO)
    with pytest.raises(RuntimeError):
        record.save()


def test_an_emergency_finding_cannot_be_overridden_and_always_blocks(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "V2": True})  # V2 sudden worst headache: E
    assert record.level == "E"
    client = login(personas.clinician)
    url = reverse("safety:acknowledge", args=[record.pk])
    client.post(url, {"rule": "V2", "action": "override", "reason": "patient seems fine to me"})
    assert not Acknowledgement.objects.exists()
    client.post(url, {"rule": "V2", "action": "acknowledge", "reason": ""})
    assert Acknowledgement.objects.get().action == "acknowledge"
    level, reasons = services.current_gate(personas.patient)
    assert level == "E" and len(reasons) == 1 and reasons[0].startswith("V2 (E): ")


def test_overriding_a_b_finding_needs_a_written_reason(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "X4": True})  # X4 visceral source: B-routine
    assert record.level == "B-routine"
    client = login(personas.clinician)
    url = reverse("safety:acknowledge", args=[record.pk])
    client.post(url, {"rule": "X4", "action": "override", "reason": "ok"})  # 2 characters
    assert not Acknowledgement.objects.exists()
    assert services.current_gate(personas.patient)[1] != []
    # A plain acknowledgement leaves the B block standing ...
    client.post(url, {"rule": "X4", "action": "acknowledge"})
    assert services.current_gate(personas.patient)[1][0].startswith("X4 (B-routine)")
    # ... and carries over to a new screen with the same finding; an override then lifts it.
    record2 = screen_for(personas, {**ALL_NO, "X4": True})
    assert record2.acks.get().carried_from_id is not None
    client.post(
        reverse("safety:acknowledge", args=[record2.pk]),
        {
            "rule": "X4",
            "action": "override",
            "reason": "GP letter: gallstones ruled out",
        },
    )
    assert services.current_gate(personas.patient) == ("B-routine", [])


def test_a_b_override_with_a_reason_resolves_it(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "X4": True})
    login(personas.clinician).post(
        reverse("safety:acknowledge", args=[record.pk]),
        {
            "rule": "X4",
            "action": "override",
            "reason": "GP letter: gallstones ruled out",
        },
    )
    assert services.current_gate(personas.patient) == ("B-routine", [])
    assert AccessLogEntry.objects.filter(
        user=personas.clinician, action=Action.UPDATE, object_type="safety.screenrecord"
    ).exists()


def test_w_is_resolved_by_acknowledging_and_h_only_by_override(personas) -> None:
    # X5 band-like burning pain: W; V7 blood pressure >= 180/110: H.
    record = screen_for(personas, {**ALL_NO, "X5": True, "V7": True})
    assert record.level == "H"
    client = login(personas.clinician)
    url = reverse("safety:acknowledge", args=[record.pk])
    client.post(url, {"rule": "X5", "action": "acknowledge"})
    client.post(
        url, {"rule": "V7", "action": "acknowledge", "reason": "rechecked, mobilisation only"}
    )
    level, reasons = services.current_gate(personas.patient)
    assert level == "H" and len(reasons) == 1 and reasons[0].startswith("V7 (H): ")


def test_clinician_signs_feed_the_same_rules(personas) -> None:
    screen_for(personas, ALL_NO)
    client = login(personas.clinician)
    form = {key: ("no" if value is False else value) for key, value in ALL_NO.items()}
    form.update(V6=["no"], sign_sharp_purser="yes", bp_systolic_mmhg="185", bp_diastolic_mmhg="95")
    response = client.post(reverse("safety:patient", args=[personas.patient.pk]), form)
    assert response.status_code == 302
    latest = services.latest_screen(personas.patient)
    rules = {f["rule"]: f["level"] for f in latest.findings}
    # Sharp-Purser positive -> U3 B-urgent; systolic 185 >= 180 -> V7 H (§3.3).
    assert rules["U3"] == "B-urgent" and rules["V7"] == "H"
    assert latest.level == "B-urgent" and latest.source == "clinician"
    assert ScreenRecord.objects.count() == 2  # the first screen is kept as it was


def test_the_desk_cannot_open_the_screen_enter_signs_or_acknowledge(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "X5": True})
    desk = login(personas.desk)
    assert desk.get(reverse("safety:patient", args=[personas.patient.pk])).status_code == 403
    assert desk.post(reverse("safety:patient", args=[personas.patient.pk]), {}).status_code == 403
    assert (
        desk.post(
            reverse("safety:acknowledge", args=[record.pk]), {"rule": "X5", "action": "acknowledge"}
        ).status_code
        == 403
    )


def test_another_clinic_sees_nothing(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "X5": True})
    outsider = login(personas.outsider)
    assert outsider.get(reverse("safety:patient", args=[personas.patient.pk])).status_code == 404
    assert (
        outsider.post(
            reverse("safety:acknowledge", args=[record.pk]), {"rule": "X5", "action": "acknowledge"}
        ).status_code
        == 404
    )
    assert not Acknowledgement.objects.exists()


def test_the_chart_banner_shows_the_most_severe_level_in_constant_queries(
    personas, django_assert_max_num_queries
) -> None:
    screen_for(personas, {**ALL_NO, "X5": True, "V2": True})
    client = login(personas.clinician)
    url = reverse("patients:chart", args=[personas.patient.pk])
    text = client.get(url).content.decode()
    assert 'data-level="E"' in text and "banner-danger" in text
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    for _ in range(3):
        screen_for(personas, {**ALL_NO, "X5": True})
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
