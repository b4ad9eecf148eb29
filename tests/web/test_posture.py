"""Posture web layer: upload refusals store nothing, clinic isolation (photos included), access
logging, landmark saves recompute metrics, before/after judged against the MDC.

Expected angles are computed by hand from the sign rule of docs/posture.md (anterior view: positive
when the patient's LEFT point, on the image's right, is higher) as atan(dy/dx) in degrees.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.builders.landmarks import SHOULDERS, model_point
from tests.builders.photos import gif, jpeg, png_of
from tests.builders.uploads import stored_files, upload_photo
from tests.factories.posture import posture_session, posture_shot

from atlaschart.audit.models import AccessLogEntry
from atlaschart.jobs.models import Job
from atlaschart.lib.actor import Actor
from atlaschart.posture import services
from atlaschart.posture.models import LandmarkRevision, PostureShot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    points = [dict(p) for p in SHOULDERS]
    monkeypatch.setattr(services, "detect", lambda photo, view: (points, "", "fake-model@1"))
    return points


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"plain text, not a photo", "not a supported photo", id="text-not-a-photo"),
        pytest.param(gif(), "not a supported photo", id="gif-only-jpeg-png-webp"),
        pytest.param(jpeg()[:600], "could not be read", id="truncated-jpeg-damaged"),
        pytest.param(png_of(8000, 5001), "more than 40 megapixels", id="40.008MP-over-40MP-limit"),
        pytest.param(
            b"\xff\xd8" + b"\0" * (25 * 1024 * 1024),
            "larger than 25 MB",
            id="25MB+2bytes-over-25MB-limit",
        ),
    ],
)
def test_refused_uploads_store_nothing(personas, media, fake_model, data, message) -> None:
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    response = upload_photo(client, session, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PostureShot.objects.count() == 0
    assert LandmarkRevision.objects.count() == 0
    assert stored_files(media) == []
    assert not AccessLogEntry.objects.filter(object_type="posture.postureshot").exists()


def test_refusal_message_is_translated(personas, media, fake_model) -> None:
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician, browser_language="ko")
    response = upload_photo(client, session, gif())
    assert "JPEG, PNG 또는 WebP" in response.content.decode()
    assert stored_files(media) == []


def test_upload_stores_photo_landmarks_and_metrics(personas, media, fake_model) -> None:
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    data = jpeg()
    response = upload_photo(client, session, data)
    # The request hands the photo to a background job (run here at once: no broker in tests) and
    # answers with the job's page, which leads to the shot once the job is done.
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    shot = PostureShot.objects.get()
    assert job.state == "done" and job.result_url == f"/posture/shot/{shot.pk}/"
    followed = client.get(response["Location"])
    assert followed.status_code == 302 and followed["Location"] == f"/posture/shot/{shot.pk}/"
    shot_page = client.get(followed["Location"]).content.decode()
    assert "The photo was saved and the landmarks were found." in shot_page
    assert (shot.width, shot.height, shot.image_format) == (400, 300, "JPEG")
    assert shot.sha256 == hashlib.sha256(data).hexdigest()
    assert [p.read_bytes() for p in stored_files(media)] == [data]
    revision = shot.revisions.get()
    assert revision.number == 1 and revision.source == "model"
    # atan(10/100) = 5.7106° (docs/posture.md sign rule; left point higher -> positive).
    assert shot.metrics["shoulder_tilt_deg"]["value"] == pytest.approx(5.7106, abs=1e-3)
    assert shot.metrics_algorithm == "posture.photo_metrics@2"
    assert shot.detector == "fake-model@1"  # provenance of the model landmarks
    assert AccessLogEntry.objects.filter(
        action="create",
        object_type="posture.postureshot",
        object_id=str(shot.pk),
        patient=personas.patient,
    ).exists()


def test_without_the_pose_model_the_photo_is_kept_for_hand_placing(
    personas, media, monkeypatch
) -> None:
    import atlaschart.imaging.pose as pose

    def missing(*args: Any, **kwargs: Any) -> Any:
        raise pose.PoseModelNotInstalled()

    monkeypatch.setattr(pose, "detect_landmarks", missing)
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    response = upload_photo(client, session, jpeg())
    shot = PostureShot.objects.get()
    assert shot.revisions.get().landmarks == []
    assert "not installed" in shot.detection_note
    page = client.get(response["Location"], follow=True).content.decode()
    assert "place the points by hand" in page
    assert shot.metrics["shoulder_tilt_deg"]["value"] is None
    assert "left_shoulder was not found" in shot.metrics["shoulder_tilt_deg"]["reason"]


def post_landmarks(client: Any, shot: PostureShot, payload: Any) -> Any:
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(f"/posture/shot/{shot.pk}/landmarks", body, content_type="application/json")


def test_saving_a_moved_landmark_adds_a_revision_and_recomputes(personas) -> None:
    shot = posture_shot(
        personas.clinician,
        posture_session(personas.clinician, personas.patient),
        [dict(p) for p in SHOULDERS],
    )
    client = personas.login(personas.clinician)
    response = post_landmarks(
        client,
        shot,
        {
            "revision": 1,
            "landmarks": [
                {"name": "left_shoulder", "x": 250, "y": 190},
                {"name": "right_shoulder", "x": 150, "y": 210},  # moved 10 px down
                {"name": "c7_spinous", "x": 200, "y": 150},  # added
            ],
        },
    )
    assert response.status_code == 200, response.content
    reply = response.json()
    # atan(20/100) = 11.3099°, by hand.
    assert reply["changed"] and reply["revision"] == 2
    assert reply["metrics"]["shoulder_tilt_deg"]["value"] == pytest.approx(11.3099, abs=1e-3)
    shot.refresh_from_db()
    assert shot.metrics["shoulder_tilt_deg"]["value"] == pytest.approx(11.3099, abs=1e-3)
    first, second = shot.revisions.order_by("number")
    assert first.landmarks == SHOULDERS  # history kept, never overwritten
    by_name = {p["name"]: p for p in second.landmarks}
    assert by_name["left_shoulder"]["source"] == "model"  # not moved: unchanged
    assert by_name["right_shoulder"]["source"] == "clinician"
    assert by_name["right_shoulder"]["moved_by"] == "clinician"
    assert by_name["right_shoulder"]["moved_at"]
    assert by_name["c7_spinous"]["source"] == "clinician"
    log = AccessLogEntry.objects.get(action="update", object_type="posture.postureshot")
    assert "right_shoulder" in log.detail and "c7_spinous" in log.detail
    # The page shows the recomputed value with its unit.
    assert "+11.3°" in client.get(f"/posture/shot/{shot.pk}/").content.decode()


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        pytest.param(b"{not json", 400, id="malformed-json"),
        pytest.param({"landmarks": "x"}, 400, id="landmarks-not-a-list"),
        pytest.param({"landmarks": [{"name": "tail", "x": 1, "y": 1}]}, 400, id="unknown-name"),
        pytest.param({"landmarks": [{"name": "nose", "x": "a", "y": 1}]}, 400, id="text-coord"),
        pytest.param({"landmarks": [{"name": "nose", "x": 1e9, "y": 1}]}, 400, id="far-off-photo"),
        pytest.param({"revision": 7, "landmarks": []}, 409, id="stale-revision"),
    ],
)
def test_bad_landmark_posts_write_nothing(personas, payload, status) -> None:
    shot = posture_shot(
        personas.clinician,
        posture_session(personas.clinician, personas.patient),
        [dict(p) for p in SHOULDERS],
    )
    client = personas.login(personas.clinician)
    response = post_landmarks(client, shot, payload)
    assert response.status_code == status
    assert response.json()["ok"] is False and response.json()["error"]
    assert shot.revisions.count() == 1


def test_front_desk_cannot_move_landmarks(personas) -> None:
    shot = posture_shot(
        personas.clinician,
        posture_session(personas.clinician, personas.patient),
        [dict(p) for p in SHOULDERS],
    )
    client = personas.login(personas.desk)
    response = post_landmarks(client, shot, {"landmarks": []})
    assert response.status_code == 403
    assert shot.revisions.count() == 1


def test_another_clinic_gets_404_everywhere(personas, settings) -> None:
    session = posture_session(personas.clinician, personas.patient)
    shot = posture_shot(personas.clinician, session, [dict(p) for p in SHOULDERS])
    client = personas.login(personas.outsider)
    for url in (
        f"/posture/session/{session.pk}/",
        f"/posture/shot/{shot.pk}/",
        f"/posture/shot/{shot.pk}/image",
        f"/posture/patient/{personas.patient.pk}/",
        f"/posture/patient/{personas.patient.pk}/compare/",
    ):
        assert client.get(url).status_code == 404, url
    assert post_landmarks(client, shot, {"landmarks": []}).status_code == 404
    assert client.post(f"/posture/shot/{shot.pk}/calibration", {"clear": "1"}).status_code == 404
    assert shot.revisions.count() == 1
    # The stored file is not reachable as public media either.
    assert client.get(settings.MEDIA_URL + shot.image.name).status_code == 404


def test_the_photo_is_served_through_the_access_helper_and_logged(personas) -> None:
    shot = posture_shot(
        personas.clinician,
        posture_session(personas.clinician, personas.patient),
        [dict(p) for p in SHOULDERS],
    )
    client = personas.login(personas.clinician)
    response = client.get(f"/posture/shot/{shot.pk}/image")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert "no-store" in response["Cache-Control"]
    assert AccessLogEntry.objects.filter(
        action="view",
        object_type="posture.postureshot",
        object_id=str(shot.pk),
        patient=personas.patient,
        detail="photo",
        user=personas.clinician,
    ).exists()


def tilt_points(dy: float) -> list[dict[str, Any]]:
    """Shoulders 100 px apart, the patient's left (image right) ``dy`` px higher: atan(dy/100)."""
    return [
        model_point("left_shoulder", 250, 200 - dy),
        model_point("right_shoulder", 150, 200),
        model_point("left_ear", 230, 100),
        model_point("right_ear", 170, 100),
    ]


