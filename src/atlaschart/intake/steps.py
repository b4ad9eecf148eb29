"""The intake form as data: steps, their fields and the values each field accepts.

Every answer is stored in the link's draft as ``{field name: text or list of texts}``. The same
specification validates a per-step form post (no JavaScript) and an autosave post (JSON), so both
paths accept exactly the same values. Questionnaire fields depend on the clinic's choice, so the
questionnaire step is built per link from a :class:`FormSpec`.

A follow-up link has three steps (pain, questionnaires, review). Its pain step re-asks every
body-map region marked before (carried over when the link is made, with the same
``pain_<region>`` / ``quality_<region>`` keys as the intake, so the change is per region) and
lets the patient add new regions; with no earlier body map every region is offered fresh. Its
PSFS asks for new ratings of the activities named at baseline: the names are carried over and
fixed, so only ``q_psfs_a<n>_score`` fields exist (n = 1 .. number of carried activities).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from atlaschart.intake.names import instrument_name
from atlaschart.measure.instruments import INSTRUMENTS, Instrument
from atlaschart.measure.safety import SCREENING_QUESTIONS

MAX_TEXT = 2000
"""Longest free text a field takes (characters)."""

Draft = dict[str, Any]


class FieldError(ValueError):
    """An answer the form cannot take; the message is translated and names the field."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "text", "choice" (one value) or "multi" (a list of values)
    choices: tuple[str, ...] = ()


STEPS: tuple[tuple[str, Promise], ...] = (
    ("consent", _("Consent")),
    ("complaints", _("Your complaint")),
    ("pain", _("Where it hurts")),
    ("history", _("Treatments and symptoms")),
    ("safety", _("Safety questions")),
    ("questionnaires", _("Questionnaires")),
    ("review", _("Check and send")),
)
STEP_KEYS = tuple(key for key, _title in STEPS)
FOLLOWUP_STEPS: tuple[tuple[str, Promise], ...] = (
    ("pain", _("Where it hurts")),
    ("questionnaires", _("Questionnaires")),
    ("review", _("Check and send")),
)


@dataclass(frozen=True)
class FormSpec:
    """What one link asks: its kind, its questionnaires and (follow-up) the carried activities."""

    kind: str = "intake"  # "intake" or "followup"
    instruments: tuple[str, ...] = ()
    psfs_activities: tuple[str, ...] = ()
    #: Follow-up: the body-map regions marked before, re-asked first (keys of :data:`REGIONS`).
    carried_regions: tuple[str, ...] = ()

    @property
    def followup(self) -> bool:
        return self.kind == "followup"

    @property
    def steps(self) -> tuple[tuple[str, Promise], ...]:
        return FOLLOWUP_STEPS if self.followup else STEPS

    @property
    def step_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _title in self.steps)


def spec_of(link: Any) -> FormSpec:
    """The form specification of an :class:`~atlaschart.intake.models.IntakeLink`."""
    carried = link.carried if isinstance(link.carried, dict) else {}
    return FormSpec(
        kind=link.kind,
        instruments=tuple(link.instruments),
        psfs_activities=tuple(str(a) for a in carried.get("psfs_activities", [])),
        carried_regions=tuple(
            str(r) for r in carried.get("regions", []) if str(r) in dict(REGIONS)
        ),
    )


CONSENT_VERSION = "2026-12"
"""Version of the consent wording on the first step (stored with each intake)."""
CONSENT_FIELDS = ("consent_personal", "consent_health")
AGREE: tuple[tuple[str, Promise], ...] = (
    ("yes", _("I agree")),
    ("no", _("I do not agree")),
)


def consent_given(draft: Mapping[str, Any]) -> bool:
    """Both consents of the first step given: only then may health answers be collected."""
    return all(draft.get(name) == "yes" for name in CONSENT_FIELDS)


def consent_refused(draft: Mapping[str, Any]) -> bool:
    return any(draft.get(name) == "no" for name in CONSENT_FIELDS)


