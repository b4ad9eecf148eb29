"""What an access log entry says, in the reader's language.

The stored row is never changed (it is hash-chained, and services keep writing plain English
keys): this module only turns ``object_type`` and ``detail`` into words at display time. A
``detail`` it does not know is shown exactly as recorded and marked as such, never guessed.
The CSV export keeps the stored values for inspectors and adds these words beside them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Detail:
    """The detail as shown. ``recorded`` is true when it is the stored text, untranslated."""

    text: str
    recorded: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Described:
    what: str
    detail: Detail

    def __iter__(self) -> Any:
        return iter((self.what, self.detail))


# Every fixed phrase the services and doors write (grep ``detail=`` under src/atlaschart).
PHRASES: dict[str, Promise] = {
    "sign": gettext_lazy("signing"),
    "second factor reset": gettext_lazy("second factor reset by the admin"),
    "clinic outcomes CSV": gettext_lazy("clinic outcomes as CSV"),
    "report": gettext_lazy("patient report (PDF)"),
    "photo consent": gettext_lazy("consent to photos in the report"),
    "analysis editor": gettext_lazy("analysis editor"),
    "visit note opened": gettext_lazy("visit note started"),
    "viewer": gettext_lazy("image viewer"),
    "treatment form": gettext_lazy("treatment form"),
    "today's list": gettext_lazy("today's list"),
    "study": gettext_lazy("imaging study"),
    "status change": gettext_lazy("status change"),
    "safety screen": gettext_lazy("safety screen"),
    "revoke link": gettext_lazy("revoking a link"),
    "reviewed by admin": gettext_lazy("reviewed by the admin"),
    "review": gettext_lazy("review"),
    "remove draft": gettext_lazy("removing a draft"),
    "recurring booking form": gettext_lazy("recurring booking form"),
    "posture sessions": gettext_lazy("posture sessions"),
    "posture session": gettext_lazy("posture session"),
    "posture before/after": gettext_lazy("posture before and after"),
    "photo": gettext_lazy("photo"),
    "open visit": gettext_lazy("starting a visit"),
    "note edit": gettext_lazy("note editing"),
    "link revoked": gettext_lazy("link revoked"),
    "landmark save": gettext_lazy("landmarks saved"),
    "intake submitted by patient": gettext_lazy("intake sent by the patient"),
    "intake links": gettext_lazy("intake links"),
    "intake link": gettext_lazy("intake link"),
    "intake link opened": gettext_lazy("intake link opened"),
    "imaging pre/post": gettext_lazy("imaging before and after"),
    "imaging import": gettext_lazy("imaging import"),
    "imaging import confirmation": gettext_lazy("imaging import confirmation"),
    "image": gettext_lazy("image"),
    "follow-up: nothing new": gettext_lazy("follow-up: nothing new"),
    "follow-up submitted by patient": gettext_lazy("follow-up sent by the patient"),
    "follow-up link": gettext_lazy("follow-up link"),
    "exam form": gettext_lazy("exam form"),
    "escalated adverse events": gettext_lazy("escalated adverse events"),
    "edit image record": gettext_lazy("image record editing"),
    "edit form": gettext_lazy("edit form"),
    "draft treatment removed": gettext_lazy("draft treatment removed"),
    "decline": gettext_lazy("declining"),
    "convert form": gettext_lazy("conversion form"),
    "consultation request declined": gettext_lazy("consultation request declined"),
    "consultation request converted": gettext_lazy("consultation request converted"),
    "consent form": gettext_lazy("consent form"),
    "chart": gettext_lazy("chart"),
    "chief-complaint regions confirmed": gettext_lazy("chief-complaint regions confirmed"),
    "progress": gettext_lazy("progress"),
    "care plan": gettext_lazy("care plan"),
    "care plan form": gettext_lazy("care plan form"),
    "calibration": gettext_lazy("calibration"),
    "calibration set": gettext_lazy("calibration set"),
    "calibration cleared": gettext_lazy("calibration cleared"),
    "booking form": gettext_lazy("booking form"),
    "archive or restore": gettext_lazy("archiving or restoring"),
    "appointment booked": gettext_lazy("appointment booked"),
    "annotated photo": gettext_lazy("annotated photo"),
    "analysis update": gettext_lazy("analysis updated"),
    "analysis save": gettext_lazy("analysis saved"),
    "amendment form": gettext_lazy("amendment form"),
    "adverse-event follow-up": gettext_lazy("adverse event follow-up"),
    "CBCT viewer": gettext_lazy("CBCT viewer"),
    "CBCT slice": gettext_lazy("CBCT slice"),
    "CBCT landmarks": gettext_lazy("CBCT landmarks"),
    "de-identified DICOM zip": gettext_lazy("de-identified DICOM zip"),
    "de-identified DICOM zip downloaded": gettext_lazy("de-identified DICOM zip downloaded"),
    "de-identified export": gettext_lazy("de-identified export"),
    "imaging upload": gettext_lazy("imaging upload"),
    "annotated PNG": gettext_lazy("annotated PNG"),
    "background job": gettext_lazy("background work started"),
    "job progress": gettext_lazy("progress of background work"),
    "report request": gettext_lazy("patient report (PDF) requested"),
    "report download": gettext_lazy("patient report (PDF) downloaded"),
    "imaging inbox": gettext_lazy("imaging inbox"),
    "imaging inbox item": gettext_lazy("imaging inbox item"),
    "imaging inbox discard": gettext_lazy("discarding from the imaging inbox"),
    "imaging inbox: discarded": gettext_lazy("discarded from the imaging inbox"),
    "imaging inbox: imported after the patient was confirmed": gettext_lazy(
        "imported from the imaging inbox after the patient was confirmed"
    ),
    "calendar feed": gettext_lazy("calendar feed"),
    "calendar feed read": gettext_lazy("calendar feed read by a calendar app"),
    "calendar feed made": gettext_lazy("calendar address made"),
    "calendar feed revoked": gettext_lazy("calendar address revoked"),
    "FHIR export form": gettext_lazy("whole-record export form"),
    "API token made": gettext_lazy("API token made"),
    "API token revoked": gettext_lazy("API token revoked"),
}

GENERIC_RECORD = gettext_lazy("record")

# Models that declare no verbose_name get Django's English one from the class name, which no
# catalogue translates; the log names them itself until their apps give them one.
UNNAMED_MODELS: dict[str, Promise] = {
    "exams.examrecord": gettext_lazy("exam record"),
    "visits.careplangoal": gettext_lazy("care plan goal"),
    "visits.consentrecord": gettext_lazy("consent record"),
    "visits.appointment": gettext_lazy("appointment"),
    "visits.visit": gettext_lazy("visit"),
    "visits.amendment": gettext_lazy("amendment"),
    "visits.treatment": gettext_lazy("treatment"),
    "visits.adverseevent": gettext_lazy("adverse event"),
    "visits.consultationrequest": gettext_lazy("consultation request"),
    "posture.landmarkrevision": gettext_lazy("landmark revision"),
    "posture.clinicposturesettings": gettext_lazy("clinic posture settings"),
    "imaging_studies.blob": gettext_lazy("image file"),
    "imaging_studies.series": gettext_lazy("imaging series"),
    "imaging_studies.instance": gettext_lazy("image"),
}


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_words(object_type: str) -> str:
    """The model's own verbose name; a generic word for a label no model has (an old row)."""
    if not object_type:
        return ""
    model = _model(object_type)
    if model is None:
        return str(GENERIC_RECORD)
    if "verbose_name" not in model._meta.original_attrs:
        return str(UNNAMED_MODELS.get(model._meta.label_lower, GENERIC_RECORD))
    return str(model._meta.verbose_name)


