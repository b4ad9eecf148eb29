from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from atlaschart.lib import media
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, allows, permission_required, require
from atlaschart.measure import posture as core
from atlaschart.patients.access import get_patient_for_user
from atlaschart.posture import services
from atlaschart.posture.access import get_session_for_user, get_shot_for_user, sessions_of_clinic
from atlaschart.posture.adapt import combined_result, current_result
from atlaschart.posture.display import (
    METRIC_LABELS,
    UNIT_NAMES,
    fmt,
    landmark_label,
    metric_rows,
    reason_text,
)
from atlaschart.posture.forms import (
    CalibrationForm,
    CompareForm,
    LandmarkPayloadError,
    MdcSettingsForm,
    SessionForm,
    ShotUploadForm,
    parse_landmark_payload,
)
from atlaschart.posture.mdc import clinic_mdc, stored_settings
from atlaschart.posture.models import PostureShot, View

logger = logging.getLogger(__name__)
POSTURE_READ = permission_required(Kind.POSTURE, Permission.READ)
POSTURE_WRITE = permission_required(Kind.POSTURE, Permission.WRITE)
SETTINGS_READ = permission_required(Kind.CLINIC_SETTINGS, Permission.READ)
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _can_edit(request: AuthenticatedHttpRequest) -> bool:
    return allows(request.user, Kind.POSTURE, Permission.WRITE)


@POSTURE_READ
def patient_sessions(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="posture sessions")
    sessions = list(
        sessions_of_clinic(request)
        .filter(patient=patient)
        .select_related("clinician")
        .prefetch_related("shots")
    )
    form = SessionForm()
    if request.method == "POST":
        require(request.user, Kind.POSTURE, Permission.WRITE)
        form = SessionForm(request.POST)
        if form.is_valid():
            session = services.create_session(Actor.of(request), patient, form.cleaned_data)
            return redirect("posture:session", session_id=session.pk)
    return render(
        request,
        "posture/sessions.html",
        {
            "patient": patient,
            "sessions": sessions,
            "form": form,
            "can_edit": _can_edit(request),
        },
    )


@POSTURE_READ
def session_detail(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, detail="posture session")
    can_edit = _can_edit(request)
    form = ShotUploadForm()
    if request.method == "POST":
        require(request.user, Kind.POSTURE, Permission.WRITE)
        form = ShotUploadForm(request.POST, request.FILES)
        if form.is_valid():
            # The photo is stored and analysed in the background; the job's page shows how far
            # it is and then the shot (posture/jobs.py).
            job = services.stage_shot(
                Actor.of(request),
                session,
                form.cleaned_data["view"],
                form.photo_bytes,
                form.photo_format,
            )
            return redirect("jobs:progress", job_id=job.pk)
        logger.info("posture upload refused: %s", form.errors.as_json()[:200])
    shots_by_view: dict[str, list[PostureShot]] = defaultdict(list)
    for shot in session.shots.all():
        shots_by_view[shot.view].append(shot)
    groups = []
    for value, label in View.choices:
        shots = shots_by_view.get(value, [])
        result = combined_result(shots)
        groups.append(
            {
                "view": value,
                "label": label,
                "shots": shots,
                "rows": metric_rows(result) if result is not None else [],
            }
        )
    return render(
        request,
        "posture/session.html",
        {
            "session": session,
            "patient": session.patient,
            "groups": groups,
            "form": form,
            "can_edit": can_edit,
        },
    )


def _tilt_warning(tilt: float | None) -> str:
    """The shot page's warning when the background's verticals lean (a tilted camera)."""
    if tilt is None or abs(tilt) <= services.TILT_WARNING_DEG:
        return ""
    side = _("right") if tilt > 0 else _("left")
    return _(
        "The vertical lines in the background lean %(angle)s° to the %(side)s: the camera was "
        "probably tilted. Every frontal angle is measured against the photo's edges, so it "
        "carries this error; retake the photo with the camera level (use the grid and a plumb "
        "line)."
    ) % {"angle": number_format(abs(tilt), 1), "side": side}


@POSTURE_READ
def shot_image(request: AuthenticatedHttpRequest, shot_id: int) -> HttpResponseBase:
    """The photo itself, only through the door (never a public media URL). Logged once per
    browser session: a session page shows every photo as a thumbnail, and reloading it should
    not write a row per thumbnail each time."""
    shot = get_shot_for_user(request, shot_id, detail="photo", once_per_session=True)
    # Streamed from local disk, or a redirect to a URL signed for a minute on object storage;
    # never cached either way (lib/media.py).
    name = shot.image.name
    if not name:
        raise Http404("photo file missing")
    return media.serve(name, content_type=_CONTENT_TYPES.get(shot.image_format, "image/jpeg"))