# (key, label): each region of the body map, left and right apart wherever a side exists, so
# that a one-sided pain is recorded on its side. Back regions follow the clinic's own words.
REGIONS: tuple[tuple[str, Promise], ...] = (
    ("head_face", _("Head or face")),
    ("neck", _("Neck")),
    ("shoulder_right", _("Right shoulder")),
    ("shoulder_left", _("Left shoulder")),
    ("chest", _("Chest")),
    ("abdomen", _("Abdomen")),
    ("upper_back_right", _("Upper back, right")),
    ("upper_back_left", _("Upper back, left")),
    ("between_shoulder_blades_right", _("Between the shoulder blades, right")),
    ("between_shoulder_blades_left", _("Between the shoulder blades, left")),
    ("under_shoulder_blades_right", _("Under the shoulder blade, right")),
    ("under_shoulder_blades_left", _("Under the shoulder blade, left")),
    ("low_back_right", _("Low back, right")),
    ("low_back_left", _("Low back, left")),
    ("buttock_pelvis_right", _("Buttock or pelvis, right")),
    ("buttock_pelvis_left", _("Buttock or pelvis, left")),
    ("arm_right", _("Right arm or hand")),
    ("arm_left", _("Left arm or hand")),
    ("leg_right", _("Right leg or foot")),
    ("leg_left", _("Left leg or foot")),
)
#: Regions of intakes sent before the map split the back by side: still named in words on the
#: clinician's page, never asked again.
LEGACY_REGIONS: tuple[tuple[str, Promise], ...] = (
    ("upper_back", _("Upper back")),
    ("shoulder_blades", _("Between or under the shoulder blades")),
    ("low_back", _("Low back")),
    ("pelvis_hips", _("Pelvis or hips")),
)
QUALITIES: tuple[tuple[str, Promise], ...] = (
    ("aching", _("Aching")),
    ("burning", _("Burning")),
    ("stabbing", _("Stabbing")),
    ("tingling", _("Tingling")),
    ("numb", _("Numb")),
    ("other", _("Other")),
)
INTENSITIES = tuple(str(n) for n in range(11))


def marked_regions(answers: Mapping[str, Any]) -> list[str]:
    """The body-map regions (keys of :data:`REGIONS`) given an intensity in stored answers."""
    if not isinstance(answers, Mapping):
        return []
    return [key for key, _label in REGIONS if answers.get(f"pain_{key}") not in (None, "")]


ONSET_KINDS: tuple[tuple[str, Promise], ...] = (
    ("sudden", _("Suddenly")),
    ("gradual", _("Gradually")),
    ("injury", _("After an accident or injury")),
)
DURATIONS: tuple[tuple[str, Promise], ...] = (
    ("lt1w", _("Less than a week")),
    ("1to6w", _("1 to 6 weeks")),
    ("6to12w", _("6 to 12 weeks")),
    ("gt12w", _("More than 3 months")),
)
YES_NO_UNSURE: tuple[tuple[str, Promise], ...] = (
    ("yes", _("Yes")),
    ("no", _("No")),
    ("unsure", _("Not sure")),
)
POSTURES: tuple[tuple[str, Promise], ...] = (
    ("sitting", _("Sitting")),
    ("standing", _("Standing")),
    ("bending", _("Bending forward")),
    ("looking_down", _("Looking down (phone, desk)")),
    ("turning_head", _("Turning the head")),
    ("lying", _("Lying down")),
    ("walking", _("Walking")),
)
TREATMENTS: tuple[tuple[str, Promise], ...] = (
    ("medication", _("Pain medicine")),
    ("physiotherapy", _("Physiotherapy or exercise")),
    ("chiropractic", _("Chiropractic or manual therapy")),
    ("acupuncture", _("Acupuncture")),
    ("injection", _("Injection")),
    ("massage", _("Massage")),
    ("surgery", _("Surgery")),
    ("other", _("Other")),
)
TREATMENT_RESULTS: tuple[tuple[str, Promise], ...] = (
    ("helped", _("Helped")),
    ("no_change", _("No change")),
    ("worse", _("Made it worse")),
)
SYMPTOMS: tuple[tuple[str, Promise], ...] = (
    ("dizziness", _("Dizziness")),
    ("balance", _("Balance problems")),
    ("headache", _("Headaches")),
    ("digestion", _("Digestion problems")),
    ("circulation", _("Circulation problems (cold or discoloured hands or feet)")),
    ("breathing", _("Breathing problems")),
)
YES_NO: tuple[tuple[str, Promise], ...] = (("yes", _("Yes")), ("no", _("No")))


#: What a message calls the fields a patient types into (the others are named by their step).
TEXT_LABELS: Mapping[str, Promise] = {
    "complaints": _("Your complaint"),
    "onset_when": _("When it started"),
    "pain_moves_detail": _("Where the pain moves"),
    "treat_notes": _("Earlier treatment"),
    "sym_notes": _("Details"),
}


def _shown_name(name: str, step_title: Promise) -> str:
    """How a message names a field: the question's words, never the field's key."""
    if name in TEXT_LABELS:
        return str(TEXT_LABELS[name])
    if name.startswith("q_psfs_a"):
        number = name[len("q_psfs_a") :].split("_")[0]
        return str(_("Activity %(n)s") % {"n": number})
    for instrument in INSTRUMENTS.values():
        prefix = f"q_{instrument.id}_q"
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return str(
                _("%(questionnaire)s, question %(n)s")
                % {"questionnaire": instrument_name(instrument.id), "n": name[len(prefix) :]}
            )
    return str(step_title)