def _choice(choices: Any, value: str) -> str | None:
    labels = dict(choices)
    return str(labels[value]) if value in labels else None


def _field_names(object_type: str, names: str) -> str | None:
    model = _model(object_type or "patients.patient")
    if model is None:
        return None
    shown = []
    for name in (n.strip() for n in names.split(",")):
        try:
            shown.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            return None
    return ", ".join(shown)


def _fields(match: re.Match[str], entry: Any) -> str | None:
    names = _field_names(entry.object_type, match["names"])
    return None if names is None else _("changed: %(fields)s") % {"fields": names}


def _status(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.visits.models import AppointmentStatus

    label = _choice(AppointmentStatus.choices, match["status"])
    return None if label is None else _("status: %(status)s") % {"status": label}


def _exam_kind(kind: str) -> str | None:
    from atlaschart.exams.models import ExamKind

    return _choice(ExamKind.choices, kind)


def _exam_form(match: re.Match[str], entry: Any) -> str | None:
    label = _exam_kind(match["kind"])
    return None if label is None else _("exam form: %(kind)s") % {"kind": label}


def _exam(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.exams.models import Timing

    label = _exam_kind(match["kind"])
    timing = _choice(Timing.choices, match["timing"] or "")
    if label is None or timing is None:
        return None
    if not match["timing"]:
        return _("exam: %(kind)s") % {"kind": label}
    return _("exam: %(kind)s, %(timing)s") % {"kind": label, "timing": timing}


def _consent(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.visits.models import ConsentKind

    label = _choice(ConsentKind.choices, match["kind"])
    return None if label is None else _("consent: %(kind)s") % {"kind": label}


def _treatment(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.visits.models import TreatmentKind

    label = _choice(TreatmentKind.choices, match["kind"])
    return None if label is None else _("treatment: %(kind)s") % {"kind": label}


def _draft_step(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.intake.models import LinkKind
    from atlaschart.intake.steps import FOLLOWUP_STEPS, STEPS

    kind = _choice(LinkKind.choices, match["kind"])
    step = _choice((*STEPS, *FOLLOWUP_STEPS), match["step"])
    if kind is None or step is None:
        return None
    return _("%(kind)s draft saved: %(step)s") % {"kind": kind, "step": step}


def _search(match: re.Match[str], entry: Any) -> str:
    return _("search: %(query)s") % {"query": match["query"]}


def _calendar(match: re.Match[str], entry: Any) -> str | None:
    views = {"day": gettext_lazy("day"), "week": gettext_lazy("week")}
    view = views.get(match["view"])
    return None if view is None else _("calendar (%(view)s)") % {"view": view}


def _safety_level(level: str) -> str | None:
    from atlaschart.safety.display import LEVEL_LABELS

    label = LEVEL_LABELS.get(level)
    return None if label is None else str(label)


def _safety_screen(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.safety.models import Source

    source = _choice(Source.choices, match["source"])
    level = _safety_level(match["level"])
    if source is None or level is None:
        return None
    return _("safety screen (%(source)s) — %(level)s") % {"source": source, "level": level}


def _safety_ack(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.safety.display import item_label, item_of
    from atlaschart.safety.models import AckAction

    action = _choice(AckAction.choices, match["action"])
    level = _safety_level(match["level"])
    if action is None or level is None:
        return None
    # The rule's input key (V6:smoking) is the program's; its table item (V6 and its name) is
    # what the screen shows the clinician.
    return _("finding %(rule)s %(action)s: %(level)s") % {
        "rule": item_label(item_of(match["rule"])),
        "action": action,
        "level": level,
    }


def _adverse_event(match: re.Match[str], entry: Any) -> str | None:
    classes = {
        "none": gettext_lazy("not an adverse event"),
        "symptomatic_reaction": gettext_lazy("symptomatic reaction"),
        "intense": gettext_lazy("intense adverse event"),
        "serious": gettext_lazy("serious adverse event"),
    }
    label = classes.get(match["cls"])
    return None if label is None else _("adverse event: %(class)s") % {"class": label}


def _imported_images(match: re.Match[str], entry: Any) -> str:
    return _("%(n)s images imported") % {"n": match["n"]}


def _imported_over_network(match: re.Match[str], entry: Any) -> str:
    return _("%(n)s images received over the DICOM network") % {"n": match["n"]}


def _imported_films(match: re.Match[str], entry: Any) -> str:
    return _("%(n)s film scans imported") % {"n": match["n"]}


def _landmarks_3d(match: re.Match[str], entry: Any) -> str:
    return _("3-D landmarks: %(n)s") % {"n": match["n"]}


def _export(match: re.Match[str], entry: Any) -> str:
    return _("access log CSV %(first)s to %(last)s; reason: %(reason)s") % {
        "first": match["first"],
        "last": match["last"],
        "reason": match["reason"],
    }


def _fhir_export(match: re.Match[str], entry: Any) -> str:
    where = {"web": gettext_lazy("from the chart"), "cli": gettext_lazy("from the command line")}
    return _("whole record as FHIR (%(where)s); reason: %(reason)s") % {
        "where": where[match["via"]],
        "reason": match["reason"],
    }


def _api(match: re.Match[str], entry: Any) -> str:
    # The partner API (fhir/api.py) acts as the token's creator; the row names the token.
    return _("through the API, token %(name)s: %(request)s") % {
        "name": match["name"],
        "request": match["request"],
    }


def _denied(match: re.Match[str], entry: Any) -> str | None:
    if entry.action != "denied":
        return None
    return _("refused: %(request)s") % {"request": match["request"]}


def _dicom_held(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.dicom_inbox.models import HeldReason

    reason = _choice(HeldReason.choices, match["reason"])
    return (
        None
        if reason is None
        else _("DICOM study held in the imaging inbox: %(reason)s") % {"reason": reason}
    )


def _dicom_refused(match: re.Match[str], entry: Any) -> str | None:
    from atlaschart.dicom_inbox.words import REFUSAL_WORDS

    why = REFUSAL_WORDS.get(match["code"])
    return None if why is None else _("DICOM object refused: %(why)s") % {"why": why}


Formatter = Callable[[re.Match[str], Any], "str | None"]

# The f-string details: a pattern per shape, and what it becomes. A formatter returns None when
# a value inside is one it does not know; the entry is then shown as recorded.
PATTERNS: tuple[tuple[re.Pattern[str], Formatter], ...] = tuple(
    (re.compile(pattern, re.DOTALL), formatter)
    for pattern, formatter in (
        (r"search: (?P<query>.*)", _search),
        (r"fields: (?P<names>[a-z0-9_]+(?:, [a-z0-9_]+)*)", _fields),
        (r"status (?P<status>[a-z_]+)", _status),
        (r"exam form (?P<kind>[a-z_]+)", _exam_form),
        (r"exam (?P<kind>[a-z_]+)(?: (?P<timing>pre|post))?", _exam),
        (r"consent (?P<kind>[a-z_]+)", _consent),
        (r"treatment (?P<kind>[a-z_]+)", _treatment),
        (r"(?P<kind>[a-z]+) draft step: (?P<step>[a-z_]+)", _draft_step),
        (r"calendar (?P<view>[a-z]+)", _calendar),
        (r"safety screen \((?P<source>[a-z]+)\): (?P<level>[A-Za-z-]+)", _safety_screen),
        (r"(?P<action>acknowledge|override) (?P<rule>\S+) \((?P<level>[A-Za-z-]+)\)", _safety_ack),
        (r"adverse event (?P<cls>[a-z_]+)", _adverse_event),
        (r"imported (?P<n>\d+) image\(s\)", _imported_images),
        (r"imported (?P<n>\d+) image\(s\) via dicom-network", _imported_over_network),
        (r"imported (?P<n>\d+) film scan\(s\)", _imported_films),
        (r"3-D landmarks: (?P<n>\d+)", _landmarks_3d),
        (r"DICOM study held in the imaging inbox: (?P<reason>[a-z_]+)", _dicom_held),
        (r"DICOM object refused: (?P<code>[a-z-]+)", _dicom_refused),
        (
            r"access log CSV (?P<first>[\d-]+)\.\.(?P<last>[\d-]+); reason: (?P<reason>.*)",
            _export,
        ),
        (r"FHIR export \((?P<via>web|cli)\); reason: (?P<reason>.*)", _fhir_export),
        (r"via api token (?P<name>.+): (?P<request>(?:GET|HEAD) /\S*)", _api),
        (r"(?P<request>(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /\S*)", _denied),
    )
)


def detail_words(entry: Any) -> Detail:
    text = entry.detail or ""
    if not text:
        return Detail("")
    phrase = PHRASES.get(text)
    if phrase is not None:
        return Detail(str(phrase))
    for pattern, formatter in PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            shown = formatter(match, entry)
            if shown is not None:
                return Detail(shown)
            break
    return Detail(text, recorded=True)


def describe(entry: Any) -> Described:
    """(what, detail) of one entry for the page, in the active language."""
    return Described(object_words(entry.object_type), detail_words(entry))
