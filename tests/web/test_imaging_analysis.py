"""UC analysis, orientation, calibration, CBCT landmarks and pre/post through the web layer."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.builders.dicom import ct_series, dx
from tests.builders.radiograph import NASIUM
from tests.builders.uploads import post_json
from tests.factories.imaging import imported_study

import atlaschart.web.celery  # noqa: F401  (the project's Celery app: jobs run eagerly in tests)
from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging_studies.models import Instance, Series, UCAnalysis


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_saving_nasium_landmarks_computes_laterality_with_the_algorithm_id(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    r = post_json(
        c,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": NASIUM, "listing": "ASRP", "vector": ""},
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["values"]["atlas_laterality_deg"] == {"value": 10.12, "unit": "deg", "side": "left"}
    # Central skull line parallel to image up: no head tilt, and side null for a value of 0.
    assert data["values"]["head_tilt_deg"] == {"value": 0.0, "unit": "deg", "side": None}
    assert data["algorithm"] == "uc.generic-orthogonal.nasium@1"
    assert "no-plumb-reference" in data["warnings"]
    assert data["listing_source"] == "clinician" and data["listing"] == "ASRP"
    a = UCAnalysis.objects.get()
    assert a.points["pixel_spacing_mm"] == [0.5, 0.5]
    # Moving a landmark recomputes: left end now at y = 200 too -> a = (56, 0): 0 deg, no side.
    moved = dict(NASIUM, apl_left=[212, 200])
    r = post_json(
        c,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": moved, "analysis_id": a.pk},
    )
    assert r.json()["values"]["atlas_laterality_deg"] == {"value": 0.0, "unit": "deg", "side": None}
    assert UCAnalysis.objects.count() == 1
    assert (
        AccessLogEntry.objects.filter(
            object_type="imaging_studies.ucanalysis", action="update"
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("points", "says"),
    [
        pytest.param(
            {"apl_right": [1, 2]}, "Atlas plane line, patient's left end", id="missing-point"
        ),
        pytest.param(
            dict(NASIUM, **{"skull_pairs.3.right": [1, 1]}),
            "both its right and its left",
            id="half-pair",
        ),
        pytest.param(dict(NASIUM, apl_left=[100, 200]), "cannot make the lines", id="coincident"),
        pytest.param({"apl_right": "x"}, "must be a point", id="not-a-point"),
    ],
)
def test_bad_landmarks_are_a_400_with_a_reason_and_store_nothing(personas, points, says) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    r = post_json(
        c,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": points},
    )
    assert r.status_code == 400 and says in r.json()["error"]
    assert UCAnalysis.objects.count() == 0


def test_malformed_json_is_400_not_500(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    r = c.post(
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        "{nope",
        content_type="application/json",
    )
    assert r.status_code == 400


def test_outsider_cannot_save_an_analysis_on_our_image(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    inst = Instance.objects.get()
    r = post_json(
        personas.login(personas.outsider),
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": NASIUM},
    )
    assert r.status_code == 404 and UCAnalysis.objects.count() == 0


def test_pre_post_marks_changes_beyond_and_within_error(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    url = reverse("imaging_studies:analysis_save", args=[inst.pk])
    pre = post_json(c, url, {"view": "nasium", "points": NASIUM}).json()["analysis_id"]
    # Post: left end at (212, 196): a = (56, 2) -> atan(2/56) = 2.0454 deg -> 2.05 left.
    # Change 2.05 - 10.12 = -8.07, |change| > 1.2 (default error, Rochester 1994): beyond.
    post = post_json(c, url, {"view": "nasium", "points": dict(NASIUM, apl_left=[212, 196])}).json()
    assert post["values"]["atlas_laterality_deg"]["value"] == 2.05
    r = c.get(
        reverse("imaging_studies:compare", args=[personas.patient.pk])
        + f"?pre={pre}&post={post['analysis_id']}"
    )
    html = r.content.decode()
    row = html[html.index('data-change="atlas_laterality_deg"') :]
    row = row[: row.index("</tr>")]
    assert "−8.07°" in row and "beyond measurement error" in row
    # A second post 1 px away: (212, 197) -> atan(1.5/56) = 1.5343 -> 1.53;
    # 1.53 - 2.05 = -0.52: within.
    post2 = post_json(
        c, url, {"view": "nasium", "points": dict(NASIUM, apl_left=[212, 197])}
    ).json()
    r = c.get(
        reverse("imaging_studies:compare", args=[personas.patient.pk])
        + f"?pre={post['analysis_id']}&post={post2['analysis_id']}"
    )
    html = r.content.decode()
    row = html[html.index('data-change="atlas_laterality_deg"') :]
    assert "within measurement error" in row[: row.index("</tr>")]


def test_orientation_and_landmarks_are_recorded_per_image(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    url = reverse("imaging_studies:instance_update", args=[inst.pk])
    r = post_json(
        c,
        url,
        {
            "projection": "PA",
            "patient_right_on": "right",
            "landmarks": [{"name": "dens tip", "x": 10, "y": 20.5}],
        },
    )
    assert r.status_code == 200
    inst.refresh_from_db()
    assert (inst.projection, inst.patient_right_on) == ("PA", "right")
    assert inst.landmarks == [{"name": "dens tip", "x": 10.0, "y": 20.5}]
    assert post_json(c, url, {"projection": "XX"}).status_code == 400
    # PixelSpacing is already in the patient plane: no magnification, no manual calibration.
    assert post_json(c, url, {"magnification": 1.1}).status_code == 400
    assert (
        post_json(c, url, {"calibration": {"a": [0, 0], "b": [10, 0], "length_mm": 5}}).status_code
        == 400
    )


def test_magnification_divides_imager_pixel_spacing(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx("ImagerPixelSpacing"))
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    assert inst.spacing_source == "ImagerPixelSpacing"
    r = post_json(
        c, reverse("imaging_studies:instance_update", args=[inst.pk]), {"magnification": 1.25}
    )
    assert r.status_code == 200 and r.json()["config"]["magnification"] == 1.25
    # The analysis form carries it: 0.5 mm / 1.25 = 0.4 mm in the patient plane
    # (docs/radiograph.md).
    post_json(
        c,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": NASIUM},
    )
    assert UCAnalysis.objects.get().points["magnification"] == 1.25


def test_film_scan_is_calibrated_by_hand(personas) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 100), 128).save(buf, format="PNG")
    c = personas.login(personas.clinician)
    r = c.post(
        reverse("imaging_studies:import", args=[personas.patient.pk]),
        {"files": [SimpleUploadedFile("film.png", buf.getvalue())]},
    )
    assert r.status_code == 302
    inst = Instance.objects.get()
    assert (inst.columns, inst.rows, inst.spacing_source) == (200, 100, "none")
    # A 20 mm marker over 80 px: 0.25 mm per pixel, isotropic.
    r = post_json(
        c,
        reverse("imaging_studies:instance_update", args=[inst.pk]),
        {"calibration": {"a": [10, 50], "b": [90, 50], "length_mm": 20}},
    )
    assert r.status_code == 200
    inst.refresh_from_db()
    assert (inst.spacing_source, inst.row_spacing_mm, inst.col_spacing_mm) == ("manual", 0.25, 0.25)


def test_cbct_slices_and_3d_landmarks_in_mm(personas) -> None:
    imported_study(personas.clinician, personas.patient, *ct_series())
    c = personas.login(personas.clinician)
    series = Series.objects.get()
    assert series.is_volume
    r = c.get(reverse("imaging_studies:volume", args=[series.pk]))
    assert r.status_code == 200
    cfg = json.loads(
        r.content.decode()
        .split('id="viewer-config" type="application/json">')[1]
        .split("</script>")[0]
    )
    # Slice step 2.5 from the positions (not SliceThickness 1.0); rows 0.4, columns 0.5.
    assert cfg["spacing_mm"] == [2.5, 0.4, 0.5]
    assert cfg["planes"]["sagittal"] == {
        "count": 8,
        "rows": 4,
        "cols": 6,
        "row_mm": 2.5,
        "col_mm": 0.4,
    }
    png = c.get(
        reverse("imaging_studies:slice", args=[series.pk]) + "?plane=coronal&index=2&wc=1.5&ww=4"
    )
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    # Axial slice 1 (z = 12.5), row 2, column 3: x = 3*0.5 = 1.5, y = 2*0.4 = 0.8.
    # Coronal display row 0 is the last slice (k = 3, z = 17.5); index 5 = row 5 (y = 2.0),
    # col 4 (x = 2.0).
    r = post_json(
        c,
        reverse("imaging_studies:volume_landmarks", args=[series.pk]),
        {
            "landmarks": [
                {"name": "a", "plane": "axial", "index": 1, "row": 2, "col": 3},
                {"name": "b", "plane": "coronal", "index": 5, "row": 0, "col": 4},
            ]
        },
    )
    assert r.status_code == 200, r.content
    a, b = r.json()["landmarks"]
    assert (a["x_mm"], a["y_mm"], a["z_mm"]) == (1.5, 0.8, 12.5)
    assert (b["x_mm"], b["y_mm"], b["z_mm"]) == (2.0, 2.0, 17.5)
    series.refresh_from_db()
    assert len(series.landmarks_3d) == 2
    bad = post_json(
        c,
        reverse("imaging_studies:volume_landmarks", args=[series.pk]),
        {"landmarks": [{"name": "z", "plane": "axial", "index": 99, "row": 0, "col": 0}]},
    )
    assert bad.status_code == 400
