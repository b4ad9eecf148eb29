"""Instruments whose full wording ships with AtlasChart, in English and Korean.

* NPRS and the global rating of change (GROC) are generic scales; the wording is ours.
* PSFS (Stratford 1995) is free to use; the wording is ours.
* Keele STarT Back (9 items) is free for non-commercial use with Keele's copyright and funding
  statement kept on the form; the English items are Keele's, the Korean is AtlasChart's own
  translation, which has not been validated (no validated Korean SBST was found).

Sources: docs/sources.md (Questionnaires); licences: docs/instruments.md (free to embed).
"""

from __future__ import annotations

from atlaschart.measure.instruments.model import (
    ChangeRule,
    Instrument,
    Item,
    Licence,
    Option,
    Threshold,
)

_GENERIC = Licence(
    status="free",
    holder="none (generic scale)",
    notice="",
    terms="Generic scale with no rights holder; the wording is AtlasChart's own.",
)

# --- NPRS -----------------------------------------------------------------------------------

NPRS = Instrument(
    id="nprs",
    name="Numeric Pain Rating Scale",
    version="atlaschart-1",
    languages=("en", "ko"),
    # Fixed for every visit so that scores compare (a fixed recall period keeps scores comparable).
    recall_period={"en": "average over the past 24 hours", "ko": "지난 24시간 동안의 평균"},
    title={"en": "Pain rating (0-10)", "ko": "통증 점수 (0-10)"},
    items=(
        Item(
            id="q1",
            text={
                "en": "Over the past 24 hours, how bad has the pain from the problem you came to "
                "us for been on average? Choose a number from 0 (no pain) to 10 (the worst pain "
                "you can imagine).",
                "ko": "지난 24시간 동안 이번에 치료받으러 오신 문제로 인한 통증은 평균적으로 "
                "어느 정도였습니까? 0(통증 없음)부터 10(상상할 수 있는 가장 심한 통증) "
                "사이의 숫자 하나를 골라 주세요.",
            },
            options=tuple(
                Option(
                    score=n,
                    text={
                        0: {"en": "0 - no pain", "ko": "0 - 통증 없음"},
                        10: {
                            "en": "10 - worst pain imaginable",
                            "ko": "10 - 상상할 수 있는 가장 심한 통증",
                        },
                    }.get(n, {"en": str(n), "ko": str(n)}),
                )
                for n in range(11)
            ),
        ),
    ),
    scoring_rule="single-item",
    missing_rule="all-required",
    direction="higher-is-worse",
    score_range=(0, 10),
    licence=_GENERIC,
    scoring_source="Single 0-10 item; unanswered = no score (Farrar et al. 2001, Pain).",
    mcid=(
        Threshold(2, "Farrar 2001; Ostelo 2008 (2 points or 30%)"),
        Threshold(1.5, "Kovacs 2008, neck pain (MCIC by ROC)"),
        Threshold(30, "Farrar 2001; Ostelo 2008", unit="percent"),
    ),
    mdc=(
        Threshold(2, "about 2 points in low back pain [R] (Ostelo et al. 2008, Spine)"),
        Threshold(4.0, "Kovacs 2008, subacute/chronic neck pain"),
    ),
    change_rule=ChangeRule(
        mcid_points=2,
        mdc_points=2,
        improved_percent=30,
        substantial_percent=50,
        source="Ostelo 2008 (2 points and 30%); IMMPACT/Dworkin 2008 (50% substantial)",
    ),
)

# --- GROC -----------------------------------------------------------------------------------

_GROC_STEPS: dict[int, tuple[str, str]] = {
    1: ("Very slightly", "아주 조금"),
    2: ("A little", "조금"),
    3: ("Somewhat", "어느 정도"),
    4: ("Moderately", "꽤"),
    5: ("Quite a bit", "상당히"),
    6: ("Much", "많이"),
    7: ("Very much", "매우 많이"),
}


def _groc_option(value: int) -> Option:
    if value == 0:
        return Option(score=0, text={"en": "0: About the same", "ko": "0: 거의 그대로다"})
    en_word, ko_word = _GROC_STEPS[abs(value)]
    if value > 0:
        return Option(
            score=value,
            text={"en": f"+{value}: {en_word} better", "ko": f"+{value}: {ko_word} 좋아졌다"},
        )
    return Option(
        score=value,
        text={"en": f"{value}: {en_word} worse", "ko": f"{value}: {ko_word} 나빠졌다"},
    )


