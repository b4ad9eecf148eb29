"""Clinic listing rule tables: upload (file or pasted), validation, versions, activation,
isolation between clinics, roles, and the proposal on the analysis page."""

from __future__ import annotations

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.builders.dicom import dx
from tests.builders.radiograph import NASIUM
from tests.builders.uploads import post_json
from tests.factories.imaging import imported_study

from atlaschart.accounts.models import Role, User
from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging_studies.forms import MAX_LISTING_TABLE_BYTES
from atlaschart.imaging_studies.models import Instance, ListingTable, UCAnalysis

URL = "imaging_studies:listing_tables"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# NASIUM (tests/builders/radiograph.py, computed by hand there): atlas_laterality_deg
# = atan2(10, 56) = 10.1247 deg, side left; head_tilt_deg = 0 (no side; the skull line is
# vertical). Against TABLE: rule 0 needs side right -> no; rule 1 needs <= 5 -> no; rule 2:
# 5 <= 10.1247 <= 90, side left, and head tilt 0 <= 1 -> match, listing "L-TEST".
TABLE = {
    "id": "seoul-listing",
    "version": "1",
    "view": "nasium",
    "rules": [
        {"when": {"atlas_laterality_deg": {"side": "right", "min": 0.25}}, "listing": "R-TEST"},
        {
            "when": {"atlas_laterality_deg": {"side": "left", "min": 0.25, "max": 5}},
            "listing": "L-SMALL",
        },
        {
            "when": {
                "atlas_laterality_deg": {"side": "left", "min": 5, "max": 90},
                "head_tilt_deg": {"max": 1},
            },
            "listing": "L-TEST",
            "vector": {"laterality_deg": 10, "depth_mm": 2.5},
        },
    ],
}
# The APL mirrored: right end (100, 180), left (212, 200): a = (56, -10) mm, s = atan2(-10, 56)
# = -10.1247 deg -> side right: rule 0 ("R-TEST").
NASIUM_RIGHT = dict(NASIUM, apl_right=[100, 180], apl_left=[212, 200])
# Both APL ends at y = 200: a = (56, 0), laterality 0 with no side: no rule matches.
NASIUM_LEVEL = dict(NASIUM, apl_left=[212, 200])


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def upload(c: Client, table, *, activate: bool = True, name: str = "table.json"):
    data = table if isinstance(table, bytes) else json.dumps(table).encode()
    body = {"file": SimpleUploadedFile(name, data, content_type="application/json")}
    if activate:
        body["activate"] = "on"
    return c.post(reverse(URL), body)


def version(n: str, **changes) -> dict:
    return dict(TABLE, version=n, **changes)


def table_logs():
    return AccessLogEntry.objects.filter(object_type="imaging_studies.listingtable")


# --- upload ------------------------------------------------------------------------------------


def test_admin_uploads_a_table_file_and_sees_its_rules(personas) -> None:
    c = personas.login(personas.admin)
    r = upload(c, TABLE)
    assert r.status_code == 302, page_text(r)
    row = ListingTable.objects.get()
    assert (row.clinic, row.label, row.view, row.is_active) == (
        personas.seoul,
        "seoul-listing@1",
        "nasium",
        True,
    )
    assert row.data == TABLE
    page = page_text(c.get(reverse(URL)))
    assert "seoul-listing@1 was stored and is now active for the nasium view" in page
    # The readable rule list: bounds with the value's unit, the side, the listing and vector.
    assert "Atlas laterality ≥ 0.25°, side right" in page
    assert "5° ≤ Atlas laterality ≤ 90°, side left" in page
    assert "Head tilt ≤ 1°" in page
    assert "laterality_deg 10, depth_mm 2.5" in page
    assert "L-TEST" in page
    log = table_logs().get()
    assert log.action == "create" and log.patient is None and log.clinic == personas.seoul
    assert "seoul-listing@1" in log.detail and "active" in log.detail