def _keys(pairs: Sequence[tuple[str, Any]]) -> tuple[str, ...]:
    return tuple(key for key, _label in pairs)


def safety_questions() -> list[Any]:
    """The red-flag questions a patient answers (clinician-only items are left to the clinic)."""
    return [q for q in SCREENING_QUESTIONS if q.asked_of != "clinician"]


def safety_value(choice_value: object) -> str:
    """How a core choice value is written in a form field (true/false become yes/no)."""
    if choice_value is True:
        return "yes"
    if choice_value is False:
        return "no"
    return str(choice_value)


def _safety_fields() -> list[Field]:
    fields = []
    for q in safety_questions():
        values = tuple(safety_value(c.value) for c in q.choices)
        fields.append(
            Field(f"rf_{q.id}", "multi" if q.kind == "risk-factors" else "choice", values)
        )
    return fields


def questionnaire_fields(spec: FormSpec) -> list[Field]:
    fields: list[Field] = []
    for instrument_id in spec.instruments:
        instrument = INSTRUMENTS.get(instrument_id)
        if instrument is None:
            continue
        if instrument.scoring_rule == "activity-mean" and spec.followup:
            # Re-rating only: the activity names are the baseline's, not the patient's to change.
            for n in range(1, len(spec.psfs_activities) + 1):
                fields.append(Field(f"q_psfs_a{n}_score", "choice", INTENSITIES))
            continue
        if instrument.scoring_rule == "activity-mean":
            for n in range(1, 6):
                fields.append(Field(f"q_psfs_a{n}_name", "text"))
                fields.append(Field(f"q_psfs_a{n}_score", "choice", INTENSITIES))
            continue
        for item in instrument.items:
            values = tuple(str(v) for v in item.accepted_values())
            fields.append(Field(f"q_{instrument.id}_{item.id}", "choice", values))
    return fields


def step_fields(step: str, spec: FormSpec) -> list[Field]:
    """Every field of one step, in the order the page shows them."""
    if step not in spec.step_keys:
        raise KeyError(step)
    if step == "consent":
        return [Field(name, "choice", _keys(AGREE)) for name in CONSENT_FIELDS]
    if step == "complaints":
        return [
            Field("complaints", "text"),
            Field("onset_when", "text"),
            Field("onset_kind", "choice", _keys(ONSET_KINDS)),
            Field("duration", "choice", _keys(DURATIONS)),
        ]
    if step == "pain":
        fields = []
        for key, _label in REGIONS:
            fields.append(Field(f"pain_{key}", "choice", INTENSITIES))
            fields.append(Field(f"quality_{key}", "multi", _keys(QUALITIES)))
        if spec.followup:
            return fields  # a follow-up re-rates the regions only
        fields += [
            Field("pain_moves", "choice", _keys(YES_NO_UNSURE)),
            Field("pain_moves_detail", "text"),
            Field("posture_worse", "choice", _keys(YES_NO_UNSURE)),
            Field("posture_which", "multi", _keys(POSTURES)),
        ]
        return fields
    if step == "history":
        fields = [
            Field(f"treat_{key}", "choice", _keys(TREATMENT_RESULTS)) for key, _l in TREATMENTS
        ]
        fields.append(Field("treat_notes", "text"))
        fields += [Field(f"sym_{key}", "choice", _keys(YES_NO)) for key, _l in SYMPTOMS]
        fields.append(Field("sym_notes", "text"))
        return fields
    if step == "safety":
        return _safety_fields()
    if step == "questionnaires":
        return questionnaire_fields(spec)
    if step == "review":
        return []
    raise KeyError(step)


def clean_step(step: str, raw: Mapping[str, Any], spec: FormSpec) -> Draft:
    """Validate one step's answers. ``raw`` maps field names to a text or a list of texts.

    Returns only non-empty answers. Unknown fields and values outside a field's choices raise
    :class:`FieldError` (nothing is stored then)."""
    if step not in spec.step_keys:
        raise FieldError(_("Unknown step."))
    fields = {f.name: f for f in step_fields(step, spec)}
    step_title = dict(spec.steps)[step]
    cleaned: Draft = {}
    if len(raw) > len(fields):
        raise FieldError(_("Too many answers for this step."))
    for name, value in raw.items():
        if not isinstance(name, str) or name not in fields:
            raise FieldError(_("Unknown field: %(name)s") % {"name": _printable(str(name))})
        field = fields[name]
        # The patient reads this message: the question's own words, never the field's key.
        shown = _shown_name(name, step_title)
        clean = _clean_multi if field.kind == "multi" else _clean_one
        answer = clean(field, value, shown)
        if answer:
            cleaned[name] = answer
    return cleaned