GROC = Instrument(
    id="groc",
    name="Global Rating of Change",
    version="atlaschart-1",
    languages=("en", "ko"),
    recall_period={
        "en": "since your first visit for this problem",
        "ko": "이 문제로 처음 방문하신 이후",
    },
    title={"en": "Overall change", "ko": "전반적인 변화"},
    items=(
        Item(
            id="q1",
            text={
                "en": "Since your first visit to us for this problem, how has it changed "
                "overall? Choose the one answer that fits best.",
                "ko": "이 문제로 저희 클리닉에 처음 오신 이후, 전반적으로 어떻게 "
                "달라졌습니까? 가장 잘 맞는 답을 하나만 골라 주세요.",
            },
            # Best first, as patients read a change scale from the top (15 points, Jaeschke 1989).
            options=tuple(_groc_option(v) for v in range(7, -8, -1)),
        ),
    ),
    scoring_rule="single-item",
    missing_rule="all-required",
    direction="higher-is-better",
    score_range=(-7, 7),
    licence=_GENERIC,
    scoring_source="15-point scale -7..+7 (Jaeschke 1989 layout; Kamper 2009 review); the "
    "answer is the rating itself. It is a patient anchor for change, not an outcome to re-score.",
)

# --- PSFS -----------------------------------------------------------------------------------

PSFS_MAX_ACTIVITIES = 5
PSFS_RATING_ANCHORS: dict[str, tuple[str, str]] = {
    "en": ("0 - unable to do the activity", "10 - able to do it as well as before the problem"),
    "ko": ("0 - 전혀 할 수 없음", "10 - 문제가 생기기 전처럼 잘할 수 있음"),
}
PSFS_FOLLOWUP_INSTRUCTIONS: dict[str, str] = {
    "en": "At your first visit you told us about the activities below. Today, how well can you "
    "do each one? Rate each from 0 to 10 as before.",
    "ko": "첫 방문 때 아래 활동들을 알려 주셨습니다. 오늘은 각각을 얼마나 잘할 수 "
    "있습니까? 지난번처럼 0부터 10까지로 평가해 주세요.",
}

_PSFS_SINGLE_ACTIVITY_SOURCE = "MDC90 for a single activity"

PSFS = Instrument(
    id="psfs",
    name="Patient-Specific Functional Scale",
    version="1995",
    languages=("en", "ko"),
    recall_period={"en": "today", "ko": "오늘"},
    title={"en": "Activities you find hard", "ko": "하기 어려운 활동"},
    instructions={
        "en": "Name three to five important activities that you cannot do, or find hard to do, "
        "because of your problem. For each one, rate how well you can do it today: 0 means you "
        "cannot do it at all, 10 means you can do it as well as before the problem began.",
        "ko": "지금의 문제 때문에 할 수 없거나 하기 어려운 중요한 활동을 3~5개 적어 주세요. "
        "그리고 각 활동을 오늘 얼마나 잘할 수 있는지 평가해 주세요. 0은 전혀 할 수 없음, "
        "10은 문제가 생기기 전처럼 잘할 수 있음을 뜻합니다.",
    },
    items=(),
    scoring_rule="activity-mean",
    missing_rule="rated-activities",
    direction="higher-is-better",
    score_range=(0, 10),
    licence=Licence(
        status="free",
        holder="Stratford et al. 1995",
        notice="Patient-Specific Functional Scale (Stratford et al., Physiotherapy Canada 1995).",
        terms="Free to use (RehabMeasures); the wording here is AtlasChart's own.",
    ),
    scoring_source="Sum of activity ratings / number of activities (Stratford 1995; "
    "Physiotherapy Canada).",
    mcid=(Threshold(2, "about 2 points [R]; Abbott & Schmitt 2014: 1.3-2.7 [R]"),),
    mdc=(
        Threshold(2, "MDC90 for the average score (precisionphysio summary of Stratford)"),
        Threshold(3, _PSFS_SINGLE_ACTIVITY_SOURCE),
    ),
    change_rule=ChangeRule(
        mcid_points=2,
        mdc_points=2,
        improved_percent=None,
        substantial_percent=50,
        source="PSFS MCID about 2 [R], MDC90 2 for the mean (Stratford 1995; Abbott 2014)",
    ),
)

#: Change in one PSFS activity's 0-10 rating, judged on its own: only an MDC90 of 3 points is
#: published for it (Stratford et al. 1995, as summarised by secondary sources [R]); no MCID.
PSFS_SINGLE_ACTIVITY_RULE = ChangeRule(
    mcid_points=None,
    mdc_points=3,
    improved_percent=None,
    substantial_percent=None,
    source=_PSFS_SINGLE_ACTIVITY_SOURCE,
)