def test_pasted_json_is_stored_too_and_may_stay_inactive(personas) -> None:
    c = personas.login(personas.admin)
    r = c.post(reverse(URL), {"text": json.dumps(TABLE)})  # activate unticked
    assert r.status_code == 302
    row = ListingTable.objects.get()
    assert row.is_active is False and row.data == TABLE
    assert "(not active)" in page_text(c.get(reverse(URL)))


def _rules(*rules) -> dict:
    return dict(TABLE, rules=list(rules))


DEEP = b"[" * 100_000 + b"]" * 100_000
BAD = [
    pytest.param(b"{not json", "The table is not valid JSON (line 1, column 2).", id="not-json"),
    pytest.param(b"[1, 2]", "rule table must be a JSON object", id="list-not-object"),
    pytest.param(
        json.dumps(dict(TABLE, rules="all")).encode(), "rules must be a list", id="rules-not-list"
    ),
    pytest.param(
        json.dumps(_rules({"when": {"atlas_lateralty_deg": {"min": 1}}, "listing": "X"})).encode(),
        "'atlas_lateralty_deg' is not a value of view 'nasium'",
        id="unknown-value-name",
    ),
    pytest.param(
        json.dumps(
            _rules({"when": {"atlas_laterality_deg": {"min": 5, "max": 1}}, "listing": "X"})
        ).encode(),
        "condition on atlas_laterality_deg: min is greater than max",
        id="min-above-max",
    ),
    pytest.param(
        json.dumps(dict(TABLE, view="oblique")).encode(),
        "The table is for the view “oblique”, which the analysis profile does not have",
        id="unknown-view",
    ),
    pytest.param(
        json.dumps(
            _rules({"when": {"atlas_laterality_deg": {"side": "up"}}, "listing": "X"})
        ).encode(),
        "side must be left, right or null",
        id="bad-side",
    ),
    pytest.param(json.dumps(_rules()).encode(), "no rules", id="no-rules"),
    pytest.param(
        json.dumps(_rules({"when": {"head_tilt_deg": {"max": 1}}, "listing": "L" * 61})).encode(),
        "Rule 0: the listing is longer than 60 characters.",
        id="listing-too-long",
    ),
    pytest.param(
        json.dumps(_rules({"when": {"head_tilt_deg": {"max": 1}}, "listing": " "})).encode(),
        "a rule needs a non-empty listing",
        id="empty-listing",
    ),
    pytest.param(
        b'{"id": "t", "version": "1", "view": "nasium", "rules": [{"when": '
        b'{"head_tilt_deg": {"max": NaN}}, "listing": "X"}]}',
        "The table cannot be stored: A number in the data is not a finite number.",
        id="nan",
    ),
    pytest.param(
        b'{"id": "t", "version": "1", "view": "nasium", "rules": [{"when": '
        b'{"head_tilt_deg": {"max": 1' + b"0" * 400 + b'}}, "listing": "X"}]}',
        "The table cannot be stored: A number in the data is too large.",
        id="huge-number",
    ),
    pytest.param(
        b'{"id": "t", "version": "1", "view": "nasium", "rules": [{"when": '
        b'{"head_tilt_deg": {"max": 1' + b"0" * 5000 + b'}}, "listing": "X"}]}',
        "The table cannot be stored: A number in the data is too large.",
        id="5000-digit-number",
    ),
    pytest.param(
        b'{"id": "t", "version": "1", "view": "nasium", "rules": [{"when": '
        b'{"head_tilt_deg": {"max": 1e400}}, "listing": "X"}]}',
        "The table cannot be stored: A number in the data is too large.",
        id="infinite-float",
    ),
    pytest.param(DEEP, "The table cannot be stored: The data is nested too deeply.", id="deep"),
    pytest.param(b"[" * 2000 + b"]" * 2000, "nested too deeply", id="2000-brackets"),
    # PostgreSQL refuses both in text (a DataError, a 500): refused before the database.
    pytest.param(
        json.dumps(_rules({"when": {"head_tilt_deg": {"max": 1}}, "listing": "X\x00"})).encode(),
        "The data contains a character that cannot be stored.",
        id="nul",
    ),
    pytest.param(
        b'{"id": "t\\ud800", "version": "1", "view": "nasium", "rules": []}',
        "The data contains a character that cannot be stored.",
        id="lone-surrogate",
    ),
    pytest.param(json.dumps(TABLE).encode("utf-16"), "The table is not UTF-8 text.", id="not-utf8"),
    pytest.param(
        b'{"id": "seoul-listing", "version": "1", "view": "nasium", "rules": []}'
        + b" " * MAX_LISTING_TABLE_BYTES,
        "The table is larger than 256 KB.",
        id="too-large",
    ),
]


