"""Safety screens on the chart: storing, clinician signs, acknowledgements, the signing gate.

Levels come from the red-flag table of docs/safety.md (E > B-urgent > B-routine > H > W >
none-found; unanswered item = incomplete at B-routine), worked out by hand; what each level blocks
per technique class is the gate's table (measure/safety/gate.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.lib.actor import Actor
from atlaschart.measure.safety import SCREENING_ITEMS
from atlaschart.measure.safety.gate import TechniqueClass as T
from atlaschart.safety import services
from atlaschart.safety.models import Acknowledgement, ScreenRecord

pytestmark = pytest.mark.django_db

# Every main item answered "no" (timing items take false, risk factors false = none).
ALL_NO = {item: False for item in SCREENING_ITEMS}
ALL_NO["T1"] = "na"
ALL_NO["T2"] = "na"


def screen_for(personas, answers) -> ScreenRecord:
    actor = Actor.system(personas.clinician, via="test")
    return services.record_screen(actor, personas.patient, answers, "clinician")


def blocks(personas, technique: T = T.THRUST) -> list[tuple[str, str]]:
    """(rule, gate code) of each reason the gate gives for ``technique``; ("", code) without a
    finding."""
    decision = services.gate(personas.patient, technique)
    return [(r.finding.rule if r.finding else "", r.code) for r in decision.reasons]


def test_no_screen_blocks_signing(personas) -> None:
    for technique in T:
        assert blocks(personas, technique) == [("", "not-screened")]


def test_all_items_answered_no_gives_none_found_and_nothing_blocks(personas) -> None:
    record = screen_for(personas, ALL_NO)
    assert record.level == "none-found" and record.findings == []
    assert all(blocks(personas, technique) == [] for technique in T)
    page = personas.login(personas.clinician).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
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
    client = personas.login(personas.clinician)
    url = reverse("safety:acknowledge", args=[record.pk])
    client.post(url, {"rule": "V2", "action": "override", "reason": "patient seems fine to me"})
    assert not Acknowledgement.objects.exists()
    client.post(url, {"rule": "V2", "action": "acknowledge", "reason": ""})
    assert Acknowledgement.objects.get().action == "acknowledge"
    for technique in T:
        assert blocks(personas, technique) == [("V2", "emergency")]


def test_overriding_a_b_finding_needs_a_written_reason(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "X4": True})  # X4 visceral source: B-routine
    assert record.level == "B-routine"
    client = personas.login(personas.clinician)
    url = reverse("safety:acknowledge", args=[record.pk])
    client.post(url, {"rule": "X4", "action": "override", "reason": "ok"})  # 2 characters
    assert not Acknowledgement.objects.exists()
    assert blocks(personas) == [("X4", "needs-override")]
    # A plain acknowledgement leaves the B block standing ...
    client.post(url, {"rule": "X4", "action": "acknowledge"})
    assert blocks(personas, T.LOW_FORCE) == [("X4", "needs-override")]
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
    assert all(blocks(personas, technique) == [] for technique in T)


def test_a_b_override_with_a_reason_resolves_it(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "X4": True})
    personas.login(personas.clinician).post(
        reverse("safety:acknowledge", args=[record.pk]),
        {
            "rule": "X4",
            "action": "override",
            "reason": "GP letter: gallstones ruled out",
        },
    )
    assert all(blocks(personas, technique) == [] for technique in T)
    assert AccessLogEntry.objects.filter(
        user=personas.clinician, action=Action.UPDATE, object_type="safety.screenrecord"
    ).exists()


def test_w_is_resolved_by_acknowledging_and_h_only_by_override(personas) -> None:
    # X5 band-like burning pain: W; V7 blood pressure >= 180/110: H.
    record = screen_for(personas, {**ALL_NO, "X5": True, "V7": True})
    assert record.level == "H"
    # Before any review: H blocks thrust and (until reviewed) low-force work; W blocks all.
    assert blocks(personas, T.THRUST) == [
        ("V7", "thrust-needs-override"),
        ("X5", "needs-acknowledgement"),
    ]
    assert blocks(personas, T.LOW_FORCE) == [
        ("V7", "needs-review"),
        ("X5", "needs-acknowledgement"),
    ]
    assert blocks(personas, T.NOT_MANUAL) == [("X5", "needs-acknowledgement")]
    client = personas.login(personas.clinician)
    url = reverse("safety:acknowledge", args=[record.pk])
    client.post(url, {"rule": "X5", "action": "acknowledge"})
    client.post(
        url, {"rule": "V7", "action": "acknowledge", "reason": "rechecked, mobilisation only"}
    )
    # The H review allows low-force work; thrust stays blocked until an override.
    assert blocks(personas, T.THRUST) == [("V7", "thrust-needs-override")]
    assert blocks(personas, T.LOW_FORCE) == [] and blocks(personas, T.NOT_MANUAL) == []


def test_clinician_signs_feed_the_same_rules(personas) -> None:
    screen_for(personas, ALL_NO)
    client = personas.login(personas.clinician)
    form = {key: ("no" if value is False else value) for key, value in ALL_NO.items()}
    form.update(V6=["no"], sign_sharp_purser="yes", bp_systolic_mmhg="185", bp_diastolic_mmhg="95")
    response = client.post(reverse("safety:patient", args=[personas.patient.pk]), form)
    assert response.status_code == 302
    latest = services.latest_screen(personas.patient)
    rules = {f["rule"]: f["level"] for f in latest.findings}
    # Sharp-Purser positive -> U3 B-urgent; systolic 185 >= 180 -> V7 H (docs/safety.md).
    assert rules["U3"] == "B-urgent" and rules["V7"] == "H"
    assert latest.level == "B-urgent" and latest.source == "clinician"
    assert ScreenRecord.objects.count() == 2  # the first screen is kept as it was


def test_the_desk_cannot_open_the_screen_enter_signs_or_acknowledge(personas) -> None:
    record = screen_for(personas, {**ALL_NO, "X5": True})
    desk = personas.login(personas.desk)
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
    outsider = personas.login(personas.outsider)
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
    client = personas.login(personas.clinician)
    url = reverse("patients:chart", args=[personas.patient.pk])
    text = client.get(url).content.decode()
    assert 'data-level="E"' in text and "banner-danger" in text
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    for _ in range(3):
        screen_for(personas, {**ALL_NO, "X5": True})
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
