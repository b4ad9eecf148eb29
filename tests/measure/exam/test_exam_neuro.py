"""Neuro exam: reflex scales, Cook myelopathy cluster, UMN sign keys for the safety screen.

Sources (docs/sources.md, "Neurological examination"): Hallett 1993 (NINDS scale 0–4), the
teaching scale 0–5+ [R], StatPearls "Physiology, Deep Tendon Reflexes" (segments); Cook et al. 2010
(cluster: >=3/5 rule in LR+ 30.9, <=1/5 rule out LR- 0.18) and safety-screen rule N2.
"""

from __future__ import annotations

import pytest

from atlaschart.measure.exam import ExamValidationError, Side
from atlaschart.measure.exam.neuro import (
    Clonus,
    ClonusSite,
    CookInterpretation,
    DeepTendonReflex,
    Dermatome,
    Gait,
    GaitPattern,
    Myotome,
    NeuroExam,
    NeuroRules,
    PathologicalReflex,
    PathologicalSign,
    Reflex,
    ReflexScale,
    Sensation,
    compare_sides,
    cook_myelopathy_cluster,
    umn_safety_signs,
)

L, R = Side.LEFT, Side.RIGHT
NINDS, PLUS = ReflexScale.NINDS, ReflexScale.PLUS_0_5
H, B, INV = (
    PathologicalSign.HOFFMANN,
    PathologicalSign.BABINSKI,
    PathologicalSign.INVERTED_SUPINATOR,
)


def both(sign: PathologicalSign, left: bool, right: bool) -> list[PathologicalReflex]:
    return [PathologicalReflex(sign, L, left), PathologicalReflex(sign, R, right)]


# ------------------------------------------------------------------------------- reflex scales


@pytest.mark.parametrize(
    ("scale", "grade", "ok", "label"),
    [
        pytest.param(NINDS, 0, True, "0", id="NINDS-0-absent-Hallett1993"),
        pytest.param(NINDS, 4, True, "4", id="NINDS-4-enhanced-Hallett1993"),
        pytest.param(NINDS, 5, False, None, id="NINDS-has-no-5-Hallett1993"),
        pytest.param(PLUS, 5, True, "5+", id="plus-5+-sustained-clonus-teaching-scale"),
        pytest.param(PLUS, 3, True, "3+", id="plus-3+-brisk-teaching-scale"),
        pytest.param(PLUS, 6, False, None, id="plus-has-no-6-teaching-scale"),
        pytest.param(NINDS, -1, False, None, id="negative-grade"),
    ],
)
def test_grade_must_exist_on_its_scale(
    scale: ReflexScale, grade: int, ok: bool, label: str | None
) -> None:
    if ok:
        assert DeepTendonReflex(Reflex.BICEPS, L, scale, grade).label == label
    else:
        with pytest.raises(ExamValidationError) as err:
            DeepTendonReflex(Reflex.BICEPS, L, scale, grade)
        assert err.value.code == "grade_not_in_scale"
        assert err.value.field == "grade"
        assert err.value.params["scale"] == scale.value


def test_grade_rejects_float_and_bool() -> None:
    with pytest.raises(ExamValidationError) as err:
        DeepTendonReflex(Reflex.BICEPS, L, NINDS, 2.5)  # type: ignore[arg-type]
    assert err.value.code == "not_an_integer"
    with pytest.raises(ExamValidationError):
        DeepTendonReflex(Reflex.BICEPS, L, NINDS, True)


@pytest.mark.parametrize(
    ("reflex", "segments"),
    [
        pytest.param(Reflex.BICEPS, ("C5", "C6"), id="biceps-C5-6-StatPearls"),
        pytest.param(Reflex.BRACHIORADIALIS, ("C5", "C6"), id="brachioradialis-C5-6-StatPearls"),
        pytest.param(Reflex.TRICEPS, ("C7", "C8"), id="triceps-C7-8-StatPearls"),
        pytest.param(Reflex.PATELLAR, ("L2", "L3", "L4"), id="patellar-L2-4-StatPearls"),
        pytest.param(Reflex.ACHILLES, ("S1", "S2"), id="achilles-S1-2-StatPearls"),
    ],
)
def test_reflex_segments(reflex: Reflex, segments: tuple[str, ...]) -> None:
    assert DeepTendonReflex(reflex, R, NINDS, 2).segments == segments


