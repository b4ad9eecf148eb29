"""Posture pages tell the truth about a photo: a photo of the wrong view is refused (nothing
stored), a re-labelled detection says so, the ± says what it covers, the settings page has no raw
keys, and the capture page carries the set-up guidance, in Korean and English."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from tests.builders.uploads import stored_files, upload_photo
from tests.factories.posture import posture_session, posture_shot

from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging import sample_photos
from atlaschart.imaging.pose import pose_model_available
from atlaschart.jobs.models import Job
from atlaschart.measure import posture as core
from atlaschart.posture import services
from atlaschart.posture.models import LandmarkRevision, PostureShot

pytestmark = pytest.mark.django_db

needs_model = pytest.mark.skipif(not pose_model_available(), reason="mediapipe is not installed")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(scope="module")
def front_photo_jpeg() -> bytes:
    """One man standing, seen from the front (ultralytics' bus.jpg, read as a file)."""
    try:
        rgb = sample_photos.bus_coat()
    except sample_photos.SamplePhotoMissing as exc:
        pytest.skip(str(exc))
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


@needs_model
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This looks like a front view (the face is seen): choose “Anterior”"),
        ("ko", "앞모습 사진으로 보입니다"),
    ],
)
def test_front_photo_uploaded_as_posterior_is_refused(
    personas, media, front_photo_jpeg, language, message
) -> None:
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician, browser_language=language)
    response = upload_photo(client, session, front_photo_jpeg, view="posterior")
    # The background job refused it; its page says why, in the user's language.
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.state, job.error_code) == ("failed", "looks_anterior")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert message in page.content.decode()
    status = client.get(f"/jobs/{job.pk}/status").json()
    assert status["state"] == "failed" and message in status["error"]
    # Nothing half written: no shot, no revision, no file (the staged photo is removed), no log
    # row for a shot.
    assert PostureShot.objects.count() == 0
    assert LandmarkRevision.objects.count() == 0
    assert stored_files(media) == []
    assert not AccessLogEntry.objects.filter(object_type="posture.postureshot").exists()


def _back_view_detection(
    rgb: Any, view: core.View, *, tta: bool, frame_size: tuple[int, int]
) -> Any:
    """What imaging.pose gives for a back photo the model labelled as if facing the camera:
    face hidden (visibility 0.1), the model's "left" shoulder on the image right."""
    from atlaschart.imaging.pose import _checked

    face = [core.Landmark(n, 200, 60, 0.1) for n in ("nose", "left_eye", "right_eye")]
    torso = [
        core.Landmark("left_shoulder", 260, 150, 0.99, uncertainty_px=2.0),
        core.Landmark("right_shoulder", 140, 150, 0.99, uncertainty_px=2.0),
    ]
    return _checked(core.LandmarkSet(view, *frame_size, (*face, *torso)), 22, 22)


def test_relabelled_back_view_is_stored_with_its_provenance(personas, media, monkeypatch) -> None:
    import atlaschart.imaging.pose as pose

    monkeypatch.setattr(pose, "detect_landmarks", _back_view_detection)
    buffer = io.BytesIO()
    Image.fromarray(np.full((300, 400, 3), 128, np.uint8)).save(buffer, format="JPEG")
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician, browser_language="ko")
    response = upload_photo(client, session, buffer.getvalue(), view="posterior")
    shot = PostureShot.objects.get()
    assert response.status_code == 302
    assert shot.detector.endswith("+sides-relabelled")
    points = {p["name"]: p for p in shot.revisions.get().landmarks}
    # The model's "left_shoulder" at x = 260 is the patient's right on a back view.
    assert points["right_shoulder"]["x"] == 260 and points["left_shoulder"]["x"] == 140
    assert shot.metrics["shoulder_tilt_deg"]["value"] == pytest.approx(0.0)
    page = client.get(f"/posture/shot/{shot.pk}/").content.decode()
    assert 'id="posture-relabelled"' in page
    assert "다시 지정" in page