def _editor_data(shot: PostureShot, revision: Any, result: core.PostureResult) -> dict[str, Any]:
    return {
        "width": shot.width,
        "height": shot.height,
        "revision": revision.number if revision is not None else None,
        "landmarks": [
            {
                "name": p["name"],
                "x": p["x"],
                "y": p["y"],
                "source": p.get("source", "model"),
                "visibility": p.get("visibility", 1.0),
            }
            for p in (revision.landmarks if revision is not None else [])
        ],
        "metrics": {
            m.name: {"value": m.value, "unit": m.unit, "points": list(m.points)}
            for m in result.metrics
        },
        "saveUrl": reverse("posture:landmarks", args=[shot.pk]),
    }


@POSTURE_READ
def shot_detail(request: AuthenticatedHttpRequest, shot_id: int) -> HttpResponse:
    shot = get_shot_for_user(request, shot_id, detail="annotated photo")
    revision = shot.revisions.order_by("-number").first()
    result = current_result(shot)
    present = {p["name"] for p in (revision.landmarks if revision is not None else [])}
    addable = [n for n in core.CLINICIAN_LANDMARK_NAMES if n not in present] + [
        n for n in core.MODEL_LANDMARK_NAMES if n not in present
    ]
    initial = None
    if shot.has_calibration:
        initial = {
            "x1": shot.cal_x1,
            "y1": shot.cal_y1,
            "x2": shot.cal_x2,
            "y2": shot.cal_y2,
            "distance_mm": shot.cal_distance_mm,
        }
    history = list(shot.revisions.select_related("created_by").order_by("-number")[:10])
    return render(
        request,
        "posture/shot.html",
        {
            "shot": shot,
            "session": shot.session,
            "patient": shot.session.patient,
            "rows": metric_rows(result),
            "algorithm": result.algorithm.label,
            "editor": _editor_data(shot, revision, result),
            "addable": [(n, landmark_label(n)) for n in addable],
            "calibration_form": CalibrationForm(initial=initial, shot=shot),
            "history": history,
            "can_edit": _can_edit(request),
            "relabelled": services.RELABELLED_MARK in shot.detector,
            "tilt_warning": _tilt_warning(shot.vertical_tilt_deg),
        },
    )


@require_POST
@POSTURE_WRITE
def shot_landmarks(request: AuthenticatedHttpRequest, shot_id: int) -> JsonResponse:
    """Save the dragged landmarks (JSON); metrics are recomputed by the core."""
    shot = get_shot_for_user(request, shot_id, detail="landmark save")
    try:
        base, points = parse_landmark_payload(request.body, shot)
    except LandmarkPayloadError as exc:
        return JsonResponse({"ok": False, "error": exc.message}, status=400)
    try:
        revision = services.save_landmarks(Actor.of(request), shot, base, points)
    except services.StaleRevision:
        return JsonResponse(
            {
                "ok": False,
                "error": _("Someone else saved these landmarks meanwhile. Reload the page."),
            },
            status=409,
        )
    result = current_result(shot)
    return JsonResponse(
        {
            "ok": True,
            "changed": revision is not None,
            "revision": revision.number if revision is not None else base,
            "metrics": {
                r["name"]: {"value": r["value"], "shown": r["shown"]} for r in metric_rows(result)
            },
        }
    )


@require_POST
@POSTURE_WRITE
def shot_calibration(request: AuthenticatedHttpRequest, shot_id: int) -> HttpResponse:
    shot = get_shot_for_user(request, shot_id, detail="calibration")
    if request.POST.get("clear"):
        services.set_calibration(Actor.of(request), shot, None)
        messages.success(request, _("The calibration was removed."))
        return redirect("posture:shot", shot_id=shot.pk)
    form = CalibrationForm(request.POST, shot=shot)
    if form.is_valid():
        services.set_calibration(Actor.of(request), shot, form.cleaned_data)
        messages.success(request, _("The calibration was saved; values in mm are shown."))
    else:
        for error in _calibration_errors(form):
            messages.error(request, error)
    return redirect("posture:shot", shot_id=shot.pk)


def _calibration_errors(form: CalibrationForm) -> list[str]:
    """What to tell the clinician: a value out of range says which limit (its message names the
    distance); missing or unreadable values get one line rather than five."""
    errors = [str(e) for e in form.non_field_errors()]
    missing = False
    for field in form:
        for error in field.errors.as_data():
            if error.code in ("required", "invalid"):
                missing = True
            else:
                errors.extend(error.messages)
    if missing or not errors:
        errors.append(_("Enter all five calibration values."))
    return errors