@pytest.mark.parametrize(("data", "says"), BAD)
def test_a_bad_table_file_is_refused_with_a_reason_and_nothing_stored(personas, data, says) -> None:
    c = personas.login(personas.admin)
    r = upload(c, data)
    assert r.status_code == 400
    page = page_text(r)
    assert says in page
    assert ListingTable.objects.count() == 0
    assert not table_logs().exists()


def test_pasted_bad_json_is_refused_too(personas) -> None:
    c = personas.login(personas.admin)
    r = c.post(reverse(URL), {"text": '{"id": "x",', "activate": "on"})
    assert r.status_code == 400
    assert "The table is not valid JSON (line 1, column 12)." in page_text(r)
    r = c.post(reverse(URL), {"text": json.dumps(dict(TABLE, notes="x" * MAX_LISTING_TABLE_BYTES))})
    assert r.status_code == 400 and "The table is larger than 256 KB." in page_text(r)
    # A core reason quoting a very long id is cut short, not echoed whole.
    r = c.post(reverse(URL), {"text": json.dumps(dict(TABLE, id="x" * 5000, rules=[1]))})
    (error,) = r.context["form"].non_field_errors()
    assert error.startswith("The table does not follow the listing table format: rule table xxx")
    assert len(error) < 400 and "needs a 'when' object" not in error
    assert ListingTable.objects.count() == 0


def test_file_and_pasted_text_together_or_neither_are_refused(personas) -> None:
    c = personas.login(personas.admin)
    r = c.post(
        reverse(URL),
        {
            "file": SimpleUploadedFile("t.json", json.dumps(TABLE).encode()),
            "text": json.dumps(TABLE),
        },
    )
    assert r.status_code == 400 and "not both" in page_text(r)
    r = c.post(reverse(URL), {"text": "   "})
    assert r.status_code == 400 and "Choose a JSON file or paste the table." in page_text(r)
    assert ListingTable.objects.count() == 0


def test_the_reason_comes_after_a_korean_lead_in_for_a_korean_admin(personas) -> None:
    c = personas.login(personas.admin, "ko")
    bad = _rules({"when": {"atlas_laterality_deg": {"min": 5, "max": 1}}, "listing": "X"})
    page = page_text(upload(c, bad))
    assert "표가 리스팅 표 형식에 맞지 않습니다: " in page
    assert "min is greater than max" in page  # the core's own words follow
    assert "<h1>리스팅 규칙표</h1>" in page  # the page itself is in Korean
    assert "표 올리기" in page and "표 파일(JSON)" in page
    assert "표가 올바른 JSON이 아닙니다(1행 2열)." in page_text(upload(c, b"{oops"))
    assert ListingTable.objects.count() == 0


# --- versions ----------------------------------------------------------------------------------