def test_the_plus_minus_says_what_it_covers(personas, media, monkeypatch) -> None:
    monkeypatch.setattr(services, "detect", lambda photo, view: ([], "", "fake-model@1"))
    buffer = io.BytesIO()
    Image.fromarray(np.full((300, 400, 3), 128, np.uint8)).save(buffer, format="JPEG")
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    upload_photo(client, session, buffer.getvalue())
    shot = PostureShot.objects.get()
    for language, words in (
        ("en", "the difference from the true value"),
        ("ko", "참값과의 차이"),
    ):
        client.cookies["atlaschart_language"] = language
        page = client.get(f"/posture/shot/{shot.pk}/").content.decode()
        assert words in page, language


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Head tilt (ears), degrees"), ("ko", "머리 기울기 (귀), 도")],
)
def test_settings_page_has_labels_not_keys(personas, language, label) -> None:
    client = personas.login(personas.admin, browser_language=language)
    page = client.get("/posture/settings/").content.decode()
    assert label in page
    for name in core.FRONTAL_METRICS + core.LATERAL_METRICS:
        # The key may be a form field's name attribute, never text on the page.
        assert f">{name}<" not in page and f" {name} " not in page, name
    assert "Default: 5.5°" in page or "기본값: 5.5°" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("plumb line", "Camera height", "Grid", "tilted")),
        ("ko", ("추선", "카메라 높이", "격자", "기울")),
    ],
)
def test_capture_guidance_in_both_languages(personas, language, words) -> None:
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician, browser_language=language)
    page = client.get(f"/posture/session/{session.pk}/").content.decode()
    assert 'id="posture-capture-guide"' in page
    for word in words:
        assert word in page, word


def test_a_tilted_camera_is_warned_about(personas, media, monkeypatch) -> None:
    import cv2

    from atlaschart.imaging.pose import _rotate

    monkeypatch.setattr(services, "detect", lambda photo, view: ([], "", "fake-model@1"))
    wall = np.full((900, 600, 3), 200, np.uint8)
    for x in (80, 200, 420, 520):
        cv2.line(wall, (x, 50), (x, 850), (30, 30, 30), 3)
    tilted, _ = _rotate(wall, 3.0)  # counter-clockwise as displayed: tops lean left, -3°
    buffer = io.BytesIO()
    Image.fromarray(tilted).save(buffer, format="PNG")
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    upload_photo(client, session, buffer.getvalue(), name="p.png")
    shot = PostureShot.objects.get()
    assert shot.vertical_tilt_deg == pytest.approx(-3.0, abs=0.3)
    client.cookies["atlaschart_language"] = "ko"
    page = client.get(f"/posture/shot/{shot.pk}/").content.decode()
    assert 'id="posture-tilt"' in page and "왼쪽으로 3.0° 기울어" in page
    client.cookies["atlaschart_language"] = "en"
    page = client.get(f"/posture/shot/{shot.pk}/").content.decode()
    assert "lean 3.0° to the left" in page


def clinician_point(name: str, x: float, y: float) -> dict[str, Any]:
    return {
        "name": name,
        "x": x,
        "y": y,
        "visibility": 1.0,
        "source": "clinician",
        "uncertainty_px": None,
        "moved_by": "clinician",
        "moved_at": "2025-03-01T10:00:00",
    }


def test_side_view_before_after_shows_cva_and_ear_shoulder_with_their_mdc(personas, media) -> None:
    from datetime import date

    # Right lateral photos (patient faces +x), points placed by the clinician (400 x 300 photo).
    # Before: tragus 40 px forward of and 60 px above C7: CVA = atan(60 / 40) = 56.31°;
    # ear–shoulder (tragus over acromion, 30 px forward, 80 px up) = atan(30 / 80) = 20.56°.
    # After: tragus 30 forward, 70 up: CVA = atan(70 / 30) = 66.80° (change +10.49°, beyond the
    # 4.4° default MDC95); ear–shoulder atan(20 / 90) = 12.53° (change -8.03°, beyond 4.4°).
    before = posture_session(personas.clinician, personas.patient, date(2025, 3, 1))
    after = posture_session(personas.clinician, personas.patient, date(2025, 4, 1))
    posture_shot(
        personas.clinician,
        before,
        [
            clinician_point("right_tragus", 240, 100),
            clinician_point("c7_spinous", 200, 160),
            clinician_point("right_acromion", 210, 180),
        ],
        view="right",
    )
    posture_shot(
        personas.clinician,
        after,
        [
            clinician_point("right_tragus", 230, 100),
            clinician_point("c7_spinous", 200, 170),
            clinician_point("right_acromion", 210, 190),
        ],
        view="right",
    )
    client = personas.login(personas.clinician, browser_language="ko")
    page = client.get(
        f"/posture/patient/{personas.patient.pk}/compare/",
        {"before": before.pk, "after": after.pk, "view": "right"},
    ).content.decode()
    import re

    def row(name: str) -> str:
        match = re.search(rf'<tr data-metric="{name}"[^>]*>(.*?)</tr>', page, re.S)
        assert match, name
        return match.group(1)

    cva = row("craniovertebral_angle_deg")
    assert "+56.3°" in cva and "+66.8°" in cva and "+10.5°" in cva and "4.4°" in cva
    assert "측정 오차를 넘음" in cva and "(기본값)" in cva and "default" not in cva
    ear = row("ear_shoulder_angle_deg")
    assert "+20.6°" in ear and "+12.5°" in ear and "-8.0°" in ear and "4.4°" in ear