# Lazy: a module-level table is built at import, before any request's language is active.
MDC_SOURCE_LABELS = {
    "configured": gettext_lazy("clinic setting"),
    "repeats": gettext_lazy("clinic's repeated shots"),
    "default": gettext_lazy("default"),
    "uncertainty": gettext_lazy("from the two values' uncertainty"),
}


@POSTURE_READ
def compare(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Two sessions of one patient side by side, each change judged against the MDC95."""
    patient = get_patient_for_user(request, patient_id, detail="posture before/after")
    sessions = list(sessions_of_clinic(request).filter(patient=patient).order_by("taken_on", "id"))
    initial = {}
    if len(sessions) >= 2:
        initial = {"before": sessions[-2].pk, "after": sessions[-1].pk, "view": View.ANTERIOR}
    form = CompareForm(request.GET or initial or None, sessions=sessions)
    context: dict[str, Any] = {"patient": patient, "form": form, "sessions": sessions}
    if form.is_bound and form.is_valid():
        # The form's choices are this patient's sessions; the door logs the two that are shown.
        before_id, after_id = form.cleaned_data["before"], form.cleaned_data["after"]
        view = form.cleaned_data["view"]
        log_detail = f"before/after {before_id} vs {after_id}, {view}"
        before = get_session_for_user(request, before_id, detail=log_detail)
        after = get_session_for_user(request, after_id, detail=log_detail)
        shots = {s.pk: list(s.shots.filter(view=view).order_by("id")) for s in (before, after)}
        result_before, result_after = (
            combined_result(shots[before.pk]),
            combined_result(shots[after.pk]),
        )
        context.update(
            before=before,
            after=after,
            view=view,
            shots=shots,
            before_shots=shots[before.pk],
            after_shots=shots[after.pk],
        )
        if result_before is None or result_after is None:
            context["missing"] = True
        else:
            table = clinic_mdc(request)
            changes = core.compare_results(
                result_before, result_after, mdc95={k: e.value for k, e in table.items()}
            )
            rows = []
            for change in changes:
                source = None
                if change.mdc_source is not None:
                    entry = table.get(change.name)
                    key = (
                        entry.source
                        if entry is not None and change.mdc_source != "uncertainty"
                        else str(change.mdc_source)
                    )
                    source = MDC_SOURCE_LABELS.get(key, key)
                rows.append(
                    {
                        "label": METRIC_LABELS.get(change.name, change.name),
                        "name": change.name,
                        "unit_name": UNIT_NAMES.get(change.unit, change.unit),
                        "before": fmt(change.before, change.unit),
                        "after": fmt(change.after, change.unit),
                        "delta": fmt(change.delta, change.unit),
                        "mdc": fmt(change.mdc95, change.unit, signed=False)
                        if change.mdc95 is not None
                        else "",
                        "source": source,
                        "verdict": str(change.verdict),
                        "reason": reason_text(change),
                    }
                )
            context.update(rows=rows, algorithm=result_after.algorithm.label)
    return render(request, "posture/compare.html", context)


@SETTINGS_READ
def mdc_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    stored = stored_settings(request)
    initial: dict[str, Any] = {"use_repeats": stored.use_repeats if stored else True}
    for name, value in (stored.mdc95 if stored else {}).items():
        initial[f"mdc_{name}"] = value
    form = MdcSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, Kind.CLINIC_SETTINGS, Permission.WRITE)
    if request.method == "POST" and form.is_valid():
        values = {
            key.removeprefix("mdc_"): value
            for key, value in form.cleaned_data.items()
            if key.startswith("mdc_") and value is not None
        }
        services.update_mdc_settings(Actor.of(request), values, form.cleaned_data["use_repeats"])
        messages.success(request, _("The settings were saved."))
        return redirect("posture:mdc_settings")
    table = clinic_mdc(request)
    rows = [
        {
            "field": form[f"mdc_{name}"],
            "label": METRIC_LABELS.get(name, name),
            "name": name,
            "unit_name": UNIT_NAMES[core.unit_of(name)],
            "current": fmt(table[name].value, core.unit_of(name), signed=False)
            if name in table
            else "",
            "source": MDC_SOURCE_LABELS.get(table[name].source)
            if name in table
            else MDC_SOURCE_LABELS["uncertainty"],
        }
        for name in core.FRONTAL_METRICS + core.LATERAL_METRICS
    ]
    return render(request, "posture/mdc_settings.html", {"form": form, "rows": rows})
