"""Licensed instrument packs: item ids, option scores and scoring only, no wording.

The clinic loads the wording it is entitled to use from a file (see ``wording.py``); until it has,
the form must not be shown. Item order is the published order, so ``q1`` is the first printed item.

Sources: docs/sources.md (Questionnaires: structure, scoring, bands, change thresholds),
docs/instruments.md (licence notes); the scoring contract in docs/cli.md.
"""

from __future__ import annotations

from atlaschart.measure.instruments.model import (
    Band,
    ChangeRule,
    Instrument,
    Item,
    Licence,
    Option,
    Threshold,
)


def _items(
    count: int, scores: tuple[int, ...], wording_options: int, *, index: bool = False
) -> tuple[Item, ...]:
    options = tuple(Option(score=s) for s in scores)
    return tuple(
        Item(
            id=f"q{n}",
            options=options,
            answer_kind="index" if index else "score",
            wording_options=wording_options,
        )
        for n in range(1, count + 1)
    )


_ZERO_TO_FIVE = (0, 1, 2, 3, 4, 5)
_ZERO_TO_TEN = tuple(range(11))

NDI = Instrument(
    id="ndi",
    name="Neck Disability Index",
    version="vernon-1991",
    languages=("en", "ko"),
    recall_period={"en": "today", "ko": "오늘"},
    # pain intensity, personal care, lifting, reading, headaches, concentration, work, driving,
    # sleeping, recreation; 6 statements each, scored 0-5 in printed order.
    items=_items(10, _ZERO_TO_FIVE, 6),
    scoring_rule="prorated-percent",
    missing_rule="prorate",
    min_answered=8,
    has_percent=True,
    direction="higher-is-worse",
    score_range=(0, 50),
    bands=(
        Band("none", 4),
        Band("mild", 14),
        Band("moderate", 24),
        Band("severe", 34),
        Band("complete", 50),
    ),
    licence=Licence(
        status="licensed",
        holder="Howard Vernon (distribution: Mapi Research Trust / ePROVIDE)",
        notice="Neck Disability Index © Howard Vernon.",
        terms="Current distribution terms not confirmed; treat as permission needed before the "
        "item text is shipped (docs/instruments.md, licences).",
    ),
    scoring_source="percent = sum / (5 x answered) x 100, score = percent / 2 (0-50): Vernon's "
    "note that the mean of the answered items stands in for a missing one (chiro.org); not "
    "scorable with fewer than 8 of 10 answered (AtlasChart's floor, docs/instruments.md). Bands "
    "on the /50 score (chiro.org).",
    mcid=(
        Threshold(5, "Vernon: 5 raw points (/50)"),
        Threshold(7.5, "Young et al. 2009, mechanical neck pain (/50)"),
    ),
    mdc=(
        Threshold(4.7, "Stratford 1999, MDC90 (/50)"),
        Threshold(10.2, "Young et al. 2009 (/50); authors advise 10 points"),
    ),
    change_rule=ChangeRule(
        mcid_points=5,
        mdc_points=4.7,
        improved_percent=None,
        substantial_percent=50,
        # In the `change` JSON (docs/cli.md notes the change of its wording); pages cite the
        # publications in full instead (names.CHANGE_CITATIONS).
        source="Vernon MCID 5 (/50); Stratford 1999 MDC90 4.7; no percentage criterion published",
    ),
)