def test_before_after_marks_changes_beyond_or_within_error(personas) -> None:
    before = posture_session(personas.clinician, personas.patient, date(2025, 1, 10))
    after = posture_session(personas.clinician, personas.patient, date(2025, 3, 10))
    posture_shot(personas.clinician, before, tilt_points(10))  # shoulder tilt atan(0.1) = 5.71°
    points = tilt_points(0)  # 0.00°: change -5.71°, beyond MDC 5.5°
    points[2] = model_point("left_ear", 230, 98)  # ears atan(2/60) = 1.91°: within 5.5°
    posture_shot(personas.clinician, after, points)
    client = personas.login(personas.clinician)
    response = client.get(
        f"/posture/patient/{personas.patient.pk}/compare/",
        {"before": before.pk, "after": after.pk, "view": "anterior"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    rows = {r.split('"')[0]: r for r in page.split('data-metric="')[1:]}
    assert "verdict-beyond_error" in rows["shoulder_tilt_deg"]
    assert "-5.7°" in rows["shoulder_tilt_deg"] and "5.5°" in rows["shoulder_tilt_deg"]
    assert "verdict-within_error" in rows["head_tilt_ears_deg"]
    assert "+1.9°" in rows["head_tilt_ears_deg"]
    assert "improve" not in page.lower()
    assert AccessLogEntry.objects.filter(detail__startswith="before/after").count() == 2


def test_mdc_from_the_clinics_repeated_shots(personas) -> None:
    from atlaschart.posture.mdc import clinic_mdc

    for day in (1, 2, 3):
        session = posture_session(personas.clinician, personas.patient, date(2025, 1, day))
        posture_shot(personas.clinician, session, tilt_points(0))  # 0°
        posture_shot(personas.clinician, session, tilt_points(10))  # atan(0.1) = 5.7106°
    # Each pair's SD = 5.7106/sqrt(2) = 4.0380 (pooled over 3 pairs, the same);
    # MDC95 = 1.96 * sqrt(2) * 4.0380 = 11.193 (Weir 2005 formula).
    table = clinic_mdc(Actor.system(personas.clinician, via="test"))
    assert table["shoulder_tilt_deg"].source == "repeats"
    assert table["shoulder_tilt_deg"].value == pytest.approx(
        1.96 * math.degrees(math.atan(0.1)), abs=1e-3
    )
    assert table["shoulder_tilt_deg"].value == pytest.approx(11.193, abs=1e-3)
    # Only two groups in Busan: too few, the default (5.5°, change.py) stays.
    busan = Actor.system(personas.outsider, via="test")
    assert clinic_mdc(busan)["shoulder_tilt_deg"].source == "default"


def test_clinic_admin_configures_mdc(personas) -> None:
    from atlaschart.posture.mdc import clinic_mdc

    client = personas.login(personas.clinician)
    assert client.get("/posture/settings/").status_code == 403
    client = personas.login(personas.admin)
    response = client.post(
        "/posture/settings/", {"mdc_shoulder_tilt_deg": "3.0", "use_repeats": "on"}
    )
    assert response.status_code == 302
    entry = clinic_mdc(Actor.system(personas.admin, via="test"))["shoulder_tilt_deg"]
    assert (entry.value, entry.source) == (3.0, "configured")
    busan = Actor.system(personas.outsider, via="test")
    assert clinic_mdc(busan)["shoulder_tilt_deg"].value == 5.5
    # The change is in the access log (who changed the clinic's MDC and what).
    row = AccessLogEntry.objects.get(object_type="posture.clinicposturesettings")
    assert row.action == "update" and row.user == personas.admin
    assert "shoulder_tilt_deg" in row.detail


def test_chart_section_shows_the_latest_session(personas) -> None:
    session = posture_session(personas.clinician, personas.patient)
    posture_shot(personas.clinician, session, tilt_points(10))
    client = personas.login(personas.clinician)
    page = client.get(f"/patients/{personas.patient.pk}/").content.decode()
    assert "Latest posture session: 2025-03-01" in page
    assert f"/posture/session/{session.pk}/" in page
    assert "+5.7°" in page


def test_calibration_gives_mm_values(personas) -> None:
    # Shoulders: midpoint x 200; eyes midpoint x 210 -> head shift +10 px toward the patient's
    # left (image right, anterior). Scale 100 mm over 50 px = 2 mm/px -> +20 mm.
    points = [*tilt_points(0), model_point("left_eye", 225, 90), model_point("right_eye", 195, 90)]
    shot = posture_shot(
        personas.clinician, posture_session(personas.clinician, personas.patient), points
    )
    client = personas.login(personas.clinician)
    response = client.post(
        f"/posture/shot/{shot.pk}/calibration",
        {"x1": 10, "y1": 10, "x2": 10, "y2": 60, "distance_mm": 100},
    )
    assert response.status_code == 302
    shot.refresh_from_db()
    assert shot.metrics["lateral_head_shift_mm"]["value"] == pytest.approx(20.0)
    # % of shoulder width: 10 / 100 px = +10 %.
    assert shot.metrics["lateral_head_shift_pct"]["value"] == pytest.approx(10.0)


def metric_cells(page: str) -> dict[str, str]:
    """The HTML of each ``data-metric`` row of a page, by metric name."""
    return {r.split('"')[0]: r.split("</tr>")[0] for r in page.split('data-metric="')[1:]}


# Left shoulder seen by the model with visibility 0.50 (< 0.80: below the gate); no ears at all.
LOW_AND_MISSING = [
    model_point("left_shoulder", 250, 190, visibility=0.5),
    model_point("right_shoulder", 150, 200),
]


def test_a_korean_user_sees_the_reasons_in_korean(personas) -> None:
    shot = posture_shot(
        personas.clinician,
        posture_session(personas.clinician, personas.patient),
        [dict(p) for p in LOW_AND_MISSING],
    )
    client = personas.login(personas.clinician, "ko")
    page = client.get(f"/posture/shot/{shot.pk}/").content.decode()
    rows = metric_cells(page)
    assert "측정 안 됨:" in rows["shoulder_tilt_deg"]
    assert "왼쪽 어깨: 가시성 0.50, 기준 0.80 미만입니다" in rows["shoulder_tilt_deg"]
    assert (
        "왼쪽 귀 점을 찾지 못했습니다; 오른쪽 귀 점을 찾지 못했습니다" in rows["head_tilt_ears_deg"]
    )
    assert "보정 없음: mm 값에는 축척이 필요합니다" in rows["trunk_shift_mm"]
    assert "왼쪽 ASIS 점이 아직 없습니다 (임상의가 직접 놓는 점입니다)" in rows["pelvic_tilt_deg"]
    for english in ("visibility", "was not found", "calibration", "left_ear"):
        assert english not in "".join(rows.values()), english
    # The stored cache (and so the CLI-style text) stays English.
    shot.refresh_from_db()
    assert (
        shot.metrics["shoulder_tilt_deg"]["reason"] == "left_shoulder visibility 0.50 is below 0.80"
    )


def test_an_english_user_sees_landmark_labels_in_the_reasons(personas) -> None:
    shot = posture_shot(
        personas.clinician,
        posture_session(personas.clinician, personas.patient),
        [dict(p) for p in LOW_AND_MISSING],
    )
    client = personas.login(personas.clinician)
    rows = metric_cells(client.get(f"/posture/shot/{shot.pk}/").content.decode())
    assert "Left shoulder: visibility 0.50 is below 0.80" in rows["shoulder_tilt_deg"]
    assert "Left ear was not found; Right ear was not found" in rows["head_tilt_ears_deg"]


def test_a_cache_without_structured_reasons_falls_back_to_the_english_text(personas) -> None:
    shot = posture_shot(
        personas.clinician,
        posture_session(personas.clinician, personas.patient),
        [dict(p) for p in LOW_AND_MISSING],
    )
    # A cache written before reason codes existed, and one with a code this version lacks: an old
    # state no service writes any more, so the row is changed directly.
    del shot.metrics["shoulder_tilt_deg"]["reasons"]
    shot.metrics["head_tilt_ears_deg"]["reasons"] = [{"code": "point.renamed_later"}]
    shot.save(update_fields=["metrics"])
    client = personas.login(personas.clinician, "ko")
    response = client.get(f"/posture/shot/{shot.pk}/")
    assert response.status_code == 200
    rows = metric_cells(response.content.decode())
    assert "left_shoulder visibility 0.50 is below 0.80" in rows["shoulder_tilt_deg"]
    assert "left_ear was not found; right_ear was not found" in rows["head_tilt_ears_deg"]
    assert "보정 없음" in rows["trunk_shift_mm"]  # the others are still translated


def test_a_code_without_a_translation_falls_back_to_the_english_text(monkeypatch) -> None:
    from django.utils import translation

    from atlaschart.measure import posture as core
    from atlaschart.posture import display

    metric = core.compute_metrics(core.LandmarkSet(core.View.ANTERIOR, 400, 300)).get(
        "knee_tilt_deg"
    )
    with translation.override("ko"):
        assert (
            display.reason_text(metric)
            == "왼쪽 무릎 점을 찾지 못했습니다; 오른쪽 무릎 점을 찾지 못했습니다"
        )
        messages = dict(display.REASON_MESSAGES)
        del messages[core.POINT_NOT_FOUND]
        monkeypatch.setattr(display, "REASON_MESSAGES", messages)
        assert display.reason_text(metric) == "left_knee was not found; right_knee was not found"


def test_before_after_and_chart_reasons_are_in_korean(personas) -> None:
    before = posture_session(personas.clinician, personas.patient, date(2025, 1, 10))
    after = posture_session(personas.clinician, personas.patient, date(2025, 3, 10))
    posture_shot(personas.clinician, before, [dict(p) for p in SHOULDERS])  # no ears
    posture_shot(personas.clinician, after, tilt_points(0))  # ears present
    client = personas.login(personas.clinician, "ko")
    page = client.get(
        f"/posture/patient/{personas.patient.pk}/compare/",
        {"before": before.pk, "after": after.pk, "view": "anterior"},
    ).content.decode()
    assert (
        "판정 불가: 이전 값 없음: 왼쪽 귀 점을 찾지 못했습니다; 오른쪽 귀 점을 찾지 못했습니다"
        in metric_cells(page)["head_tilt_ears_deg"]
    )
    # The chart's summary lists the headline metrics of each shot of the latest session; a
    # second, earless shot there gives a head tilt with a reason.
    posture_shot(personas.clinician, after, [dict(p) for p in SHOULDERS])
    chart = client.get(f"/patients/{personas.patient.pk}/").content.decode()
    assert "왼쪽 귀 점을 찾지 못했습니다" in chart
    assert "was not found" not in chart


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("admin", True), ("clinician", False), ("desk", False), ("outsider", False)],
)
def test_the_posture_settings_link_shows_only_to_who_may_open_it(personas, persona, shown) -> None:
    user = getattr(personas, persona)
    client = personas.login(user, "ko")
    # The admin's menu has one settings page, which links every admin page.
    response = client.get("/settings/")
    page = response.content.decode() if response.status_code == 200 else ""
    assert ('href="/posture/settings/"' in page) is shown
    assert ("자세 측정 설정" in page) is shown
    # The link agrees with the page's own rule (role_required(CLINIC_ADMIN) in views.py).
    assert (client.get("/posture/settings/").status_code == 200) is shown


def test_the_partial_shots_note_is_in_korean() -> None:
    from django.utils import translation

    from atlaschart.measure import posture as core
    from atlaschart.posture import display

    shoulders = core.LandmarkSet(
        core.View.ANTERIOR,
        400,
        300,
        (core.Landmark("left_shoulder", 250, 100), core.Landmark("right_shoulder", 150, 100)),
    )
    empty = core.LandmarkSet(core.View.ANTERIOR, 400, 300)
    combined = core.combine_shots([core.compute_metrics(shoulders), core.compute_metrics(empty)])
    metric = combined.get("shoulder_tilt_deg")
    with translation.override("ko"):
        assert display.reason_text(metric) == "사진 2장 중 1장으로 합쳤습니다"
    with translation.override("en"):
        assert display.reason_text(metric) == "Combined from 1 of 2 shots"
