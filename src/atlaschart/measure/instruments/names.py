"""How each instrument is named to a clinician, and the publications its change thresholds rest on.

Names follow clinic usage: the name in the reader's language with the abbreviation in brackets
("목 장애 지수(NDI)", "Neck Disability Index (NDI)"). The abbreviation stays Latin in Korean, as in
Korean charts and the Korean validation papers.

Citations are the primary publications (author, year, journal) behind each instrument's default
change rule (:attr:`Instrument.change_rule`), so that a page can say where a threshold comes from.
The rule's own ``source`` text is left as it is: it is part of the ``change`` CLI output.
docs/sources.md lists the same publications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """One publication: first author(s), year, title and journal with volume and pages."""

    authors: str
    year: int
    title: str
    journal: str


DISPLAY_NAMES: Mapping[str, Mapping[str, str]] = {
    "nprs": {"ko": "숫자 통증 척도(NPRS)", "en": "Numeric Pain Rating Scale (NPRS)"},
    "psfs": {"ko": "환자 특이 기능 척도(PSFS)", "en": "Patient-Specific Functional Scale (PSFS)"},
    "groc": {"ko": "전반적 변화 평가(GROC)", "en": "Global Rating of Change (GROC)"},
    "start-back": {
        "ko": "STarT Back 선별 도구(SBST)",
        "en": "Keele STarT Back Screening Tool (SBST)",
    },
    "ndi": {"ko": "목 장애 지수(NDI)", "en": "Neck Disability Index (NDI)"},
    "odi": {"ko": "오스웨스트리 장애 지수(ODI)", "en": "Oswestry Disability Index (ODI)"},
    "rmdq": {
        "ko": "롤랜드-모리스 장애 설문(RMDQ)",
        "en": "Roland-Morris Disability Questionnaire (RMDQ)",
    },
    "bournemouth-neck": {
        "ko": "본머스 설문지 목(BQ)",
        "en": "Bournemouth Questionnaire, neck (BQ)",
    },
    "bournemouth-back": {
        "ko": "본머스 설문지 허리(BQ)",
        "en": "Bournemouth Questionnaire, back (BQ)",
    },
    "hit-6": {"ko": "두통 영향 검사(HIT-6)", "en": "Headache Impact Test (HIT-6)"},
    "dhi": {"ko": "어지럼 장애 척도(DHI)", "en": "Dizziness Handicap Inventory (DHI)"},
}


def display_name(instrument_id: str, language: str) -> str:
    """The instrument's name for a clinician reading ``language`` ("ko" or "en"); an unknown
    language gets English, an unknown id itself."""
    names = DISPLAY_NAMES.get(instrument_id)
    if names is None:
        return instrument_id
    return names.get(language) or names["en"]


OSTELO_2008 = Citation(
    "Ostelo RWJG, Deyo RA, Stratford P, et al.",
    2008,
    "Interpreting change scores for pain and functional status in low back pain: towards "
    "international consensus regarding minimal important change",
    "Spine 33(1):90-94",
)
DWORKIN_2008 = Citation(
    "Dworkin RH, Turk DC, Wyrwich KW, et al.",
    2008,
    "Interpreting the clinical importance of treatment outcomes in chronic pain clinical "
    "trials: IMMPACT recommendations",
    "J Pain 9(2):105-121",
)
STRATFORD_1995 = Citation(
    "Stratford P, Gill C, Westaway M, Binkley J",
    1995,
    "Assessing disability and change on individual patients: a report of a patient specific "
    "measure",
    "Physiotherapy Canada 47(4):258-263",
)
JAESCHKE_1989 = Citation(
    "Jaeschke R, Singer J, Guyatt GH",
    1989,
    "Measurement of health status: ascertaining the minimal clinically important difference",
    "Control Clin Trials 10(4):407-415",
)
KAMPER_2009 = Citation(
    "Kamper SJ, Maher CG, Mackay G",
    2009,
    "Global rating of change scales: a review of strengths and weaknesses and considerations "
    "for design",
    "J Man Manip Ther 17(3):163-170",
)
HILL_2008 = Citation(
    "Hill JC, Dunn KM, Lewis M, et al.",
    2008,
    "A primary care back pain screening tool: identifying patient subgroups for initial treatment",
    "Arthritis Rheum 59(5):632-641",
)
VERNON_1991 = Citation(
    "Vernon H, Mior S",
    1991,
    "The Neck Disability Index: a study of reliability and validity",
    "J Manipulative Physiol Ther 14(7):409-415",
)
STRATFORD_1999 = Citation(
    "Stratford PW, Riddle DL, Binkley JM, et al.",
    1999,
    "Using the Neck Disability Index to make decisions concerning individual patients",
    "Physiotherapy Canada 51(2):107-112",
)
FAIRBANK_2000 = Citation(
    "Fairbank JCT, Pynsent PB",
    2000,
    "The Oswestry Disability Index",
    "Spine 25(22):2940-2953",
)
ROLAND_1983 = Citation(
    "Roland M, Morris R",
    1983,
    "A study of the natural history of back pain. Part I: development of a reliable and "
    "sensitive measure of disability in low-back pain",
    "Spine 8(2):141-144",
)
HURST_2004 = Citation(
    "Hurst H, Bolton J",
    2004,
    "Assessing the clinical significance of change scores recorded on subjective outcome measures",
    "J Manipulative Physiol Ther 27(1):26-35",
)
NEWELL_2010 = Citation(
    "Newell D, Bolton JE",
    2010,
    "Responsiveness of the Bournemouth questionnaire in determining minimal clinically "
    "important change in subgroups of low back pain patients",
    "Spine 35(19):1801-1806",
)
SMELT_2014 = Citation(
    "Smelt AFH, Assendelft WJJ, Terwee CB, et al.",
    2014,
    "What is a clinically relevant change on the HIT-6 questionnaire? An estimation in a "
    "primary-care population of migraine patients",
    "Cephalalgia 34(1):29-36",
)
JACOBSON_1990 = Citation(
    "Jacobson GP, Newman CW",
    1990,
    "The development of the Dizziness Handicap Inventory",
    "Arch Otolaryngol Head Neck Surg 116(4):424-427",
)

CHANGE_CITATIONS: Mapping[str, tuple[Citation, ...]] = {
    "nprs": (OSTELO_2008, DWORKIN_2008),
    "psfs": (STRATFORD_1995,),
    "groc": (JAESCHKE_1989, KAMPER_2009),
    "start-back": (HILL_2008,),
    "ndi": (VERNON_1991, STRATFORD_1999),
    "odi": (OSTELO_2008, FAIRBANK_2000),
    "rmdq": (OSTELO_2008, ROLAND_1983),
    "bournemouth-neck": (HURST_2004,),
    "bournemouth-back": (NEWELL_2010, HURST_2004),
    "hit-6": (SMELT_2014,),
    "dhi": (JACOBSON_1990,),
}
"""Per instrument: the publications of its default change thresholds (first) and of the
instrument itself."""


def cited(instrument_id: str) -> str:
    """The change thresholds' publications as one line: "Ostelo RWJG et al., 2008, Spine
    33(1):90-94; ..."; empty for an unknown id."""
    return "; ".join(_short(c) for c in CHANGE_CITATIONS.get(instrument_id, ()))


def _short(citation: Citation) -> str:
    """First author "et al." when there are more than two, both names when two."""
    names = [n.strip() for n in citation.authors.split(",") if n.strip() != "et al."]
    if len(names) == 1:
        authors = names[0]
    elif len(names) == 2 and "et al." not in citation.authors:
        authors = f"{names[0]} & {names[1]}"
    else:
        authors = f"{names[0]} et al."
    return f"{authors}, {citation.year}, {citation.journal}"