def test_a_new_version_replaces_the_active_one_and_keeps_the_old(personas) -> None:
    c = personas.login(personas.admin)
    assert upload(c, TABLE).status_code == 302
    v2 = version("2", rules=[{"when": {"head_tilt_deg": {"max": 90}}, "listing": "ANY"}])
    assert upload(c, v2).status_code == 302
    v1, second = ListingTable.objects.get(version="1"), ListingTable.objects.get(version="2")
    assert (v1.is_active, second.is_active) == (False, True)
    assert v1.data == TABLE  # kept as it was
    # The same id@version again, even with other rules, is refused: never edited in place.
    r = upload(c, dict(TABLE, rules=v2["rules"]))
    assert r.status_code == 400
    assert "already has the table seoul-listing@1" in page_text(r)
    assert ListingTable.objects.get(version="1").data == TABLE
    # A new version of the same table id must stay on its view.
    vertex_rules = [{"when": {"atlas_rotation_deg": {"max": 90}}, "listing": "V"}]
    r = upload(c, version("3", view="vertex", rules=vertex_rules))
    assert r.status_code == 400 and "is for the nasium view" in page_text(r)
    assert ListingTable.objects.count() == 2
    page = page_text(c.get(reverse(URL)))
    assert "seoul-listing@1" in page and "seoul-listing@2" in page


def test_activate_and_deactivate_are_logged_and_one_table_per_view_is_active(personas) -> None:
    c = personas.login(personas.admin)
    upload(c, TABLE)
    upload(c, version("2"))
    v1 = ListingTable.objects.get(version="1")
    r = c.post(reverse("imaging_studies:listing_table_active", args=[v1.pk]), {"active": "1"})
    assert r.status_code == 302
    assert list(ListingTable.objects.filter(is_active=True).values_list("version", flat=True)) == [
        "1"
    ]
    c.post(reverse("imaging_studies:listing_table_active", args=[v1.pk]), {"active": "0"})
    assert not ListingTable.objects.filter(is_active=True).exists()
    details = list(table_logs().filter(action="update").values_list("detail", flat=True))
    assert sorted(details) == sorted(
        [
            "seoul-listing@1 deactivated",  # by the upload of version 2
            "seoul-listing@2 deactivated",  # by activating version 1 again
            "seoul-listing@1 activated",
            "seoul-listing@1 deactivated",
        ]
    )
    page = page_text(c.get(reverse(URL)))
    assert "None: clinicians enter the listing." in page


def test_a_stored_table_cannot_be_changed_in_place(personas) -> None:
    upload(personas.login(personas.admin), TABLE)
    row = ListingTable.objects.get()
    row.source = json.dumps(dict(TABLE, rules=[]))
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.save(update_fields=["source"])


# --- roles and clinics -------------------------------------------------------------------------


def test_clinicians_and_front_desk_are_refused(personas) -> None:
    upload(personas.login(personas.admin), TABLE)
    row = ListingTable.objects.get()
    for user in (personas.clinician, personas.desk, personas.outsider):
        c = personas.login(user)
        assert c.get(reverse(URL)).status_code == 403
        assert upload(c, version("9")).status_code == 403
        r = c.post(reverse("imaging_studies:listing_table_active", args=[row.pk]), {"active": "0"})
        assert r.status_code == 403
    assert ListingTable.objects.count() == 1 and ListingTable.objects.get().is_active


def test_another_clinic_neither_sees_nor_uses_the_table(personas) -> None:
    upload(personas.login(personas.admin), TABLE)
    seoul_table = ListingTable.objects.get()
    busan_admin = User.objects.create(
        username="busan-admin", clinic=personas.busan, role=Role.CLINIC_ADMIN
    )
    c = personas.login(busan_admin)
    page = page_text(c.get(reverse(URL)))
    assert "seoul-listing" not in page and "No table has been uploaded." in page
    r = c.post(
        reverse("imaging_studies:listing_table_active", args=[seoul_table.pk]), {"active": "0"}
    )
    assert r.status_code == 404
    assert ListingTable.objects.get(pk=seoul_table.pk).is_active
    # Busan may store its own table with the same id and version.
    assert upload(c, dict(TABLE, rules=TABLE["rules"][:1])).status_code == 302
    assert ListingTable.objects.filter(clinic=personas.busan, is_active=True).count() == 1
    # A Busan clinician's analysis gets Busan's table (rule 0 only: no match), never Seoul's.
    busan = personas.login(personas.outsider)
    r = busan.post(
        reverse("imaging_studies:import", args=[personas.busan_patient.pk]),
        {"files": [SimpleUploadedFile("b.dcm", dx())]},
        follow=True,
    )
    # The file names Kim Minjun: the import job stops at the identity step, the clinician
    # confirms, and the confirmed import leads to the study.
    key = r.context["upload_key"]
    r = busan.post(
        reverse("imaging_studies:confirm_upload", args=[personas.busan_patient.pk, key]),
        {"confirm": "1"},
        follow=True,
    )
    assert r.status_code == 200 and "/imaging/studies/" in r.redirect_chain[-1][0]
    inst = Instance.objects.get(series__study__patient=personas.busan_patient)
    r = post_json(
        busan,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": NASIUM, "listing": "OWN"},
    )
    data = r.json()
    assert data["listing_source"] == "clinician" and data["listing"] == "OWN"
    assert data["proposal"] is None and data["table"] == "seoul-listing@1"
    assert UCAnalysis.objects.get().listing_table is None