def _clean_multi(field: Field, value: object, shown: str) -> list[str]:
    """The distinct choices picked, in the order given; empty when none is."""
    values: list[Any] = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise FieldError(_("%(name)s: expected a list of texts.") % {"name": shown})
    if len(values) > len(field.choices) + 1:
        raise FieldError(_("%(name)s: not a valid choice.") % {"name": shown})
    picked = [v for v in values if v]
    bad = [v for v in picked if v not in field.choices]
    if bad:
        raise FieldError(_("%(name)s: not a valid choice.") % {"name": shown})
    return list(dict.fromkeys(picked))


def _clean_one(field: Field, value: object, shown: str) -> str:
    """A text or one choice, stripped; empty when left blank."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        raise FieldError(_("%(name)s: expected a text.") % {"name": shown})
    value = value.strip()
    if not value:
        return ""
    if not _storable(value):
        raise FieldError(
            _("%(name)s: contains a character that cannot be stored. Please retype it.")
            % {"name": shown}
        )
    if field.kind == "text":
        if len(value) > MAX_TEXT:
            raise FieldError(
                _("%(name)s: at most %(n)s characters.") % {"name": shown, "n": MAX_TEXT}
            )
    elif value not in field.choices:
        raise FieldError(_("%(name)s: not a valid choice.") % {"name": shown})
    return value


def _storable(text: str) -> bool:
    """Whether the database can keep this text: PostgreSQL refuses NUL and text that is not
    valid UTF-8 (a lone surrogate from a JSON ``\\ud800`` escape)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    """A field name fit to repeat in a message (unknown names come from the request)."""
    shown = "".join(c for c in name[:60] if c.isprintable())
    return shown.encode("utf-8", "replace").decode("utf-8")


def merge_step(draft: Draft, step: str, cleaned: Draft, spec: FormSpec) -> Draft:
    """The draft with this step's answers replaced by ``cleaned`` (a cleared box is removed)."""
    names = {f.name for f in step_fields(step, spec)}
    merged = {k: v for k, v in draft.items() if k not in names}
    merged.update(cleaned)
    if step == "consent" and consent_refused(merged):
        # Consent withdrawn on the first step: health answers already typed are not kept.
        merged = {k: v for k, v in merged.items() if k in CONSENT_FIELDS}
    return merged


# --- from the draft to the cores' inputs ---------------------------------------------------


def screen_answers(draft: Mapping[str, Any]) -> dict[str, Any]:
    """The safety core's answer object from the patient's answers (unanswered items left out,
    so the core reports them as incomplete)."""
    answers: dict[str, Any] = {}
    for q in safety_questions():
        value = draft.get(f"rf_{q.id}")
        if value in (None, "", []):
            continue
        if q.kind == "risk-factors":
            codes = [v for v in value if v != "no"]
            answers[q.id] = codes if codes else False
        elif value == "yes":
            answers[q.id] = True
        elif value == "no":
            answers[q.id] = False
        else:
            answers[q.id] = value  # "current", "recent", "na"
    return answers


def questionnaire_answers(
    instrument: Instrument, draft: Mapping[str, Any], spec: FormSpec | None = None
) -> dict[str, Any]:
    """The instruments core's answer object for one questionnaire. A follow-up's PSFS pairs the
    carried activity names with the new ratings."""
    if instrument.scoring_rule == "activity-mean" and spec is not None and spec.followup:
        rerated = []
        for n, name in enumerate(spec.psfs_activities, start=1):
            score = draft.get(f"q_psfs_a{n}_score")
            rerated.append({"name": name, "score": int(score) if score else None})
        return {"activities": rerated}
    if instrument.scoring_rule == "activity-mean":
        activities = []
        for n in range(1, 6):
            name = draft.get(f"q_psfs_a{n}_name", "")
            if name:
                score = draft.get(f"q_psfs_a{n}_score")
                activities.append({"name": name, "score": int(score) if score else None})
        return {"activities": activities}
    return {
        item.id: int(draft[f"q_{instrument.id}_{item.id}"])
        for item in instrument.items
        if draft.get(f"q_{instrument.id}_{item.id}") not in (None, "")
    }


def questionnaire_progress(instrument: Instrument, draft: Mapping[str, Any], spec: FormSpec) -> int:
    """How many of a questionnaire's questions (PSFS: activities rated) have an answer."""
    if instrument.scoring_rule == "activity-mean":
        return sum(
            1
            for a in questionnaire_answers(instrument, draft, spec)["activities"]
            if a["score"] is not None
        )
    return len(questionnaire_answers(instrument, draft, spec))