ODI = Instrument(
    id="odi",
    name="Oswestry Disability Index",
    version="2.1a",
    languages=("en", "ko"),
    recall_period={"en": "today", "ko": "오늘"},
    # pain intensity, personal care, lifting, walking, sitting, standing, sleeping, sex life (if
    # applicable), social life, travelling; 6 statements each, scored 0-5.
    items=_items(10, _ZERO_TO_FIVE, 6),
    scoring_rule="prorated-percent",
    missing_rule="prorate",
    # No published cap: we use the same 8-of-10 floor as NDI (our choice; an open question [U]).
    min_answered=8,
    has_percent=True,
    direction="higher-is-worse",
    score_range=(0, 100),
    bands=(
        Band("minimal", 20),
        Band("moderate", 40),
        Band("severe", 60),
        Band("crippled", 80),
        Band("bed-bound", 100),
    ),
    licence=Licence(
        status="licensed",
        holder="Mapi Research Trust (ePROVIDE) for Fairbank & Pynsent",
        notice="Oswestry Disability Index v2.1a © Jeremy Fairbank.",
        terms="Free for clinical practice; fees may apply for healthcare organisations and IT "
        "companies (Mapi terms quoted by SRALab). The clinic supplies the licensed form.",
    ),
    scoring_source="percent = sum / (5 x answered) x 100; each unanswered item drops 5 from the "
    "denominator (Fairbank & Pynsent 2000; SRALab). Score = percent. Bands 0-20 .. 81-100.",
    mcid=(
        Threshold(10, "Ostelo 2008"),
        Threshold(30, "Ostelo 2008", unit="percent"),
    ),
    mdc=(Threshold(10, "about 10 (MDC90, secondary source)"),),
    change_rule=ChangeRule(
        mcid_points=10,
        mdc_points=10,
        improved_percent=30,
        source="Ostelo 2008 (10 points and 30%); MDC90 about 10",
    ),
)

RMDQ = Instrument(
    id="rmdq",
    name="Roland-Morris Disability Questionnaire",
    version="rmdq-24",
    languages=("en", "ko"),
    recall_period={"en": "today", "ko": "오늘"},
    # 24 statements, ticked if they apply today; a statement has no option texts of its own.
    items=_items(24, (0, 1), 0),
    scoring_rule="count",
    missing_rule="unanswered-is-zero",
    direction="higher-is-worse",
    score_range=(0, 24),
    licence=Licence(
        status="licensed",
        holder="Martin Roland and Richard Morris",
        notice="Roland-Morris Disability Questionnaire © Roland & Morris.",
        terms="Free for clinicians via the RMDQ website (Physio-pedia); terms for software use "
        "not confirmed, so the wording is loaded by the clinic.",
    ),
    scoring_source="Count of ticked statements 0-24; an unticked or not-applicable statement "
    "scores 'no' (0) (scientificspine.com summary of Roland & Morris).",
    mcid=(
        Threshold(5, "Ostelo 2008"),
        Threshold(30, "Ostelo 2008", unit="percent"),
    ),
    change_rule=ChangeRule(
        mcid_points=5,
        mdc_points=None,
        improved_percent=30,
        source="Ostelo 2008 (5 points and 30%); no MDC found",
    ),
)

_BOURNEMOUTH_LICENCE = Licence(
    status="licensed",
    holder="Jennifer Bolton and colleagues, AECC University College",
    notice="The Bournemouth Questionnaire © Bolton et al.",
    terms="No public licence statement found; ask the AECC. The clinic supplies the wording.",
)
_BOURNEMOUTH_SCORING = (
    "Seven 0-10 items (pain, ADL, social activity, anxiety, depression, work fear-avoidance, "
    "locus of control) summed to 0-70, higher = worse; no published missing-item rule, so any "
    "unanswered item = not scorable (Bolton & Breen 1999)."
)

BOURNEMOUTH_NECK = Instrument(
    id="bournemouth-neck",
    name="Bournemouth Questionnaire (neck)",
    version="bolton-humphreys-2002",
    languages=("en", "ko"),
    recall_period={"en": "the past week", "ko": "지난 한 주"},
    items=_items(7, _ZERO_TO_TEN, 2),
    scoring_rule="sum",
    missing_rule="all-required",
    direction="higher-is-worse",
    score_range=(0, 70),
    licence=_BOURNEMOUTH_LICENCE,
    scoring_source=_BOURNEMOUTH_SCORING,
    mcid=(
        Threshold(34, "Hurst & Bolton 2004, neck", unit="percent"),
        Threshold(3, "Bolton 2004, neck: 3 points on each 0-10 subscale"),
    ),
    change_rule=ChangeRule(
        mcid_points=None,
        mdc_points=None,
        improved_percent=34,
        source="Hurst & Bolton 2004: 34% improvement for neck patients",
    ),
)