# --- the analysis page -------------------------------------------------------------------------


def test_the_analysis_proposes_the_listing_with_its_table_version(personas) -> None:
    upload(personas.login(personas.admin), TABLE)
    table = ListingTable.objects.get()
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    page = page_text(c.get(reverse("imaging_studies:analysis_new", args=[inst.pk])))
    assert "Your clinic's rule table seoul-listing@1 proposes the listing" in page
    assert "Save to see the proposal of the table." in page
    save_url = reverse("imaging_studies:analysis_save", args=[inst.pk])
    r = post_json(c, save_url, {"view": "nasium", "points": NASIUM, "listing": "", "vector": ""})
    data = r.json()
    assert data["values"]["atlas_laterality_deg"] == {"value": 10.12, "unit": "deg", "side": "left"}
    assert data["proposal"] == {
        "listing": "L-TEST",
        "vector": "laterality_deg 10, depth_mm 2.5",
        "table": "seoul-listing@1",
        "rule": 2,
    }
    assert data["listing_source"] == "rule-table" and data["listing"] == "L-TEST"
    assert (data["listing_table"], data["listing_rule"]) == ("seoul-listing@1", 2)
    a = UCAnalysis.objects.get()
    assert (a.listing, a.vector, a.listing_table, a.listing_rule) == (
        "L-TEST",
        "laterality_deg 10, depth_mm 2.5",
        table,
        2,
    )
    log = AccessLogEntry.objects.filter(object_type="imaging_studies.ucanalysis").last()
    assert "listing from seoul-listing@1 rule 2" in log.detail
    # The edit page shows the proposal and where the saved listing came from.
    page = page_text(c.get(reverse("imaging_studies:analysis_edit", args=[a.pk])))
    assert "seoul-listing@1, rule 2" in page
    assert "Saved listing: from the table seoul-listing@1, rule 2" in " ".join(
        page.replace("<code>", "").replace("</code>", "").split()
    )

    # The clinician may enter their own instead: stored as theirs, no table provenance.
    r = post_json(
        c,
        save_url,
        {
            "view": "nasium",
            "points": NASIUM,
            "listing": "MINE",
            "vector": "",
            "use_table": False,
            "analysis_id": a.pk,
        },
    )
    data = r.json()
    assert data["listing_source"] == "clinician" and data["listing"] == "MINE"
    assert data["proposal"]["listing"] == "L-TEST"  # still shown next to it
    a.refresh_from_db()
    assert (a.listing, a.listing_table, a.listing_rule) == ("MINE", None, None)
    page = page_text(c.get(reverse("imaging_studies:analysis_edit", args=[a.pk])))
    assert "Saved listing: entered by the clinician." in page

    # Mirrored APL -> right: rule 0. Level APL -> no rule: the clinician's entry is kept.
    r = post_json(c, save_url, {"view": "nasium", "points": NASIUM_RIGHT})
    assert r.json()["listing"] == "R-TEST" and r.json()["proposal"]["rule"] == 0
    r = post_json(c, save_url, {"view": "nasium", "points": NASIUM_LEVEL, "listing": "ASRP"})
    assert r.json()["proposal"] is None
    assert r.json()["listing_source"] == "clinician" and r.json()["listing"] == "ASRP"
    level = UCAnalysis.objects.get(pk=r.json()["analysis_id"])
    page = page_text(c.get(reverse("imaging_studies:analysis_edit", args=[level.pk])))
    assert "No rule of the table matches these values: enter the listing yourself." in page


