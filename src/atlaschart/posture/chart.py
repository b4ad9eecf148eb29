"""The posture section of the patient chart: the latest session's summary and links."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from atlaschart.patients.models import Patient
from atlaschart.posture.access import sessions_of_clinic
from atlaschart.posture.adapt import result_from_cache
from atlaschart.posture.display import METRIC_LABELS, fmt, reason_text

# A few headline metrics per view for the summary (the session page shows them all).
HEADLINE = (
    "shoulder_tilt_deg",
    "head_tilt_ears_deg",
    "ear_shoulder_angle_deg",
    "craniovertebral_angle_deg",
)


def posture_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Two queries whatever the number of sessions: the sessions count+latest, and its shots."""
    sessions = list(
        sessions_of_clinic(request).filter(patient=patient).order_by("-taken_on", "-id")[:2]
    )
    latest = sessions[0] if sessions else None
    summary = []
    if latest is not None:
        for shot in latest.shots.order_by("view", "id"):
            result = result_from_cache(shot)
            if result is None:
                continue
            for name in HEADLINE:
                if any(m.name == name for m in result.metrics):
                    metric = result.get(name)
                    summary.append(
                        {
                            "view": shot.get_view_display(),
                            "label": METRIC_LABELS[name],
                            "shown": fmt(metric.value, metric.unit),
                            "reason": reason_text(metric),
                        }
                    )
    return {"latest": latest, "summary": summary, "can_compare": len(sessions) >= 2}
