"""Imaging, clinic-ready: landmark guides, the error of each value of one
analysis, the compare page, the refusal of a picture renamed .dcm, and no raw key or English word
on any imaging page read in Korean."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from tests.builders.dicom import ct_series, dx
from tests.builders.radiograph import NASIUM
from tests.builders.uploads import post_json, stored_files, upload
from tests.factories.imaging import imported_study

from atlaschart.imaging_studies.models import Blob, Instance, Series, Study, UCAnalysis


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def picture(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (64, 48), 128).save(buf, format=fmt)
    return buf.getvalue()


# --- a picture with a DICOM name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "language", "says"),
    [
        ("JPEG", "scan.dcm", "en", "has a DICOM name but is a JPEG picture"),
        ("PNG", "SCAN.DCM", "en", "has a DICOM name but is a PNG picture"),
        ("JPEG", "scan.dcm", "ko", "DICOM 이름"),
    ],
)
def test_a_picture_named_dcm_is_refused_and_nothing_is_stored(
    personas, media, fmt, name, language, says
) -> None:
    c = personas.login(personas.clinician, browser_language=language)
    r = upload(c, personas.patient, (name, picture(fmt)))
    assert r.status_code == 200
    assert says in r.content.decode()
    assert Study.objects.count() == 0 and Blob.objects.count() == 0 and stored_files(media) == []


def test_the_same_picture_with_its_own_name_is_a_film_scan(personas) -> None:
    r = upload(
        personas.login(personas.clinician, browser_language="en"),
        personas.patient,
        ("scan.jpg", picture("JPEG")),
    )
    study = Study.objects.get()
    assert r.redirect_chain[-1][0] == reverse("imaging_studies:study", args=[study.pk])
    assert study.is_film


# --- the error of each value -------------------------------------------------------------------


def _saved(personas, language: str = "en") -> tuple[Client, Instance, dict]:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician, browser_language=language)
    inst = Instance.objects.get()
    r = post_json(
        c,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": NASIUM},
    )
    assert r.status_code == 200, r.content
    return c, inst, r.json()


def test_a_single_analysis_shows_value_plus_minus_error_with_its_unit(personas) -> None:
    c, _inst, data = _saved(personas)
    # Laterality 10.12° left (tests/builders/radiograph.py). Error, spacing 0.5 mm (uncertainty.py):
    # s = 0.5/√12 = 0.144338 mm; APL |(56, 10)| = 56.8859 mm -> √2·s/L = 0.0035883 rad = 0.20560°;
    # CSL midpoints 100 mm apart (t = ±50, Σt² = 5000): (s/√2)/√5000 = 0.0014434 rad = 0.08270°;
    # placement √(0.04227 + 0.00684) = 0.22161; with the examiner SD 0.45° (Rochester 1994):
    # √(0.2025 + 0.049109) = 0.50161 -> 0.50.
    row = next(r for r in data["rows"] if r["name"] == "atlas_laterality_deg")
    assert row["text"] == "10.12° ± 0.50°" and row["side"] == "left"
    assert row["label"] == "Atlas laterality" and "Rochester 1994" in row["error_note"]
    html = c.get(reverse("imaging_studies:analysis_edit", args=[data["analysis_id"]])).content
    assert "10.12° ± 0.50°" in html.decode()
    # Head tilt has no published examiner SD: placement only, said in words.
    tilt = next(r for r in data["rows"] if r["name"] == "head_tilt_deg")
    assert tilt["text"] == "0.00° ± 0.08°" and "no published examiner SD" in tilt["error_note"]
    assert data["warning_texts"] == [
        "No plumb line was marked: the image's own vertical is taken as true vertical."
    ]


def test_the_examiner_sd_is_a_setting(personas, settings) -> None:
    settings.UC_EXAMINER_SD_DEG = {"atlas_laterality_deg": 1.0}
    _c, _inst, data = _saved(personas)
    row = next(r for r in data["rows"] if r["name"] == "atlas_laterality_deg")
    # √(1 + 0.049109) = 1.02426 -> 1.02
    assert row["text"] == "10.12° ± 1.02°" and "set by the clinic" in row["error_note"]


def test_the_editor_has_a_guide_for_every_landmark(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician, browser_language="ko")
    inst = Instance.objects.get()
    for view, keys in [
        (
            "nasium",
            {
                "apl_right",
                "apl_left",
                "skull_pairs.right",
                "skull_pairs.left",
                "plumb_top",
                "plumb_bottom",
                "c7_mid",
                "c2_center",
                "condyle_arc",
                "axis_arc",
            },
        ),
        ("vertex", {"apl_right", "apl_left", "skull_anterior", "skull_posterior"}),
        (
            "lateral",
            {"atlas_anterior_tubercle", "atlas_posterior_tubercle", "plumb_top", "plumb_bottom"},
        ),
    ]:
        r = c.get(reverse("imaging_studies:analysis_new", args=[inst.pk]) + f"?view={view}")
        html = r.content.decode()
        found = set(re.findall(r'data-guide="([^"]+)"', html))
        assert found == keys, view
        assert html.count("<svg") >= len(keys)
        config = json.loads(re.search(r'id="viewer-config"[^>]*>(.*?)</script>', html, re.S)[1])
        assert set(config["labels"]) == keys
    assert "환추 평면선" in html or "환추" in html


def test_compare_page_draws_both_images_with_lines_and_units(personas) -> None:
    c, inst, pre = _saved(personas)
    url = reverse("imaging_studies:analysis_save", args=[inst.pk])
    post = post_json(c, url, {"view": "nasium", "points": dict(NASIUM, apl_left=[212, 196])}).json()
    r = c.get(
        reverse("imaging_studies:compare", args=[personas.patient.pk])
        + f"?pre={pre['analysis_id']}&post={post['analysis_id']}"
    )
    html = r.content.decode()
    assert html.count("data-compare-figure") == 2
    image = reverse("imaging_studies:image", args=[inst.pk])
    assert html.count(f'src="{image}"') == 2  # the viewing URL (read), not an export
    assert html.count('class="ov-apl"') == 2 and html.count('class="ov-csl"') == 2
    row = html[html.index('data-change="atlas_laterality_deg"') :]
    row = row[: row.index("</tr>")]
    # 10.12 left -> 2.05 left: change −8.07°, threshold 1.2°.
    for text in (
        "10.12° left",
        "2.05° left",
        "−8.07°",
        "1.20°",
        "beyond measurement error",
        ">°</td>",
    ):
        assert text in row, text


# --- no raw key in Korean ----------------------------------------------------------------------

# Abbreviations, units, DICOM attribute names and proper names a Korean clinician reads as they are.
ALLOWED = {
    "ID",
    "JSON",
    "UTF",
    "Shift",
    "AtlasChart",
    "APL",
    "AP",
    "PA",
    "CT",
    "CR",
    "DX",
    "MR",
    "CBCT",
    "DICOM",
    "PixelSpacing",
    "ImagerPixelSpacing",
    "SliceThickness",
    "SID",
    "SOD",
    "SD",
    "RMS",
    "PNG",
    "JPEG",
    "zip",
    "mm",
    "px",
    "KB",
    "MB",
    "GB",
    "PS",
    "LPS",
    "Rochester",
    "ASRP",
    "Minjun",
    "Kim",
}
# The algorithm label (provenance, shown in <code>) is a version identifier, not a word.
ALGORITHM = re.compile(r"uc\.[a-z.-]+@\d+")
VISIBLE_ATTRS = {"title", "aria-label", "alt", "placeholder"}
# data-* attributes the pages' scripts show as messages.
MESSAGE_DATA = re.compile(
    r"^data-(place|choose|allplaced|saved|side\w+|none|pending|rule|table"
    r"|clinician|distance|angle|uncalibrated|needname|knownlength|hint\w+)$"
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.in_main = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in ("script", "style", "code", "pre"):
            self.skip += 1
        if self.in_main:
            for k, v in attrs:
                if v and (k in VISIBLE_ATTRS or MESSAGE_DATA.match(k)):
                    self.parts.append(v)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre"):
            self.skip -= 1
        if tag == "main":
            self.in_main = False

    def handle_data(self, data):
        if self.in_main and not self.skip:
            self.parts.append(data)


def offending(texts: list[str]) -> list[str]:
    bad = []
    for text in texts:
        text = ALGORITHM.sub(" ", text)
        if re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text):  # snake_case id
            bad.append(text.strip())
            continue
        words = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED]
        if words:
            bad.append(f"{words}: {text.strip()[:120]}")
    return bad


def visible(html: str) -> list[str]:
    p = _Text()
    p.feed(html)
    # The editor's palette is filled by its script from the config's labels: read those too.
    m = re.search(r'id="viewer-config"[^>]*>(.*?)</script>', html, re.S)
    if m:
        cfg = json.loads(m[1])
        for entry in (cfg.get("labels") or {}).values():
            p.parts.extend(entry.values())
    return [t for t in p.parts if t.strip()]


def test_no_raw_key_or_english_on_imaging_pages_in_korean(personas) -> None:
    c, inst, pre = _saved(personas, "ko")
    url = reverse("imaging_studies:analysis_save", args=[inst.pk])
    post = post_json(c, url, {"view": "nasium", "points": dict(NASIUM, apl_left=[212, 196])}).json()
    # The save answer is shown by the editor's script: its rows and notes are Korean too.
    assert (
        offending(
            [t for r in post["rows"] for t in (r["label"], r["side"], r["error_note"])]
            + post["warning_texts"]
        )
        == []
    )
    vertex = post_json(
        c,
        url,
        {
            "view": "vertex",
            "points": {
                "apl_right": [100, 150],
                "apl_left": [220, 140],
                "skull_anterior": [160, 40],
                "skull_posterior": [160, 280],
            },
        },
    ).json()
    pages = {
        "editor nasium": reverse("imaging_studies:analysis_new", args=[inst.pk]),
        "editor vertex": reverse("imaging_studies:analysis_new", args=[inst.pk]) + "?view=vertex",
        "editor lateral": reverse("imaging_studies:analysis_new", args=[inst.pk]) + "?view=lateral",
        "analysis": reverse("imaging_studies:analysis_edit", args=[pre["analysis_id"]]),
        "analysis vertex": reverse("imaging_studies:analysis_edit", args=[vertex["analysis_id"]]),
        "viewer": reverse("imaging_studies:viewer", args=[inst.pk]),
        "compare": reverse("imaging_studies:compare", args=[personas.patient.pk])
        + f"?pre={pre['analysis_id']}&post={post['analysis_id']}",
        "study": reverse("imaging_studies:study", args=[inst.series.study_id]),
        "import": reverse("imaging_studies:import", args=[personas.patient.pk]),
    }
    problems = {}
    for name, page in pages.items():
        r = c.get(page)
        assert r.status_code == 200, name
        bad = offending(visible(r.content.decode()))
        if bad:
            problems[name] = bad
    # The imaging section of the chart (other sections belong to other apps).
    chart = c.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    start = chart.index('id="section-imaging"')
    start = chart.index(">", start) + 1
    section = chart[start : chart.index("</section>", start)]
    assert "환추 측방 변위 10.12° 왼쪽" in section  # the analysis' headline, in words
    bad = offending(visible("<main>" + section + "</main>"))
    if bad:
        problems["chart section"] = bad
    # A CBCT volume (its viewer) in Korean too.
    r = c.post(
        reverse("imaging_studies:import", args=[personas.patient.pk]),
        {"files": [SimpleUploadedFile(f"ct{i}.dcm", d) for i, d in enumerate(ct_series())]},
    )
    volume = Series.objects.get(modality="CT")
    bad = offending(
        visible(c.get(reverse("imaging_studies:volume", args=[volume.pk])).content.decode())
    )
    if bad:
        problems["volume"] = bad
    admin = personas.login(personas.admin, browser_language="ko")
    bad = offending(visible(admin.get(reverse("imaging_studies:listing_tables")).content.decode()))
    if bad:
        problems["listing tables"] = bad
    assert problems == {}


def test_the_korean_check_bites(personas) -> None:
    # The checker itself: a raw key and an English sentence are caught, Korean with units is not.
    assert offending(["apl_right"]) and offending(["atlas_laterality_deg 2.86 deg"])
    assert offending(["no-plumb-reference"]) and offending(["Atlas laterality"])
    assert offending(["환추 측방 변위 2.86° ± 0.49° 왼쪽, 0.5 mm (DICOM PixelSpacing)"]) == []
    assert UCAnalysis.objects.count() == 0


def test_no_korean_on_imaging_pages_in_english(personas) -> None:
    c, inst, pre = _saved(personas, "en")
    pages = [
        reverse("imaging_studies:analysis_edit", args=[pre["analysis_id"]]),
        reverse("imaging_studies:analysis_new", args=[inst.pk]) + "?view=lateral",
        reverse("imaging_studies:viewer", args=[inst.pk]),
        reverse("imaging_studies:compare", args=[personas.patient.pk])
        + f"?pre={pre['analysis_id']}&post={pre['analysis_id']}",
    ]
    for page in pages:
        texts = visible(c.get(page).content.decode())
        korean = [t for t in texts if re.search(r"[가-힣]", t.replace(personas.patient.name, ""))]
        assert korean == [], page
