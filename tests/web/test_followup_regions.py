"""The follow-up's body map: every region marked before is re-asked, new ones can be added, and
a patient with no body map at intake still gets one (regions chosen fresh). The clinician marks
the chief-complaint (local) regions on the intake page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories.intake import followup_link, link_of, submitted_intake

from atlaschart.audit.models import AccessLogEntry
from atlaschart.intake.models import FollowUp, LocalRegions

pytestmark = pytest.mark.django_db

BODY_MAP = {
    "q_nprs_q1": "7",
    "pain_neck": "8",
    "quality_neck": ["aching"],
    "pain_low_back_right": "4",
    "pain_moves": "no",
}


def test_followup_reasks_the_regions_marked_at_intake_and_takes_new_ones(personas) -> None:
    submitted_intake(
        personas.desk, personas.patient, BODY_MAP, instruments=("nprs",), language="en"
    )
    _link, token = followup_link(personas.clinician, personas.patient, ["nprs"])
    assert link_of(token).carried["regions"] == ["neck", "low_back_right"]
    client = Client()
    page = client.get(reverse("intake:fill", args=[token, "pain"]) + "?lang=en").content.decode()
    carried_part, others = page.split("Does it hurt anywhere else now?")
    assert 'id="region-neck"' in carried_part and 'id="region-low_back_right"' in carried_part
    assert 'id="region-leg_left"' in others and 'id="region-neck"' not in others
    assert "Does the pain move" not in page  # a follow-up re-rates the regions only
    posted = client.post(
        reverse("intake:fill", args=[token, "pain"]),
        {
            "pain_neck": "3",
            "quality_neck": ["tingling"],
            "pain_low_back_right": "6",
            "pain_leg_left": "5",
        },
    )
    assert posted.status_code == 302 and posted.url.endswith("/questionnaires/")
    client.post(reverse("intake:fill", args=[token, "questionnaires"]), {"q_nprs_q1": "4"})
    review = client.get(reverse("intake:fill", args=[token, "review"])).content.decode()
    assert "Neck 3/10" in review and "Left leg or foot 5/10" in review
    assert client.post(reverse("intake:submit", args=[token])).status_code == 302
    followup = FollowUp.objects.get()
    assert followup.answers["pain_neck"] == "3" and followup.answers["pain_leg_left"] == "5"
    # The next follow-up re-asks the region added at this one too.
    _link, second = followup_link(personas.clinician, personas.patient, ["nprs"])
    assert link_of(second).carried["regions"] == ["neck", "low_back_right", "leg_left"]


def test_followup_without_an_intake_body_map_offers_every_region(personas) -> None:
    submitted_intake(
        personas.desk, personas.patient, {"q_nprs_q1": "6"}, instruments=("nprs",), language="ko"
    )
    _link, token = followup_link(personas.clinician, personas.patient, ["nprs"])
    assert link_of(token).carried["regions"] == []
    page = Client().get(reverse("intake:fill", args=[token, "pain"]) + "?lang=ko")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="region-neck"' in text and "전에 표시하신" not in text


def test_a_followup_pain_value_outside_the_scale_is_refused_in_words(personas) -> None:
    submitted_intake(
        personas.desk, personas.patient, BODY_MAP, instruments=("nprs",), language="en"
    )
    _link, token = followup_link(personas.clinician, personas.patient, ["nprs"])
    page = Client().post(
        reverse("intake:fill", args=[token, "pain"]) + "?lang=en", {"pain_neck": "11"}
    )
    assert page.status_code == 400
    assert "pain_neck" not in page.content.decode().split('role="alert"')[1][:200]
    assert "pain_neck" not in link_of(token).draft


def _intake_id(personas) -> int:
    return submitted_intake(
        personas.desk, personas.patient, BODY_MAP, instruments=("nprs",), language="en"
    ).pk


@pytest.mark.parametrize("language", ["ko", "en"])
def test_clinician_confirms_the_local_regions(personas, language) -> None:
    intake_id = _intake_id(personas)
    client = personas.login(personas.clinician, language)
    page = client.get(reverse("intake:detail", args=[intake_id])).content.decode()
    assert 'name="local" value="neck"' in page
    assert (
        ("주 호소: 국소 부위" in page) if language == "ko" else ("Chief complaint: local" in page)
    )
    response = client.post(reverse("intake:local_regions", args=[intake_id]), {"local": ["neck"]})
    assert response.status_code == 302
    assert LocalRegions.objects.get().regions == ["neck"]
    assert AccessLogEntry.objects.filter(detail="chief-complaint regions confirmed").exists()


def test_local_regions_refuse_a_region_not_marked(personas) -> None:
    intake_id = _intake_id(personas)
    client = personas.login(personas.clinician)
    response = client.post(
        reverse("intake:local_regions", args=[intake_id]), {"local": ["leg_left"]}, follow=True
    )
    assert response.status_code == 200
    assert not LocalRegions.objects.exists()


def test_front_desk_cannot_confirm_local_regions_and_writes_nothing(personas) -> None:
    intake_id = _intake_id(personas)
    response = personas.login(personas.desk).post(
        reverse("intake:local_regions", args=[intake_id]), {"local": ["neck"]}
    )
    assert response.status_code == 403
    assert not LocalRegions.objects.exists()


def test_another_clinic_cannot_confirm_local_regions(personas) -> None:
    intake_id = _intake_id(personas)
    response = personas.login(personas.outsider).post(
        reverse("intake:local_regions", args=[intake_id]), {"local": ["neck"]}
    )
    assert response.status_code == 404
    assert not LocalRegions.objects.exists()