BOURNEMOUTH_BACK = Instrument(
    id="bournemouth-back",
    name="Bournemouth Questionnaire (back)",
    version="bolton-breen-1999",
    languages=("en", "ko"),
    recall_period={"en": "the past week", "ko": "지난 한 주"},
    items=_items(7, _ZERO_TO_TEN, 2),
    scoring_rule="sum",
    missing_rule="all-required",
    direction="higher-is-worse",
    score_range=(0, 70),
    licence=_BOURNEMOUTH_LICENCE,
    scoring_source=_BOURNEMOUTH_SCORING,
    mcid=(
        Threshold(47, "Hurst & Bolton 2004, back", unit="percent"),
        Threshold(18, "Newell & Bolton 2010, subacute/chronic back"),
        Threshold(26, "Newell & Bolton 2010, acute back"),
    ),
    change_rule=ChangeRule(
        mcid_points=18,
        mdc_points=None,
        improved_percent=47,
        source="Newell & Bolton 2010 (18 points, subacute/chronic); Hurst & Bolton 2004 (47%)",
    ),
)

HIT_6 = Instrument(
    id="hit-6",
    name="Headache Impact Test",
    version="hit-6",
    languages=("en", "ko"),
    recall_period={"en": "the past 4 weeks", "ko": "지난 4주"},
    # Answered by response index: Never, Rarely, Sometimes, Very often, Always -> 6/8/10/11/13.
    items=_items(6, (6, 8, 10, 11, 13), 5, index=True),
    scoring_rule="sum",
    missing_rule="all-required",
    direction="higher-is-worse",
    score_range=(36, 78),
    bands=(
        Band("little-or-none", 49),
        Band("some", 55),
        Band("substantial", 59),
        Band("severe", 78),
    ),
    licence=Licence(
        status="licensed",
        holder="QualityMetric Incorporated",
        notice="HIT-6 © QualityMetric Incorporated.",
        terms="Proprietary; a licence is assumed for use inside software (terms not seen).",
    ),
    scoring_source="Sum of item points 6/8/10/11/13, total 36-78; no proration, any missing item "
    "= not scorable; bands <=49, 50-55, 56-59, >=60 (NINDS CDE; physiotutors).",
    mcid=(
        Threshold(6, "primary-care migraine, ROC method (individual, conservative)"),
        Threshold(8, "chronic tension-type headache, manual therapy cohort"),
    ),
    change_rule=ChangeRule(
        mcid_points=6,
        mdc_points=None,
        improved_percent=None,
        source="individual MIC 6 points (Smelt et al. 2014, Cephalalgia)",
    ),
)

DHI = Instrument(
    id="dhi",
    name="Dizziness Handicap Inventory",
    version="jacobson-newman-1990",
    languages=("en", "ko"),
    recall_period={"en": "currently", "ko": "현재"},
    # Printed options Yes / Sometimes / No score 4 / 2 / 0; the answer is the score.
    items=_items(25, (4, 2, 0), 3),
    scoring_rule="sum",
    missing_rule="all-required",
    direction="higher-is-worse",
    score_range=(0, 100),
    licence=Licence(
        status="licensed",
        holder="Gary P. Jacobson and Craig W. Newman (owner not confirmed)",
        notice="Dizziness Handicap Inventory © Jacobson & Newman 1990.",
        terms="Listed as free by RehabMeasures; formal owner not confirmed, so the clinic loads "
        "the wording.",
    ),
    scoring_source="Yes = 4, Sometimes = 2, No = 0, total 0-100; no published missing-item "
    "rule, so all 25 items are required (Jacobson & Newman 1990).",
    mcid=(Threshold(18, "true change 18 points (Interacoustics summary)"),),
    mdc=(Threshold(18, "true change 18 points"),),
    change_rule=ChangeRule(
        mcid_points=18,
        mdc_points=18,
        improved_percent=None,
        source="18 points (Jacobson & Newman 1990, Arch Otolaryngol Head Neck Surg)",
    ),
)
