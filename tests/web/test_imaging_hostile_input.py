"""Hostile input to the imaging and posture endpoints: never a 500, a clear message in
the user's language, nothing written.

Each JSON endpoint gets every payload of the table; the two form posts (posture calibration and a
session's date) get out-of-range numbers and dates. The world (one record of each kind) is the
door tests' (tests/factories/imaging.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from tests.builders.dicom import image
from tests.factories.imaging import one_of_every_kind

from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging_studies.models import Instance, Series, UCAnalysis
from atlaschart.posture.models import LandmarkRevision, PostureSession, PostureShot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    """The same world as the door tests: one record of each kind in Seoul."""
    return one_of_every_kind(personas)


HANGUL = re.compile(r"[가-힣]")


def _body(template: str, value: str) -> bytes:
    return template.replace("@", value).encode("utf-8")


# Where a number (or a name) goes in a well-formed body of each endpoint. "@" is replaced.
ENDPOINTS = {
    "instance-landmarks": (
        "imaging_studies:instance_update",
        "instance_id",
        '{"landmarks": [{"name": "a", "x": @, "y": 1}]}',
    ),
    "instance-calibration": (
        "imaging_studies:instance_update",
        "instance_id",
        '{"calibration": {"a": [0, 0], "b": [10, 0], "length_mm": @}}',
    ),
    "analysis": (
        "imaging_studies:analysis_save",
        "instance_id",
        '{"view": "nasium", "points": {"apl_right": [@, 1]}}',
    ),
    "cbct-landmarks": (
        "imaging_studies:volume_landmarks",
        "series_id",
        '{"landmarks": [{"name": "a", "plane": "axial", "index": @, "row": 0, "col": 0}]}',
    ),
    "posture-landmarks": (
        "posture:landmarks",
        "shot_id",
        '{"revision": 1, "landmarks": [{"name": "left_shoulder", "x": @, "y": 1}]}',
    ),
}

NUMBERS = {
    "400-digit-int": "1" + "0" * 400,
    "5000-digit-int": "1" + "0" * 5000,
    "1e308": "1e308",
    "-1e308": "-1e308",
    "1e400-overflows-to-inf": "1e400",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "a-string": '"12"',
    "null": "null",
    "true": "true",
}

WHOLE_BODIES = {
    "2000-nested-brackets": b"[" * 2000 + b"]" * 2000,
    "2000-nested-objects": b'{"a":' * 2000 + b"1" + b"}" * 2000,
    "not-utf8": b"\xff\xfe{",
    "empty": b"",
    "not-an-object": b"[1, 2, 3]",
}

STRINGS = {
    "nul": '"a\\u0000b"',
    "lone-surrogate": '"\\ud800"',
}


def cases(endpoint: str) -> list[tuple[str, bytes]]:
    """(case name, body) of every hostile payload for one endpoint."""
    template = ENDPOINTS[endpoint][2]
    out = [(n, _body(template, v)) for n, v in NUMBERS.items()]
    out += list(WHOLE_BODIES.items())
    if '"a"' in template:
        out += [
            (f"name-{n}", _body(template.replace('"a"', "@", 1), v)) for n, v in STRINGS.items()
        ]
    out += EXTRA.get(endpoint, [])
    return out


EXTRA = {
    "analysis": [
        ("analysis-id-beyond-any-row", b'{"view": "nasium", "analysis_id": 100000000000000000000}'),
        ("listing-nul", b'{"view": "nasium", "listing": "\\u0000", "points": {}}'),
        ("superscript-digit", b'{"view": "nasium", "points": {"condyle_arc.\\u00b2": [1, 1]}}'),
    ],
}


def state() -> Any:
    return (
        list(Instance.objects.values_list("landmarks", "spacing_source", "row_spacing_mm")),
        list(Series.objects.values_list("landmarks_3d", flat=True)),
        UCAnalysis.objects.count(),
        LandmarkRevision.objects.count(),
        list(PostureShot.objects.values_list("cal_distance_mm", flat=True)),
        AccessLogEntry.objects.exclude(action__in=["view", "denied"]).count(),
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_hostile_json_is_a_400_with_a_message_and_writes_nothing(
    personas: Any, world: dict[str, Any], endpoint: str
) -> None:
    name, key, _template = ENDPOINTS[endpoint]
    url = reverse(name, args=[world[key]])
    before = state()
    clients = {language: personas.login(personas.clinician, language) for language in ("en", "ko")}
    personas.clinician.language = "ko"  # the Korean client's language (read per request)
    personas.clinician.save()
    for case, body in cases(endpoint):
        for language in ("ko", "en"):
            if language == "en":
                personas.clinician.language = "en"
                personas.clinician.save()
            r = clients[language].post(url, body, content_type="application/json")
            assert r.status_code == 400, (case, language, r.content[:300])
            message = r.json().get("error")
            assert isinstance(message, str) and message.strip(), case
            if language == "ko":
                assert HANGUL.search(message), (case, message)
        personas.clinician.language = "ko"
        personas.clinician.save()
    assert state() == before


@pytest.mark.parametrize(
    "distance",
    ["1e308", "-1e308", "1e400", "nan", "inf", "1" + "0" * 400, "1" + "0" * 5000, "5000.1", "0"],
)
def test_posture_calibration_refuses_distances_out_of_range(
    personas: Any, world: dict[str, Any], distance: str
) -> None:
    url = reverse("posture:calibration", args=[world["shot_id"]])
    before = state()
    values = {"x1": "1", "y1": "1", "x2": "20", "y2": "1", "distance_mm": distance}
    for language, says in (("en", "mm"), ("ko", "")):
        c = personas.login(personas.clinician, language)
        r = c.post(url, values, follow=True)
        assert r.status_code == 200
        texts = [str(m) for m in r.context["messages"]]
        assert texts and all(t.strip() for t in texts)
        if language == "ko":
            assert any(HANGUL.search(t) for t in texts), texts
        elif distance in ("1e308", "5000.1"):
            assert any("at most 5000" in t and says in t for t in texts), texts
    assert state() == before


def test_posture_calibration_within_range_is_stored(personas: Any, world: dict[str, Any]) -> None:
    url = reverse("posture:calibration", args=[world["shot_id"]])
    values = {"x1": "1", "y1": "1", "x2": "20", "y2": "1", "distance_mm": "5000"}
    personas.login(personas.clinician, "en").post(url, values)
    assert PostureShot.objects.get().cal_distance_mm == 5000.0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_a_posture_session_date_out_of_range_is_refused(
    personas: Any, world: dict[str, Any], day: str
) -> None:
    url = reverse("posture:patient", args=[world["patient_id"]])
    count = PostureSession.objects.count()
    r = personas.login(personas.clinician, "ko").post(url, {"taken_on": day, "note": ""})
    assert r.status_code == 200
    assert "1900-01-01" in r.content.decode() and HANGUL.search(r.content.decode())
    r = personas.login(personas.clinician, "en").post(url, {"taken_on": day, "note": "\x00"})
    assert r.status_code == 200
    assert PostureSession.objects.count() == count


@pytest.mark.parametrize(
    "query", ["?wc=1e308&ww=1e308", "?frame=" + "9" * 5000, "?wc=nan", "?ww=-inf&frame=-1"]
)
def test_hostile_image_parameters_are_never_a_500(
    personas: Any, world: dict[str, Any], query: str
) -> None:
    c = personas.login(personas.clinician, "en")
    image = c.get(reverse("imaging_studies:image", args=[world["instance_id"]]) + query)
    assert image.status_code in (200, 404)
    plane = c.get(reverse("imaging_studies:slice", args=[world["series_id"]]) + query)
    assert plane.status_code in (200, 404)


def test_a_compare_id_of_5000_digits_is_ignored(personas: Any, world: dict[str, Any]) -> None:
    url = reverse("imaging_studies:compare", args=[world["patient_id"]])
    r = personas.login(personas.clinician, "en").get(url, {"pre": "9" * 5000, "post": "1"})
    assert r.status_code == 200


def test_dicom_header_text_with_nul_and_bad_bytes_is_stored_cleaned(personas: Any) -> None:
    """A crafted header (NUL inside the name, undecodable bytes in a description) would be a
    DataError on PostgreSQL: the text is cleaned before it is stored, the image still imports."""
    import io

    from pydicom import dcmread
    from pydicom.uid import generate_uid

    from atlaschart.imaging_studies import services
    from atlaschart.imaging_studies.models import Study
    from atlaschart.lib.actor import Actor

    ds = dcmread(io.BytesIO(image("DX", 16, 16, generate_uid(), generate_uid())))
    ds.PatientName = "Kim\x00^Minjun"
    ds.SeriesDescription = "AP\x00 view"
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    actor = Actor.system(personas.clinician, via="test")
    outcome = services.receive_upload(actor, personas.patient, [("x.dcm", buf.getvalue())])
    if isinstance(outcome, services.NeedsConfirmation):
        outcome = services.import_staged(actor, personas.patient, outcome.token)
    assert outcome is not None and outcome.instances == 1
    study = Study.objects.get()
    assert "\x00" not in study.file_patient_name
    assert "\x00" not in study.series.get().description
