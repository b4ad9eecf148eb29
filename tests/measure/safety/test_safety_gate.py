"""The signing gate, as a table of hand-worked cases.

Source: the red-flag table's action codes (docs/safety.md; the levels' meaning is that table's,
its synthesis of IFOMPT 2020/2023, see docs/sources.md): E = stop and refer, never overridden;
B = block all cervical manual therapy and refer; H = block high-velocity thrust only,
mobilisation or low-force work after clinician review with documented reasoning; W = precaution
the clinician must acknowledge. Each row: the findings, the clinician's actions, the technique
class, and the gate codes expected (empty = allowed)."""

from __future__ import annotations

import pytest

from atlaschart.measure.safety import Finding
from atlaschart.measure.safety.gate import (
    EMERGENCY,
    NEEDS_ACKNOWLEDGEMENT,
    NEEDS_OVERRIDE,
    NEEDS_REVIEW,
    NOT_SCREENED,
    SCREEN_EXPIRED,
    THRUST_NEEDS_OVERRIDE,
    TechniqueClass,
    decide,
    decide_all,
    unreviewed,
)

T, L, N = TechniqueClass.THRUST, TechniqueClass.LOW_FORCE, TechniqueClass.NOT_MANUAL

V1_E = Finding("V1", "E", "vertebrobasilar symptoms now", code="vba_symptoms_current")
X4_B = Finding("X4", "B-routine", "visceral source", code="visceral_source")
U2_B = Finding("U2", "B-urgent", "instability symptoms", code="uci_symptoms")
G2_B = Finding("G2", "B-routine", "declines", overridable=False, code="declines_manual_therapy")
V7_H = Finding("V7", "H", "blood pressure", code="blood_pressure_high")
X5_W = Finding("X5", "W", "shingles", code="shingles")


@pytest.mark.parametrize(
    ("findings", "actions", "technique", "codes"),
    [
        # No finding: everything may be signed (none-found is not a clearance, but it blocks
        # nothing).
        pytest.param([], {}, T, [], id="none-found-thrust"),
        # E: blocks every class, acknowledged or not, and an override row counts for nothing.
        pytest.param([V1_E], {}, L, [EMERGENCY], id="E-blocks-low-force"),
        pytest.param([V1_E], {}, N, [EMERGENCY], id="E-blocks-injection"),
        pytest.param([V1_E], {"V1": "acknowledge"}, L, [EMERGENCY], id="E-acknowledged-blocks"),
        pytest.param([V1_E], {"V1": "override"}, L, [EMERGENCY], id="E-forged-override-blocks"),
        # B: blocks every class until overridden; a plain acknowledgement leaves it standing.
        pytest.param([X4_B], {}, L, [NEEDS_OVERRIDE], id="B-routine-blocks-low-force"),
        pytest.param([U2_B], {}, N, [NEEDS_OVERRIDE], id="B-urgent-blocks-injection"),
        pytest.param([X4_B], {"X4": "acknowledge"}, L, [NEEDS_OVERRIDE], id="B-acked-blocks"),
        pytest.param([X4_B], {"X4": "override"}, T, [], id="B-overridden-allows-thrust"),
        # G2 (the patient's refusal) is not a clinician's to override.
        pytest.param([G2_B], {"G2": "override"}, L, [NEEDS_OVERRIDE], id="G2-not-overridable"),
        # H: thrust until overridden; low-force after review (acknowledgement); injection free.
        pytest.param([V7_H], {}, T, [THRUST_NEEDS_OVERRIDE], id="H-blocks-thrust"),
        pytest.param([V7_H], {}, L, [NEEDS_REVIEW], id="H-low-force-needs-review"),
        pytest.param([V7_H], {}, N, [], id="H-injection-allowed"),
        pytest.param([V7_H], {"V7": "acknowledge"}, L, [], id="H-reviewed-low-force"),
        pytest.param(
            [V7_H], {"V7": "acknowledge"}, T, [THRUST_NEEDS_OVERRIDE], id="H-reviewed-thrust"
        ),
        pytest.param([V7_H], {"V7": "override"}, T, [], id="H-overridden-thrust"),
        # W: every class until acknowledged.
        pytest.param([X5_W], {}, N, [NEEDS_ACKNOWLEDGEMENT], id="W-blocks-until-acked"),
        pytest.param([X5_W], {"X5": "acknowledge"}, T, [], id="W-acked-allows"),
        # Several: most severe first.
        pytest.param(
            [X5_W, V7_H, X4_B],
            {},
            T,
            [NEEDS_OVERRIDE, THRUST_NEEDS_OVERRIDE, NEEDS_ACKNOWLEDGEMENT],
            id="mixed-most-severe-first",
        ),
        # All acknowledged or overridden -> low-force allowed, thrust blocked.
        pytest.param(
            [X4_B, V7_H, X5_W],
            {"X4": "override", "V7": "acknowledge", "X5": "acknowledge"},
            L,
            [],
            id="all-reviewed-low-force-allowed",
        ),
        pytest.param(
            [X4_B, V7_H, X5_W],
            {"X4": "override", "V7": "acknowledge", "X5": "acknowledge"},
            T,
            [THRUST_NEEDS_OVERRIDE],
            id="all-reviewed-thrust-still-blocked",
        ),
    ],
)
def test_gate_table(findings, actions, technique, codes) -> None:
    decision = decide(findings, actions, technique)
    assert [r.code for r in decision.reasons] == codes
    assert decision.allowed is (codes == [])


def test_no_screen_blocks_every_class() -> None:
    for technique in TechniqueClass:
        assert [r.code for r in decide(None, {}, technique).reasons] == [NOT_SCREENED]


def test_a_screen_older_than_the_limit_blocks_and_one_at_the_limit_does_not() -> None:
    # Re-screen after a gap of more than 4 weeks: 30 days by default.
    assert decide([], {}, T, screen_age_days=30.0).allowed
    assert [r.code for r in decide([], {}, T, screen_age_days=30.01).reasons] == [SCREEN_EXPIRED]
    assert decide([], {}, T, screen_age_days=10, max_age_days=7).reasons[0].code == SCREEN_EXPIRED


def test_an_unknown_technique_class_is_refused() -> None:
    with pytest.raises(ValueError):
        decide([], {}, "thrust-ish")  # type: ignore[arg-type]


def test_each_reason_names_its_finding() -> None:
    decision = decide([V7_H], {}, T)
    assert decision.reasons[0].finding is V7_H


def test_decide_all_gives_one_decision_per_class() -> None:
    decisions = decide_all([V7_H], {"V7": "acknowledge"})
    assert {t: d.allowed for t, d in decisions.items()} == {T: False, L: True, N: True}


def test_unreviewed_lists_findings_without_any_action() -> None:
    assert unreviewed([V7_H, X5_W], {"V7": "acknowledge"}) == [X5_W]