def test_compare_sides_pairs_same_scale_only() -> None:
    reflexes = [
        DeepTendonReflex(Reflex.BICEPS, L, NINDS, 3),
        DeepTendonReflex(Reflex.BICEPS, R, NINDS, 1),
        DeepTendonReflex(Reflex.PATELLAR, L, NINDS, 2),
        DeepTendonReflex(Reflex.PATELLAR, R, PLUS, 2),  # different scale: not comparable
        DeepTendonReflex(Reflex.ACHILLES, L, NINDS, 2),  # right side missing
    ]
    (biceps,) = compare_sides(reflexes)
    assert biceps.reflex is Reflex.BICEPS
    assert biceps.difference == 2  # 3 - 1
    assert biceps.asymmetric


def test_duplicate_side_rejected() -> None:
    with pytest.raises(ExamValidationError) as err:
        NeuroExam(
            reflexes=(
                DeepTendonReflex(Reflex.BICEPS, L, NINDS, 2),
                DeepTendonReflex(Reflex.BICEPS, L, NINDS, 3),
            )
        )
    assert (err.value.code, err.value.field) == ("duplicate", "reflexes")


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        pytest.param(
            dict(site=ClonusSite.ANKLE, side=L), "beats_or_sustained", "beats", id="no-beats"
        ),
        pytest.param(
            dict(site=ClonusSite.ANKLE, side=L, beats=-1), "out_of_range", "beats", id="neg"
        ),
        pytest.param(dict(site="ankle", side=L, beats=2), "invalid_choice", "site", id="raw-str"),
    ],
)
def test_clonus_validation(kwargs: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(ExamValidationError) as err:
        Clonus(**kwargs)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == (code, field)


def test_myotome_dermatome_gait_validation() -> None:
    assert Myotome("C5", L, 5).mrc_grade == 5
    with pytest.raises(ExamValidationError) as err:
        Myotome("C5", L, 6)  # MRC scale is 0–5
    assert err.value.params == {"field": "mrc_grade", "min": 0, "max": 5, "value": 6}
    with pytest.raises(ExamValidationError):
        Myotome("C4", L, 4)  # not a key-muscle myotome in our table
    with pytest.raises(ExamValidationError):
        Dermatome("T13", R, Sensation.REDUCED)
    assert Dermatome("S5", R, Sensation.ABSENT).level == "S5"
    with pytest.raises(ExamValidationError) as err:
        Gait(abnormal=False, pattern=GaitPattern.SPASTIC)
    assert err.value.code == "pattern_only_when_abnormal"


# ------------------------------------------------------------------------------- Cook cluster


def exam(
    gait: bool | None = None,
    hoffmann: bool | None = None,
    supinator: bool | None = None,
    babinski: bool | None = None,
) -> NeuroExam:
    path: list[PathologicalReflex] = []
    for sign, value in ((H, hoffmann), (INV, supinator), (B, babinski)):
        if value is not None:
            # Positive on the right only; negative on both sides.
            path += both(sign, False, value)
    return NeuroExam(pathological=tuple(path), gait=None if gait is None else Gait(gait))


RULE_IN, RULE_OUT, INDET = (
    CookInterpretation.RULE_IN,
    CookInterpretation.RULE_OUT,
    CookInterpretation.INDETERMINATE,
)


@pytest.mark.parametrize(
    ("ex", "age", "count", "missing", "interp", "lr"),
    [
        # Cook et al. 2010: >=3 of 5 positive -> LR+ 30.9
        pytest.param(exam(True, True, False, False), 50, 3, 0, RULE_IN, 30.9, id="gait+hoff+age=3"),
        pytest.param(exam(True, True, True, True), 60, 5, 0, RULE_IN, 30.9, id="all-5"),
        # 2 of 5 -> neither rule
        pytest.param(exam(False, True, False, False), 50, 2, 0, INDET, None, id="hoff+age=2"),
        # <=1 of 5 -> LR- 0.18; age 45 is not > 45
        pytest.param(exam(False, False, False, False), 45, 0, 0, RULE_OUT, 0.18, id="none-age45"),
        pytest.param(exam(False, False, False, True), 30, 1, 0, RULE_OUT, 0.18, id="babinski-only"),
        # age 46 is > 45
        pytest.param(exam(False, False, False, False), 46, 1, 0, RULE_OUT, 0.18, id="age46-only"),
        # Fail closed with missing items: 1 positive + 1 missing could be 2 -> indeterminate
        pytest.param(exam(None, False, False, False), 50, 1, 1, INDET, None, id="gait-missing"),
        # 0 positive + 1 missing: at most 1 -> still rule out
        pytest.param(
            exam(False, False, False, False), None, 0, 1, RULE_OUT, 0.18, id="age-unknown"
        ),
        # 3 positive with 2 missing: already rule in
        pytest.param(exam(True, True, None, None), 70, 3, 2, RULE_IN, 30.9, id="3pos-2missing"),
    ],
)
def test_cook_cluster(
    ex: NeuroExam,
    age: int | None,
    count: int,
    missing: int,
    interp: CookInterpretation,
    lr: float | None,
) -> None:
    res = cook_myelopathy_cluster(ex, age)
    assert (res.positive_count, res.missing_count) == (count, missing)
    assert res.interpretation is interp
    assert res.likelihood_ratio == lr
    assert res.algorithm.label == "exam.cook_myelopathy_cluster@1"


def test_one_sided_negative_counts_as_not_examined() -> None:
    ex = NeuroExam(pathological=(PathologicalReflex(H, L, False),))
    assert cook_myelopathy_cluster(ex, 50).items["hoffmann"] is None


def test_cook_age_validated() -> None:
    with pytest.raises(ExamValidationError) as err:
        cook_myelopathy_cluster(NeuroExam(), 131)
    assert err.value.code == "out_of_range"


# ----------------------------------------------------------------------------- UMN safety keys


def test_empty_exam_gives_all_none() -> None:
    signs = umn_safety_signs(NeuroExam())
    assert set(signs) == {
        "hoffmann",
        "babinski",
        "inverted_supinator",
        "clonus",
        "hyperreflexia",
        "gait_abnormal",
        "cook_cluster_positive",
    }
    assert all(value is None for value in signs.values())


def test_normal_exam_gives_all_false() -> None:
    ex = NeuroExam(
        reflexes=(
            DeepTendonReflex(Reflex.BICEPS, L, NINDS, 3),  # NINDS 3 = upper half of normal
            DeepTendonReflex(Reflex.BICEPS, R, NINDS, 2),
        ),
        pathological=(*both(H, False, False), *both(B, False, False), *both(INV, False, False)),
        clonus=(Clonus(ClonusSite.ANKLE, L, 0), Clonus(ClonusSite.ANKLE, R, 0)),
        gait=Gait(False),
    )
    assert set(umn_safety_signs(ex, age_years=60).values()) == {False}


@pytest.mark.parametrize(
    ("reflex", "key", "expected"),
    [
        pytest.param(
            DeepTendonReflex(Reflex.PATELLAR, R, NINDS, 4),
            "hyperreflexia",
            True,
            id="NINDS-4-enhanced-Hallett1993",
        ),
        pytest.param(
            DeepTendonReflex(Reflex.PATELLAR, R, PLUS, 3),
            "hyperreflexia",
            True,
            id="plus-3+-brisk-fails-closed-teaching-scale",
        ),
        pytest.param(
            DeepTendonReflex(Reflex.PATELLAR, R, PLUS, 2),
            "hyperreflexia",
            False,
            id="plus-2+-normal",
        ),
    ],
)
def test_hyperreflexia_threshold_per_scale(
    reflex: DeepTendonReflex, key: str, expected: bool
) -> None:
    left = DeepTendonReflex(Reflex.PATELLAR, L, reflex.scale, 2)
    assert umn_safety_signs(NeuroExam(reflexes=(left, reflex)))[key] is expected


@pytest.mark.parametrize(
    ("clonus", "min_beats", "expected"),
    [
        pytest.param(Clonus(ClonusSite.ANKLE, R, 2), 1, True, id="2-beats-default-any"),
        pytest.param(Clonus(ClonusSite.ANKLE, R, 2), 3, False, id="2-beats-below-3"),
        pytest.param(Clonus(ClonusSite.ANKLE, R, None, sustained=True), 100, True, id="sustained"),
    ],
)
def test_clonus_sign(clonus: Clonus, min_beats: int, expected: bool) -> None:
    ex = NeuroExam(clonus=(Clonus(ClonusSite.ANKLE, L, 0), clonus))
    signs = umn_safety_signs(ex, rules=NeuroRules(clonus_min_beats=min_beats))
    assert signs["clonus"] is expected


def test_single_positive_sign_is_reported_and_cook_positive_needs_three() -> None:
    ex = NeuroExam(pathological=tuple(both(H, False, True)), gait=Gait(True, GaitPattern.SPASTIC))
    signs = umn_safety_signs(ex, age_years=50)
    assert signs["hoffmann"] is True
    assert signs["gait_abnormal"] is True
    # gait + Hoffmann + age > 45 = 3 of 5 (Cook 2010)
    assert signs["cook_cluster_positive"] is True
    # Young patient, babinski and supinator not examined: 2 positive + 2 missing -> unknown
    assert umn_safety_signs(ex, age_years=30)["cook_cluster_positive"] is None