# --- Keele STarT Back -------------------------------------------------------------------------

_AGREE = (
    Option(score=0, text={"en": "Disagree", "ko": "동의하지 않음"}),
    Option(score=1, text={"en": "Agree", "ko": "동의함"}),
)
_STARTBACK_STATEMENTS: tuple[tuple[str, str], ...] = (
    (
        "My back pain has spread down my leg(s) at some time in the last 2 weeks",
        "지난 2주 사이에 허리 통증이 한쪽 또는 양쪽 다리로 뻗어 내려간 적이 있다",
    ),
    (
        "I have had pain in the shoulder or neck at some time in the last 2 weeks",
        "지난 2주 사이에 어깨나 목에 통증이 있었던 적이 있다",
    ),
    (
        "I have only walked short distances because of my back pain",
        "허리 통증 때문에 짧은 거리만 걸었다",
    ),
    (
        "In the last 2 weeks, I have dressed more slowly than usual because of back pain",
        "지난 2주 동안 허리 통증 때문에 평소보다 옷을 천천히 입었다",
    ),
    (
        "It's not really safe for a person with a condition like mine to be physically active",
        "나와 같은 상태의 사람이 몸을 움직여 활동하는 것은 그다지 안전하지 않다",
    ),
    (
        "Worrying thoughts have been going through my mind a lot of the time",
        "걱정스러운 생각이 자주 머릿속을 맴돌았다",
    ),
    (
        "I feel that my back pain is terrible and it's never going to get any better",
        "내 허리 통증은 끔찍하고, 앞으로도 절대 나아지지 않을 것 같다",
    ),
    (
        "In general I have not enjoyed all the things I used to enjoy",
        "전반적으로, 예전에 즐기던 일들을 예전만큼 즐기지 못했다",
    ),
)
_BOTHERSOME = (
    # Only "Very much" and "Extremely" count 1 (Keele scoring guide; Hill et al. 2008).
    Option(score=0, text={"en": "Not at all", "ko": "전혀 괴롭지 않았다"}),
    Option(score=0, text={"en": "Slightly", "ko": "약간 괴로웠다"}),
    Option(score=0, text={"en": "Moderately", "ko": "보통 정도로 괴로웠다"}),
    Option(score=1, text={"en": "Very much", "ko": "매우 괴로웠다"}),
    Option(score=1, text={"en": "Extremely", "ko": "극도로 괴로웠다"}),
)

STARTBACK_COPYRIGHT = (
    "© Keele University 01/08/07. The STarT Back tool was part-funded by Arthritis Research UK "
    "(now Versus Arthritis)."
)

START_BACK = Instrument(
    id="start-back",
    name="Keele STarT Back Screening Tool",
    version="sbst-9",
    languages=("en", "ko"),
    recall_period={"en": "the last 2 weeks", "ko": "지난 2주"},
    title={"en": "Keele STarT Back Screening Tool", "ko": "Keele STarT Back 선별 도구"},
    instructions={
        "en": "Thinking about the last 2 weeks, choose your response to each of the following.",
        "ko": "지난 2주를 떠올리며 다음 각 문항에 답해 주세요.",
    },
    translation_note={
        "ko": "AtlasChart's own Korean translation; not a validated Korean version of the SBST.",
    },
    items=(
        *(
            Item(id=f"q{n}", text={"en": en, "ko": ko}, options=_AGREE)
            for n, (en, ko) in enumerate(_STARTBACK_STATEMENTS, start=1)
        ),
        Item(
            id="q9",
            text={
                "en": "Overall, how bothersome has your back pain been in the last 2 weeks?",
                "ko": "전반적으로, 지난 2주 동안 허리 통증이 얼마나 괴로웠습니까?",
            },
            options=_BOTHERSOME,
            answer_kind="index",
        ),
    ),
    scoring_rule="start-back",
    missing_rule="all-required",
    direction="higher-is-worse",
    score_range=(0, 9),
    licence=Licence(
        status="free",
        holder="Keele University",
        notice=STARTBACK_COPYRIGHT,
        terms="No licence is required for non-commercial use; keep the copyright and funding "
        "statement on the form. Contact Keele University before any commercial use (hosted or "
        "sold service).",
    ),
    scoring_source="Total = items 1-9, psychosocial subscale = items 5-9; total <= 3 low, "
    "subscale >= 4 high, else medium (Keele scoring guide, Hill et al. 2008).",
    # A prognostic screening tool, not an outcome measure: no change rule.
)
