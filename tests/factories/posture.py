"""Posture records made through ``atlaschart.posture.services``, as the pages make them: a session
by ``create_session``, a shot (its photo, revision 1 and cached metrics) by ``add_shot``. Each
call acts as the given user (``Actor.system``) and writes the access-log row the service writes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from atlaschart.imaging.photos import load_photo
from atlaschart.lib.actor import Actor
from atlaschart.posture import services
from atlaschart.posture.models import PostureSession, PostureShot
from tests.builders.photos import jpeg


def posture_session(
    clinician: Any, patient: Any, taken_on: date = date(2025, 3, 1), note: str = ""
) -> PostureSession:
    """A session of ``patient`` taken on ``taken_on``, opened by ``clinician``."""
    actor = Actor.system(clinician, via="test")
    return services.create_session(actor, patient, {"taken_on": taken_on, "note": note})


def posture_shot(
    clinician: Any,
    session: PostureSession,
    points: list[dict[str, Any]],
    view: str = "anterior",
    photo: bytes | None = None,
    detector: str = "",
) -> PostureShot:
    """A stored photo (``photo``, by default a 400 x 300 JPEG) whose first landmark revision
    holds ``points`` as the model's (the pose model does not run: ``points`` stand in for what it
    found), with its metrics computed."""
    data = jpeg() if photo is None else photo
    return services.add_shot(
        Actor.system(clinician, via="test"),
        session,
        view,
        data,
        load_photo(data),
        detected=(points, "", detector),
    )
