"""Adverse-event rule. Source: Eriksen, Rochester & Hurwitz 2011 (docs/sources.md
``[eriksen-2011-uc-cohort]``): new complaint or > 30% worsening within 24 h; intense = NRS >= 8.
Ids ending in "Eriksen2011" check that paper's numbers. Serious = clinician-ticked
seriousness criterion (module docstring)."""

from __future__ import annotations

import pytest

from atlaschart.measure.exam import ExamValidationError
from atlaschart.measure.exam.adverse_event import (
    AdverseEventClass,
    AdverseEventRules,
    PostTreatmentComplaint,
    SeriousCriterion,
    classify_complaint,
)

NONE, REACTION, INTENSE, SERIOUS = (
    AdverseEventClass.NONE,
    AdverseEventClass.SYMPTOMATIC_REACTION,
    AdverseEventClass.INTENSE,
    AdverseEventClass.SERIOUS,
)


def new(sev: int, onset_h: float, *crit: SeriousCriterion) -> PostTreatmentComplaint:
    return PostTreatmentComplaint("headache", True, sev, onset_h, serious_criteria=crit)


def worse(base: int, sev: int, onset_h: float = 6.0) -> PostTreatmentComplaint:
    return PostTreatmentComplaint("neck pain", False, sev, onset_h, baseline_severity_0_10=base)


@pytest.mark.parametrize(
    ("complaint", "rules", "is_ae", "cls", "escalate", "pct"),
    [
        pytest.param(
            new(3, 2),
            AdverseEventRules(),
            True,
            REACTION,
            False,
            None,
            id="new-complaint-2h=AE-Eriksen2011",
        ),
        pytest.param(
            new(8, 2),
            AdverseEventRules(),
            True,
            INTENSE,
            True,
            None,
            id="new-NRS8=intense-Eriksen2011-escalated",
        ),
        pytest.param(
            new(8, 2),
            AdverseEventRules(escalate_intense=False),
            True,
            INTENSE,
            False,
            None,
            id="intense-not-escalated-when-configured",
        ),
        pytest.param(
            new(7, 2),
            AdverseEventRules(),
            True,
            REACTION,
            False,
            None,
            id="NRS7-not-intense-Eriksen2011",
        ),
        # (7-5)/5 = 40% > 30%
        pytest.param(
            worse(5, 7),
            AdverseEventRules(),
            True,
            REACTION,
            False,
            40.0,
            id="5->7=40%>30%-Eriksen2011",
        ),
        # (6-5)/5 = 20%
        pytest.param(
            worse(5, 6),
            AdverseEventRules(),
            False,
            NONE,
            False,
            20.0,
            id="5->6=20%<=30%-Eriksen2011",
        ),
        # (4-3)/3 = 33.333333%
        pytest.param(
            worse(3, 4),
            AdverseEventRules(),
            True,
            REACTION,
            False,
            33.333333,
            id="3->4=33.3%>30%-Eriksen2011",
        ),
        # (6-4)/4 = 50%: not *more than* 50%
        pytest.param(
            worse(4, 6),
            AdverseEventRules(worsening_pct=50.0),
            False,
            NONE,
            False,
            50.0,
            id="4->6=50%-not>50%-configured",
        ),
        # improvement: (3-6)/6 = -50%
        pytest.param(worse(6, 3), AdverseEventRules(), False, NONE, False, -50.0, id="improved"),
        # rising from 0 counts like a new complaint
        pytest.param(
            worse(0, 2), AdverseEventRules(), True, REACTION, False, None, id="0->2-counts-as-new"
        ),
        pytest.param(
            worse(2, 9), AdverseEventRules(), True, INTENSE, True, 350.0, id="2->9=350%-intense"
        ),
        # 24 h window (inclusive at 24 h)
        pytest.param(
            new(5, 24),
            AdverseEventRules(),
            True,
            REACTION,
            False,
            None,
            id="onset-24h-within-Eriksen2011",
        ),
        pytest.param(
            new(5, 30),
            AdverseEventRules(),
            False,
            NONE,
            False,
            None,
            id="onset-30h-outside-Eriksen2011",
        ),
        pytest.param(
            new(5, 30),
            AdverseEventRules(window_h=48),
            True,
            REACTION,
            False,
            None,
            id="window-48h-configured",
        ),
        # serious overrides the window
        pytest.param(
            new(4, 72, SeriousCriterion.HOSPITALISATION),
            AdverseEventRules(),
            True,
            SERIOUS,
            True,
            None,
            id="hospitalised-at-72h=serious-escalated",
        ),
    ],
)
def test_classify(
    complaint: PostTreatmentComplaint,
    rules: AdverseEventRules,
    is_ae: bool,
    cls: AdverseEventClass,
    escalate: bool,
    pct: float | None,
) -> None:
    res = classify_complaint(complaint, rules)
    assert (res.is_adverse_event, res.classification, res.escalate_to_admin) == (
        is_ae,
        cls,
        escalate,
    )
    if pct is None:
        assert res.worsening_pct is None
    else:
        assert res.worsening_pct == pytest.approx(pct, abs=1e-6)
    assert res.algorithm.label == "exam.adverse_event@1"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        pytest.param(
            dict(is_new=True, severity_0_10=0),
            "out_of_range",
            "severity_0_10",
            id="new-needs-severity>=1",
        ),
        pytest.param(
            dict(is_new=False, severity_0_10=11, baseline_severity_0_10=2),
            "out_of_range",
            "severity_0_10",
            id="severity>10",
        ),
        pytest.param(
            dict(is_new=True, severity_0_10=4, baseline_severity_0_10=2),
            "baseline_must_be_empty",
            "baseline_severity_0_10",
            id="new-with-baseline",
        ),
        pytest.param(
            dict(is_new=False, severity_0_10=4),
            "baseline_required",
            "baseline_severity_0_10",
            id="existing-without-baseline",
        ),
        pytest.param(
            dict(is_new=True, severity_0_10=4, duration_h=-1),
            "out_of_range",
            "duration_h",
            id="negative-duration",
        ),
        pytest.param(
            dict(is_new=True, severity_0_10=4, serious_criteria=("death",)),
            "invalid_choice",
            "serious_criteria",
            id="raw-criterion",
        ),
    ],
)
def test_validation(kwargs: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(ExamValidationError) as err:
        PostTreatmentComplaint(description="dizzy", onset_h=1.0, **kwargs)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == (code, field)
