"""The exam vocabulary in the user's language: one translatable label per core value.

Forms (choices), the detail page and the summaries all take their words from here, so a value is
called the same thing everywhere. Keys are the core's values (``atlaschart.measure.exam``); the
asserts at the bottom fail at import time when the core gains a value this table lacks.
Sides are always the patient's.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atlaschart.measure.exam.balance import Surface
from atlaschart.measure.exam.cervical_rom import Movement, RomMethod
from atlaschart.measure.exam.leg_check import LegCheckType, ShortSide
from atlaschart.measure.exam.neuro import (
    MYOTOME_KEY_MUSCLES,
    CookInterpretation,
    GaitPattern,
    PathologicalSign,
    Reflex,
    ReflexScale,
    Sensation,
)
from atlaschart.measure.exam.scoliosis import SpineRegion
from atlaschart.measure.exam.thermography import Instrument

Label = str | Promise

#: Side as an adjective on its own ("Left"), for choices.
SIDE: dict[str, Label] = {"left": _("Left"), "right": _("Right")}
#: Column headings and values that must read as the patient's side.
PATIENT_SIDE: dict[str, Label] = {"left": _("Patient's left"), "right": _("Patient's right")}
#: The same within a sentence or a field label ("Biceps (C5–6), patient's left").
PATIENT_SIDE_IN_TEXT: dict[str, Label] = {
    "left": _("patient's left"),
    "right": _("patient's right"),
}

REFLEX: dict[str, Label] = {
    Reflex.BICEPS: _("Biceps (C5–6)"),
    Reflex.BRACHIORADIALIS: _("Brachioradialis (C5–6)"),
    Reflex.TRICEPS: _("Triceps (C7–8)"),
    Reflex.PATELLAR: _("Patellar (L2–4)"),
    Reflex.ACHILLES: _("Achilles (S1–2)"),
}

#: Short names for choices; the detail page names the scale in full (``REFLEX_SCALE_NAME``).
REFLEX_SCALE: dict[str, Label] = {
    ReflexScale.NINDS: _("NINDS 0–4"),
    ReflexScale.PLUS_0_5: _("0–5+"),
}
REFLEX_SCALE_NAME: dict[str, Label] = {
    ReflexScale.NINDS: _("NINDS Myotatic Reflex Scale, 0–4"),
    ReflexScale.PLUS_0_5: _("Reflex scale 0–5+"),
}
#: Grade meanings (NINDS as published by Hallett 1993 and tested by Litvan et al. 1996,
#: ``[hallett-1993-ninds]``, ``[litvan-1996-ninds]``; the 0–5+ scale as teaching texts give it
#: for 3+ to 5+, ``[statpearls-dtr]``; 0 to 2+ are the usual teaching meanings [R]).
REFLEX_SCALE_KEY: dict[str, Label] = {
    ReflexScale.NINDS: _(
        "0 absent · 1 trace or only with reinforcement · 2 lower half of normal · "
        "3 upper half of normal · 4 enhanced"
    ),
    ReflexScale.PLUS_0_5: _(
        "0 absent · 1+ diminished · 2+ normal · 3+ brisk · 4+ non-sustained clonus · "
        "5+ sustained clonus"
    ),
}

PATHOLOGICAL: dict[str, Label] = {
    PathologicalSign.HOFFMANN: _("Hoffmann"),
    PathologicalSign.BABINSKI: _("Babinski"),
    PathologicalSign.INVERTED_SUPINATOR: _("Inverted supinator"),
}

FINDING: dict[str, Label] = {"negative": _("Negative"), "positive": _("Positive")}

GAIT: dict[str, Label] = {"normal": _("Normal"), "abnormal": _("Abnormal")}
GAIT_PATTERN: dict[str, Label] = {
    GaitPattern.SPASTIC: _("Spastic"),
    GaitPattern.ATAXIC: _("Ataxic"),
    GaitPattern.ANTALGIC: _("Antalgic"),
    GaitPattern.STEPPAGE: _("Steppage"),
    GaitPattern.TRENDELENBURG: _("Trendelenburg"),
    GaitPattern.SHUFFLING: _("Shuffling"),
    GaitPattern.OTHER: _("Other"),
}

#: ISNCSCI key muscle per myotome root (core ``MYOTOME_KEY_MUSCLES``; textbook [R]).
MYOTOME_MUSCLE: dict[str, Label] = {
    "C5": _("elbow flexors"),
    "C6": _("wrist extensors"),
    "C7": _("elbow extensors"),
    "C8": _("finger flexors"),
    "T1": _("finger abductors"),
    "L2": _("hip flexors"),
    "L3": _("knee extensors"),
    "L4": _("ankle dorsiflexors"),
    "L5": _("long toe extensors"),
    "S1": _("ankle plantar flexors"),
}
MRC_SCALE_NAME = _("MRC muscle strength scale, 0–5")
#: Medical Research Council grades (MRC, Aids to the examination of the peripheral nervous
#: system, 1976) [R]; the core accepts the whole numbers 0–5 (``Myotome.mrc_grade``).
MRC_GRADE: dict[int, Label] = {
    0: _("no contraction"),
    1: _("flicker of contraction"),
    2: _("movement with gravity eliminated"),
    3: _("movement against gravity"),
    4: _("movement against some resistance"),
    5: _("normal power"),
}

SENSATION: dict[str, Label] = {
    Sensation.NORMAL: pgettext_lazy("sensation", "Normal"),
    Sensation.REDUCED: pgettext_lazy("sensation", "Reduced"),
    Sensation.ABSENT: pgettext_lazy("sensation", "Absent"),
    Sensation.INCREASED: pgettext_lazy("sensation", "Increased"),
}
SENSORY_MODALITY: dict[str, Label] = {
    "light_touch": _("Light touch"),
    "pinprick": _("Pinprick"),
}

CHECK_TYPE: dict[str, Label] = {
    LegCheckType.SUPINE: _("Supine"),
    LegCheckType.PRONE_EXTENDED: _("Prone, knees extended"),
    LegCheckType.PRONE_KNEES_FLEXED: _("Prone, knees flexed (Derefield)"),
    LegCheckType.CERVICAL_SYNDROME_HEAD_RIGHT: _("Cervical syndrome test, head turned right"),
    LegCheckType.CERVICAL_SYNDROME_HEAD_LEFT: _("Cervical syndrome test, head turned left"),
    LegCheckType.PRILL: _("Prill"),
}
SHORT_SIDE: dict[str, Label] = {
    ShortSide.RIGHT: _("Right"),
    ShortSide.LEFT: _("Left"),
    ShortSide.EVEN: _("Even"),
}
LEG_UNIT: dict[str, Label] = {"mm": _("mm"), "eighth_inch": _("⅛ inch")}

MOVEMENT: dict[str, Label] = {
    Movement.FLEXION: _("Flexion"),
    Movement.EXTENSION: _("Extension"),
    Movement.LATERAL_FLEXION_LEFT: _("Lateral flexion left"),
    Movement.LATERAL_FLEXION_RIGHT: _("Lateral flexion right"),
    Movement.ROTATION_LEFT: _("Rotation left"),
    Movement.ROTATION_RIGHT: _("Rotation right"),
}
ROM_METHOD: dict[str, Label] = {
    RomMethod.VISUAL: _("Visual estimate"),
    RomMethod.GONIOMETER: _("Goniometer"),
    RomMethod.INCLINOMETER: _("Inclinometer"),
    RomMethod.CROM_DEVICE: _("CROM device"),
    RomMethod.OTHER: _("Other"),
}

SURFACE: dict[str, Label] = {Surface.FIRM: _("Firm"), Surface.FOAM: _("Foam")}

SPINE_REGION: dict[str, Label] = {
    SpineRegion.THORACIC: _("Thoracic"),
    SpineRegion.THORACOLUMBAR: _("Thoracolumbar"),
    SpineRegion.LUMBAR: _("Lumbar"),
}

INSTRUMENT: dict[str, Label] = {
    Instrument.DUAL_PROBE: _("Dual probe"),
    Instrument.INFRARED_SCANNER: _("Infrared scanner"),
    Instrument.OTHER: _("Other"),
}

COOK: dict[str, Label] = {
    CookInterpretation.RULE_IN: _("rule in"),
    CookInterpretation.RULE_OUT: _("rule out"),
    CookInterpretation.INDETERMINATE: _("indeterminate"),
}
UMN_SIGN: dict[str, Label] = {
    "hoffmann": _("Hoffmann"),
    "babinski": _("Babinski"),
    "inverted_supinator": _("Inverted supinator"),
    "clonus": _("Clonus"),
    "hyperreflexia": _("Hyperreflexia"),
    "gait_abnormal": _("Abnormal gait"),
    "cook_cluster_positive": _("Cook cluster positive (3 or more of 5)"),
}


def choices(table: dict[str, Label], blank: Label | None = None) -> list[tuple[str, Label]]:
    """``table`` as form choices, optionally led by a blank choice."""
    out: list[tuple[str, Label]] = [] if blank is None else [("", blank)]
    return out + [(str(k), v) for k, v in table.items()]


def _same(name: str, ours: Iterable[object], core: Iterable[object]) -> None:
    if set(map(str, ours)) != set(map(str, core)):
        raise ImproperlyConfigured(f"exam labels for {name} are out of step with the core")


_same("reflexes", REFLEX, Reflex)
_same("reflex scales", REFLEX_SCALE, ReflexScale)
_same("pathological signs", PATHOLOGICAL, PathologicalSign)
_same("gait patterns", GAIT_PATTERN, GaitPattern)
_same("myotomes", MYOTOME_MUSCLE, MYOTOME_KEY_MUSCLES)
_same("sensation", SENSATION, Sensation)
_same("leg check types", CHECK_TYPE, LegCheckType)
_same("short sides", SHORT_SIDE, ShortSide)
_same("movements", MOVEMENT, Movement)
_same("ROM methods", ROM_METHOD, RomMethod)
_same("spine regions", SPINE_REGION, SpineRegion)
_same("instruments", INSTRUMENT, Instrument)
_same("Cook interpretations", COOK, CookInterpretation)
