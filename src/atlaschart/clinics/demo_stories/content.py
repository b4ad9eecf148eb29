"""What the demo's patients and staff write and answer: pain by region, complaints, goals,
the safety items, notes, landmarks. Korean and English where a person reads it."""

from __future__ import annotations

from typing import Any

#: The demo's stories, in the order of the clinic's patient list.
STORIES = ("complete", "red_flag", "new", "injection", "followups", "manual")

# Where each story's pain is at intake (0-10, by body-map region) and at each follow-up. The
# follow-ups change some regions and leave others as they were, so the per-region change has
# something to show: "neck better, between the shoulder blades unchanged, low back worse".
PAIN_AT_INTAKE: dict[str, dict[str, int]] = {
    "complete": {"neck": 7, "head_face": 5, "between_shoulder_blades_right": 5, "low_back_left": 3},
    "red_flag": {"low_back_right": 8, "low_back_left": 6, "leg_right": 5},
    "injection": {"neck": 6, "shoulder_right": 7, "arm_right": 4},
    "followups": {
        "neck": 8,
        "upper_back_left": 6,
        "between_shoulder_blades_left": 5,
        "low_back_right": 4,
        "head_face": 6,
    },
    "manual": {"low_back_left": 6, "buttock_pelvis_left": 5},
}
PAIN_AT_FOLLOWUPS: dict[str, list[dict[str, int]]] = {
    "complete": [
        {"neck": 4, "head_face": 2, "between_shoulder_blades_right": 5, "low_back_left": 3}
    ],
    "followups": [
        {
            "neck": 6,
            "upper_back_left": 6,
            "between_shoulder_blades_left": 5,
            "low_back_right": 4,
            "head_face": 4,
        },
        {
            "neck": 3,
            "upper_back_left": 5,
            "between_shoulder_blades_left": 2,
            "low_back_right": 6,
            "head_face": 2,
        },
    ],
}
# How bad the questionnaire answers are, 0 (none) to 1 (worst), at intake and each follow-up.
SEVERITY: dict[str, list[float]] = {
    "complete": [0.6, 0.3],
    "red_flag": [0.7],
    "injection": [0.55],
    "followups": [0.7, 0.5, 0.3],
    "manual": [0.45],
}
COMPLAINTS = {
    "ko": {
        "complete": "목이 뻣뻣하고 오후가 되면 뒷머리가 아픕니다.",
        "red_flag": "허리가 아프고 오른쪽 다리가 저립니다. 최근 체중이 많이 줄었습니다.",
        "injection": "오른쪽 어깨와 팔이 아파서 잠을 설칩니다.",
        "followups": "목과 등이 아프고 두통이 잦습니다.",
        "manual": "왼쪽 허리와 엉덩이가 오래 앉아 있으면 아픕니다.",
    },
    "en": {
        "complete": "Stiff neck, and the back of my head aches by the afternoon.",
        "red_flag": "Low back pain with tingling down the right leg. I have lost weight lately.",
        "injection": "My right shoulder and arm hurt and keep me awake.",
        "followups": "Neck and upper back pain, and frequent headaches.",
        "manual": "Left low back and buttock hurt when I sit for long.",
    },
}
PSFS_ACTIVITIES = {
    "ko": ["컴퓨터 작업 1시간", "고개 돌려 운전하기", "아이 안아 주기"],
    "en": ["An hour at the computer", "Turning my head to drive", "Lifting my child"],
}
CONSULTATION_REQUEST = {
    "ko": {
        "name": "문지아",
        "contact": "010-4242-5757",
        "preferred_time": "평일 저녁",
        "complaint": "교통사고 후 목이 아프고 어지럽습니다.",
    },
    "en": {
        "name": "Sarah Moon",
        "contact": "010-4242-5757",
        "preferred_time": "Weekday evenings",
        "complaint": "Neck pain and dizziness since a car accident.",
    },
}
# Goals of the care plan: the first on the NPRS (a free instrument the demo's intake asks; the
# licensed NDI needs the clinic's own wording file, which a demo cannot ship), the second in words.
GOALS = {
    "ko": ["목 통증이 일상에 지장 없는 정도(NPRS 2 이하)", "고개를 돌려 운전할 수 있다"],
    "en": [
        "Neck pain no longer in the way (NPRS 2 or less)",
        "Turns the head to drive without pain",
    ],
}
# Safety items only the clinician asks (the patient's form leaves them out): all answered "no"
# after the interview, so a screen from patient answers alone ends clear.
CLINICIAN_ITEMS_CLEAR: dict[str, Any] = {
    "V4": False,
    "V7": False,
    "U3": False,
    "N2": False,
    "N3": False,
    "T1": False,
    "T2": False,
}
# The red flag of the ``red_flag`` story: unexplained weight loss (S2), which the screen names.
RED_FLAG_ANSWERS = {"rf_S2": "yes"}


NEURO_NORMAL: dict[str, Any] = {
    "scale": "ninds_0_4",
    "gait": "normal",
    **{
        f"reflex_{reflex}_{side}": "2"
        for reflex in ("biceps", "brachioradialis", "triceps", "patellar", "achilles")
        for side in ("left", "right")
    },
}


# Frontal landmarks of the demo photo (bus_coat padded to 800 x 1200 px), in pixels from the
# top left. Taken once from the pose model's run on this very photo and rounded, for machines
# without the model; stored as clinician-placed points (save_landmarks marks them so).
HAND_PLACED_ANTERIOR: dict[str, tuple[int, int]] = {
    "nose": (397, 166),
    "left_ear": (410, 153),
    "right_ear": (342, 154),
    "left_shoulder": (438, 273),
    "right_shoulder": (278, 274),
    "left_hip": (414, 607),
    "right_hip": (310, 614),
    "left_knee": (462, 836),
    "right_knee": (290, 863),
    "left_ankle": (504, 1057),
    "right_ankle": (237, 1076),
}


SOAP_KO = {
    "subjective": "목의 뻣뻣함이 지난주보다 줄었다고 함. 오후 두통은 주 2회.",
    "objective": "경추 회전 좌우 차이 감소. 앙와위 다리 길이 검사 시행.",
    "assessment": "상부 경추 정렬 교정 후 반응 양호.",
    "plan": "주 1회 교정 유지, 4주 후 재평가.",
}
SOAP_EN = {
    "subjective": "Neck stiffness less than last week. Afternoon headaches twice a week.",
    "objective": "Rotation difference between sides smaller. Supine leg check done.",
    "assessment": "Responding well after the upper cervical correction.",
    "plan": "Weekly correction, re-assess in four weeks.",
}