def test_an_analysis_keeps_the_version_that_proposed_its_listing(personas) -> None:
    admin = personas.login(personas.admin)
    upload(admin, TABLE)
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    save_url = reverse("imaging_studies:analysis_save", args=[inst.pk])
    post_json(c, save_url, {"view": "nasium", "points": NASIUM})
    upload(admin, version("2"))
    a = UCAnalysis.objects.get()
    assert a.listing_table.label == "seoul-listing@1"
    page = page_text(c.get(reverse("imaging_studies:analysis_edit", args=[a.pk])))
    assert "seoul-listing@2 proposes the listing" in page  # what a new save would use
    assert "from the table seoul-listing@1" in " ".join(
        page.replace("<code>", "").replace("</code>", "").split()
    )
    # The admin's list counts the analyses that each version proposed.
    listing = admin.get(reverse(URL))
    counts = {t.label: t.n_analyses for t in listing.context["tables"]}
    assert counts == {"seoul-listing@1": 1, "seoul-listing@2": 0}


def test_without_an_active_table_the_clinician_enters_the_listing(personas) -> None:
    admin = personas.login(personas.admin)
    upload(admin, TABLE)
    row = ListingTable.objects.get()
    admin.post(reverse("imaging_studies:listing_table_active", args=[row.pk]), {"active": "0"})
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    page = page_text(c.get(reverse("imaging_studies:analysis_new", args=[inst.pk])))
    assert "your clinic has no active listing rule table for this view" in page
    assert "Listing rule tables" not in page  # the link is for clinic admins only
    r = post_json(
        c,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": NASIUM, "listing": "ASRP"},
    )
    assert r.json()["listing_source"] == "clinician" and r.json()["proposal"] is None
    assert r.json()["table"] is None
    # The vertex view has no table either, even while the nasium one is active again.
    admin.post(reverse("imaging_studies:listing_table_active", args=[row.pk]), {"active": "1"})
    page = page_text(
        c.get(reverse("imaging_studies:analysis_new", args=[inst.pk]) + "?view=vertex")
    )
    assert "no active listing rule table for this view" in page


def test_use_table_must_be_true_or_false(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    r = post_json(
        c,
        reverse("imaging_studies:analysis_save", args=[inst.pk]),
        {"view": "nasium", "points": NASIUM, "use_table": "yes"},
    )
    assert r.status_code == 400 and UCAnalysis.objects.count() == 0


def test_admins_find_the_page_from_the_chart_and_the_viewer(personas) -> None:
    imported_study(personas.clinician, personas.patient, dx())
    c = personas.login(personas.clinician)
    inst = Instance.objects.get()
    link = reverse(URL)
    admin = personas.login(personas.admin)
    assert link in admin.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert link in admin.get(reverse("imaging_studies:viewer", args=[inst.pk])).content.decode()
    assert link not in c.get(reverse("imaging_studies:viewer", args=[inst.pk])).content.decode()


def test_nav_links_the_page_for_clinic_admins_only(personas) -> None:
    from django.urls import reverse

    # Admin pages are linked from the one settings page of the navigation.
    link = f'href="{reverse("imaging_studies:listing_tables")}"'
    client = personas.login(personas.admin)
    assert link in client.get(reverse("settings")).content.decode()
    client = personas.login(personas.clinician)
    assert link not in client.get(reverse("patients:list")).content.decode()
    assert link not in client.get(reverse("settings")).content.decode()


def test_views_are_named_by_their_labels(personas) -> None:
    page = page_text(personas.login(personas.admin).get(reverse(URL)))
    assert "Nasium (AP)" in page and "Vertex" in page and "Lateral" in page
