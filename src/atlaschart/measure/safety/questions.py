"""The screening questions, with patient-facing (or clinician-facing) wording in English and
Korean, for the intake form and the exam form to render.

Item ids and content follow the red-flag table of docs/safety.md. The wording is
AtlasChart's own plain-language phrasing; no validated Korean red-flag questionnaire exists, so a
clinician must review the Korean before clinical use.

Answer kinds and the JSON values they take (see ``rules.py``):

* ``yes-no``: ``true`` / ``false``;
* ``timing``: ``"current"`` (now or within the last 3 days), ``"recent"`` (earlier, in the past
  weeks) or ``false``; ``true`` is read as ``"current"`` (fail closed);
* ``yes-no-na``: ``true`` / ``false`` / ``"na"`` (not applicable);
* ``risk-factors``: a list of risk-factor codes (``[]`` or ``false`` = none).
* ``number``: a number (blood pressure in mmHg, age in years).

Details (ids with an underscore) are follow-up questions; ``asked_when`` says when the form must
show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

AskedOf = Literal["patient", "clinician", "patient-or-clinician"]
AnswerKind = Literal["yes-no", "timing", "yes-no-na", "risk-factors", "number"]


@dataclass(frozen=True)
class Choice:
    value: str | bool
    text: Mapping[str, str]


@dataclass(frozen=True)
class ScreeningQuestion:
    id: str
    group: str
    asked_of: AskedOf
    kind: AnswerKind
    text: Mapping[str, str]
    asked_when: str = ""
    """Empty for a main item; for a detail, when it must be asked (English, for developers)."""
    choices: tuple[Choice, ...] = field(default=())

    def __post_init__(self) -> None:
        if set(self.text) != {"en", "ko"} or not all(t.strip() for t in self.text.values()):
            raise ValueError(f"{self.id}: needs English and Korean text")


YES_NO = (
    Choice(True, {"en": "Yes", "ko": "예"}),
    Choice(False, {"en": "No", "ko": "아니요"}),
)
YES_NO_NA = (*YES_NO, Choice("na", {"en": "Not applicable", "ko": "해당 없음"}))
TIMING = (
    Choice(
        "current", {"en": "Yes, now or in the last 3 days", "ko": "예, 지금 또는 최근 3일 이내"}
    ),
    Choice(
        "recent",
        {
            "en": "Yes, in the past few weeks but not in the last 3 days",
            "ko": "예, 최근 몇 주 사이에 있었지만 최근 3일 이내는 아님",
        },
    ),
    Choice(False, {"en": "No", "ko": "아니요"}),
)

RISK_FACTORS: dict[str, dict[str, str]] = {
    "hypertension": {"en": "High blood pressure", "ko": "고혈압"},
    "high_cholesterol": {"en": "High cholesterol", "ko": "고지혈증(콜레스테롤이 높음)"},
    "diabetes": {"en": "Diabetes", "ko": "당뇨병"},
    "smoking": {"en": "Smoking", "ko": "흡연"},
    "heart_disease": {"en": "Heart disease", "ko": "심장 질환"},
    "stroke_tia": {
        "en": "A previous stroke or mini-stroke (TIA)",
        "ko": "뇌졸중 또는 일과성 허혈 발작(미니 뇌졸중)을 겪은 적이 있음",
    },
    "clotting_disorder": {"en": "A blood clotting disorder", "ko": "혈액 응고 장애"},
    "anticoagulant": {
        "en": "Taking blood thinners (anticoagulants)",
        "ko": "항응고제(피를 묽게 하는 약) 복용",
    },
    "long_term_steroids": {
        "en": "Taking steroid medicine long-term",
        "ko": "스테로이드 약을 장기간 복용",
    },
    "recent_infection": {"en": "A recent infection", "ko": "최근에 감염을 앓음"},
    "postpartum": {"en": "Gave birth in the last 3 months", "ko": "최근 3개월 이내에 출산함"},
    "connective_tissue": {
        "en": "A connective-tissue disorder (such as Ehlers-Danlos or Marfan syndrome)",
        "ko": "결합조직 질환(엘러스-단로스 증후군, 마르판 증후군 등)",
    },
    "migraine": {"en": "Migraine headaches", "ko": "편두통"},
}


def _q(
    id: str,
    group: str,
    asked_of: AskedOf,
    kind: AnswerKind,
    en: str,
    ko: str,
    asked_when: str = "",
) -> ScreeningQuestion:
    choices = {
        "yes-no": YES_NO,
        "timing": TIMING,
        "yes-no-na": YES_NO_NA,
        "risk-factors": (
            *(Choice(code, text) for code, text in RISK_FACTORS.items()),
            Choice(False, {"en": "None of these", "ko": "해당하는 것 없음"}),
        ),
        "number": (),
    }[kind]
    return ScreeningQuestion(id, group, asked_of, kind, {"en": en, "ko": ko}, asked_when, choices)


SCREENING_QUESTIONS: tuple[ScreeningQuestion, ...] = (
    # --- Vascular (cervical arterial dysfunction) ---
    _q(
        "V1",
        "vascular",
        "patient",
        "timing",
        "Do you have now, or have you recently had, any of these: dizziness, double vision, "
        "slurred speech, trouble swallowing, sudden falls, nausea or vomiting, flickering or "
        "jumping eyes, or numbness of the face, arms or legs?",
        "다음 중 지금 있거나 최근에 있었던 증상이 있습니까? 어지럼증, 사물이 둘로 보임, "
        "말이 어눌해짐, 삼키기 어려움, 갑자기 쓰러짐, 메스꺼움이나 구토, 눈이 떨리거나 "
        "흔들림, 얼굴·팔·다리가 저리거나 감각이 둔해짐",
    ),
    _q(
        "V2",
        "vascular",
        "patient",
        "yes-no",
        "Have you had a sudden, severe headache (the worst ever, or one that struck like a "
        "thunderclap), or a headache or neck pain unlike any you have had before?",
        "갑자기 매우 심한 두통(살면서 가장 심하거나 벼락 치듯 시작된 두통)이 있었거나, "
        "예전에 겪어 본 적 없는 두통이나 목 통증이 있었습니까?",
    ),
    _q(
        "V3",
        "vascular",
        "patient-or-clinician",
        "timing",
        "Have you noticed a drooping eyelid, pupils of different sizes, loss of sight in one "
        "eye, a pulsing or whooshing sound in your ear, a hoarse voice, or your tongue "
        "pointing to one side?",
        "눈꺼풀이 처지거나, 양쪽 눈동자 크기가 다르거나, 한쪽 눈이 보이지 않거나, 귀에서 "
        "맥박이 뛰는 듯한 소리가 들리거나, 목소리가 쉬거나, 혀가 한쪽으로 쏠리는 것을 "
        "느낀 적이 있습니까?",
    ),
    _q(
        "V4",
        "vascular",
        "clinician",
        "yes-no",
        "Unsteady gait or incoordination on examination (an abnormal gait sign counts too).",
        "진찰 시 보행이 불안정하거나 협응 장애가 있음 (보행 이상 징후를 입력해도 됨)",
    ),
    _q(
        "V5",
        "vascular",
        "patient",
        "yes-no",
        "In the past few weeks, did you hurt your neck (even slightly, for example in a minor "
        "car accident or fall) or have your neck manipulated somewhere else, and has new neck "
        "pain or headache started since?",
        "최근 몇 주 사이에 목을 다쳤거나(가벼운 교통사고나 넘어짐 포함) 다른 곳에서 목 "
        "교정을 받은 뒤로 새로운 목 통증이나 두통이 생겼습니까?",
    ),
    _q(
        "V6",
        "vascular",
        "patient",
        "risk-factors",
        "Do any of these apply to you? Choose all that apply, or 'None of these'.",
        "다음 중 해당하는 것이 있습니까? 해당하는 것을 모두 골라 주세요. 없으면 "
        "'해당하는 것 없음'을 고르세요.",
    ),
    _q(
        "V6_acute_onset",
        "vascular",
        "patient",
        "yes-no",
        "Did your current neck pain or headache start suddenly, or within the last few days?",
        "지금의 목 통증이나 두통이 갑자기, 또는 최근 며칠 사이에 시작되었습니까?",
        asked_when="always asked; required when V6 lists 2 or more risk factors",
    ),
    _q(
        "V7",
        "vascular",
        "clinician",
        "yes-no",
        "Blood pressure at this visit 180/110 mmHg or higher (or enter the measured systolic "
        "and diastolic pressures).",
        "이번 방문 시 혈압이 180/110 mmHg 이상 (또는 측정한 수축기·이완기 혈압 입력)",
    ),
    # --- Upper cervical instability ---
    _q(
        "U1",
        "upper-cervical",
        "patient",
        "yes-no",
        "Do you have rheumatoid arthritis, ankylosing spondylitis, Down syndrome, "
        "Ehlers-Danlos syndrome or very flexible (hypermobile) joints, or a known abnormality "
        "of the top neck bones (such as os odontoideum)? Or have you recently had head, neck "
        "or dental surgery, or (for a child) a recent throat infection?",
        "류마티스 관절염, 강직성 척추염, 다운 증후군, 엘러스-단로스 증후군 또는 관절이 "
        "지나치게 잘 늘어나는 체질, 위쪽 목뼈의 기형(치돌기 분리증 등)이 있습니까? 또는 "
        "최근에 머리·목·치과 수술을 받았거나, (어린이의 경우) 최근에 인후염을 앓았습니까?",
    ),
    _q(
        "U2",
        "upper-cervical",
        "patient",
        "yes-no",
        "Do you have numbness of the lips or tongue, a feeling that your head is heavy or "
        "needs holding up, a feeling of a lump in your throat, symptoms when you bend your "
        "head forward, or numbness in both hands or both feet?",
        "입술이나 혀가 저리거나, 머리가 무거워 손으로 받쳐야 할 것 같거나, 목에 무언가 "
        "걸린 느낌이 있거나, 고개를 앞으로 숙이면 증상이 생기거나, 양손 또는 양발이 "
        "저립니까?",
    ),
    _q(
        "U3",
        "upper-cervical",
        "clinician",
        "yes-no",
        "Positive Sharp-Purser or other upper cervical ligament stress test (a positive "
        "Sharp-Purser sign counts too).",
        "샤프-퍼서(Sharp-Purser) 검사 또는 기타 상부 경추 인대 스트레스 검사 양성 (샤프-퍼서 "
        "징후 양성을 입력해도 됨)",
    ),
    # --- Myelopathy / neurology ---
    _q(
        "N1",
        "neurology",
        "patient",
        "yes-no",
        "Have your hands become clumsy, do you drop things, has the way you walk changed, or "
        "has anything changed in how your bladder or bowels work?",
        "손이 둔해졌거나, 물건을 자주 떨어뜨리거나, 걸음걸이가 달라졌거나, 소변이나 대변을 "
        "보는 데 변화가 생겼습니까?",
    ),
    _q(
        "N2",
        "neurology",
        "clinician",
        "yes-no",
        "Cook myelopathy cluster 3 or more of 5 (gait deviation, Hoffmann, inverted "
        "supinator, Babinski, age over 45), or any new upper motor neuron sign (Hoffmann, "
        "Babinski, clonus, hyperreflexia).",
        "Cook 척수병증 군집 5개 중 3개 이상(보행 이상, 호프만 징후, 역회외근 반사, 바빈스키 "
        "징후, 45세 초과) 또는 새로 나타난 상위운동신경원 징후(호프만, 바빈스키, 간대성 "
        "경련, 반사 항진)",
    ),
    _q(
        "N3",
        "neurology",
        "clinician",
        "yes-no",
        "Progressive weakness or numbness in a limb, or nerve-root signs at several levels.",
        "팔다리의 진행성 근력 약화나 감각 저하, 또는 여러 분절에 걸친 신경근 징후",
    ),
    # --- Trauma within 7 days ---
    _q(
        "T1",
        "trauma",
        "clinician",
        "yes-no-na",
        "Trauma within 7 days: Canadian C-Spine Rule positive (any high-risk factor, no "
        "low-risk factor, or cannot actively rotate 45 degrees left and right). Not applicable "
        "when there was no trauma in the last 7 days or the rule does not apply.",
        "7일 이내 외상: 캐나다 경추 규칙 양성(고위험 요인이 하나라도 있음, 저위험 요인이 "
        "없음, 또는 좌우 45도 능동 회전 불가). 최근 7일 이내 외상이 없거나 규칙을 적용할 "
        "수 없으면 '해당 없음'.",
    ),
    _q(
        "T2",
        "trauma",
        "clinician",
        "yes-no-na",
        "Trauma within 7 days where the Canadian rule does not apply: NEXUS low-risk criteria "
        "not all met (posterior midline tenderness, focal neurological deficit, reduced "
        "alertness, intoxication, or a painful distracting injury).",
        "캐나다 규칙을 적용할 수 없는 7일 이내 외상: NEXUS 저위험 기준 미충족(후방 정중선 "
        "압통, 국소 신경학적 결손, 의식 저하, 중독 상태, 주의를 분산시키는 통증성 손상 중 "
        "하나라도 있음).",
    ),
    # --- Serious pathology ---
    _q(
        "S1",
        "serious-pathology",
        "patient",
        "yes-no",
        "Have you had cancer and now have new back or neck pain; have you lost weight without "
        "trying; or do you have pain at night or at rest that does not ease?",
        "암을 앓은 적이 있으면서 새로 허리나 목 통증이 생겼거나, 특별한 이유 없이 체중이 "
        "줄었거나, 밤이나 쉬는 동안에도 가라앉지 않는 통증이 있습니까?",
    ),
    _q(
        "S1_active_cancer",
        "serious-pathology",
        "patient",
        "yes-no",
        "Do you have cancer now, or are you being treated for it?",
        "현재 암이 있거나 암 치료를 받고 있습니까?",
        asked_when="when S1 is yes; if left unanswered, active cancer is assumed",
    ),
    _q(
        "S2",
        "serious-pathology",
        "patient",
        "yes-no",
        "Together with your back or neck pain, have you had fever or chills, injected drugs, "
        "a weakened immune system (from illness or medicine), or a recent infection or "
        "medical procedure?",
        "허리나 목 통증과 함께 열이나 오한이 있었거나, 주사로 약물을 투약한 적이 있거나, "
        "질병이나 약 때문에 면역력이 약해져 있거나, 최근에 감염이나 의료 시술이 "
        "있었습니까?",
    ),
    _q(
        "S3",
        "serious-pathology",
        "patient",
        "yes-no",
        "Do you have osteoporosis, take steroid medicine long-term, or are you over 70; or did "
        "your pain start suddenly after a minor fall or knock?",
        "골다공증이 있거나, 스테로이드 약을 장기간 복용하거나, 70세가 넘었습니까? 또는 "
        "가볍게 넘어지거나 부딪힌 뒤 갑자기 통증이 시작되었습니까?",
    ),
    _q(
        "S3_fracture_suspected",
        "serious-pathology",
        "clinician",
        "yes-no",
        "Fracture suspected.",
        "골절 의심",
        asked_when="optional, when S3 is yes; yes escalates S3 from H to B-routine",
    ),
    _q(
        "S4",
        "serious-pathology",
        "patient",
        "yes-no",
        "Do you have numbness around your genitals or buttocks (where you would sit on a "
        "saddle), new trouble passing urine or controlling your bladder, or symptoms in both "
        "legs?",
        "생식기나 엉덩이 주변(안장에 닿는 부위)이 저리거나 감각이 둔하거나, 새로 소변을 "
        "보기 어렵거나 참기 어려워졌거나, 양쪽 다리에 증상이 있습니까?",
    ),
    _q(
        "S5",
        "serious-pathology",
        "patient-or-clinician",
        "yes-no",
        "Do you feel generally unwell (for example feverish, unusually tired, or sick)?",
        "전반적으로 몸이 좋지 않습니까? (예: 열이 나는 느낌, 평소와 다른 심한 피로, 몸살 기운)",
    ),
    # --- Thoracic / visceral ---
    _q(
        "X1",
        "thoracic",
        "patient-or-clinician",
        "yes-no",
        "Do you get chest pain or pressure when you exert yourself, with sweating, "
        "breathlessness, or pain spreading to the arm or jaw; or chest pain that does not "
        "change when you move or press on the area?",
        "힘을 쓸 때 가슴 통증이나 압박감이 생기면서 식은땀, 숨참, 팔이나 턱으로 퍼지는 "
        "통증이 함께 있거나, 몸을 움직이거나 눌러도 달라지지 않는 가슴 통증이 있습니까?",
    ),
    _q(
        "X2",
        "thoracic",
        "patient-or-clinician",
        "yes-no",
        "Have you had a tearing pain going through to your back, especially if you have high "
        "blood pressure? (Clinician: also unequal blood pressure between the arms.)",
        "특히 고혈압이 있는 경우, 등까지 찢어지는 듯한 통증이 있었습니까? (임상가: 양팔 "
        "혈압 차이도 해당)",
    ),
    _q(
        "X3",
        "thoracic",
        "patient",
        "yes-no",
        "Do you have chest pain that is worse when you breathe in, together with "
        "breathlessness or a racing heart, or have you coughed up blood?",
        "숨을 들이쉴 때 심해지는 가슴 통증이 숨참이나 빠른 심장 박동과 함께 있거나, "
        "기침할 때 피가 나온 적이 있습니까?",
    ),
    _q(
        "X4",
        "thoracic",
        "patient",
        "yes-no",
        "Is your pain linked to meals, or do you have yellowing of the skin or eyes, urinary "
        "symptoms, or pain in your side with a fever?",
        "통증이 식사와 관련이 있거나, 피부나 눈이 노랗게 변했거나, 소변 관련 증상이 "
        "있거나, 열과 함께 옆구리 통증이 있습니까?",
    ),
    _q(
        "X5",
        "thoracic",
        "patient",
        "yes-no",
        "Do you have a burning pain in a band around your chest or back, with or without a rash?",
        "가슴이나 등을 띠처럼 두르는 화끈거리는 통증이 있습니까? (발진이 있든 없든)",
    ),
    _q(
        "X6",
        "thoracic",
        "patient",
        "yes-no",
        "If you are under 45: is your back stiff for more than 30 minutes in the morning, and "
        "does it get better with exercise? (Answer No if you are 45 or older.)",
        "45세 미만인 경우: 아침에 허리가 30분 넘게 뻣뻣하고 운동을 하면 나아집니까? "
        "(45세 이상이면 '아니요'를 고르세요.)",
    ),
    # --- General precautions ---
    _q(
        "G1",
        "general",
        "patient",
        "yes-no",
        "Is this the first time you have had this problem and you are under 18 or over 55? "
        "Or are you pregnant, taking blood thinners, very flexible (hypermobile), living with "
        "an inflammatory disease, or have you had cancer in the past?",
        "18세 미만이거나 55세를 넘었는데 이 문제를 처음 겪는 것입니까? 또는 임신 "
        "중이거나, 항응고제를 복용하거나, 관절이 지나치게 잘 늘어나는 체질이거나, 염증성 "
        "질환이 있거나, 과거에 암을 앓은 적이 있습니까?",
    ),
    _q(
        "G2",
        "general",
        "patient",
        "yes-no",
        "Would you prefer NOT to have hands-on treatment (manual therapy) of your neck or "
        "back? You can change your mind at any time.",
        "목이나 허리에 손으로 하는 치료(도수치료)를 받지 않기를 원하십니까? 언제든지 "
        "마음을 바꾸셔도 됩니다.",
    ),
)

SCREENING_ITEMS: tuple[str, ...] = tuple(q.id for q in SCREENING_QUESTIONS if not q.asked_when)
"""The 28 main items of the red-flag table in table order; each must be answered or it is a
finding."""

CLINICIAN_SIGNS: dict[str, tuple[AnswerKind, str]] = {
    "sign_gait_abnormal": ("yes-no", "gait deviation / unsteady gait -> V4 and Cook cluster"),
    "sign_hoffmann": ("yes-no", "Hoffmann sign -> N2 (upper motor neuron sign, Cook cluster)"),
    "sign_babinski": ("yes-no", "Babinski sign -> N2 (upper motor neuron sign, Cook cluster)"),
    "sign_inverted_supinator": ("yes-no", "inverted supinator sign -> N2 (Cook cluster)"),
    "sign_clonus": ("yes-no", "clonus -> N2 (upper motor neuron sign)"),
    "sign_hyperreflexia": ("yes-no", "hyperreflexia -> N2 (upper motor neuron sign)"),
    "sign_sharp_purser": ("yes-no", "positive Sharp-Purser test -> U3"),
    "bp_systolic_mmhg": ("number", "systolic blood pressure at the visit, mmHg -> V7"),
    "bp_diastolic_mmhg": ("number", "diastolic blood pressure at the visit, mmHg -> V7"),
    "age_years": ("number", "age in whole years -> Cook cluster (age > 45)"),
}
"""Clinician-entered signs, by input key: they feed the same rules as the items."""


def question(question_id: str) -> ScreeningQuestion:
    for q in SCREENING_QUESTIONS:
        if q.id == question_id:
            return q
    raise KeyError(question_id)
