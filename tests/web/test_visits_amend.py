"""Amendments never lose words: an amendment is made against the version its author saw; one
made meanwhile by someone else wins, and the late one is refused with a 409 page showing both
texts and keeping the author's own text, in the user's language."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from tests.factories import care

from atlaschart.visits.models import Amendment, Visit


def signed_visit(personas: Any) -> Visit:
    return care.signed_visit(
        personas.clinician,
        care.visit(personas.clinician, personas.patient),
        subjective="Neck pain 6/10 since Monday.",
    )


def amendment(subjective: str, version: int, reason: str = "onset day corrected") -> dict:
    return {
        "subjective": subjective,
        "objective": "",
        "assessment": "",
        "plan": "",
        "reason": reason,
        "version": version,
    }


MINE = "Neck pain 6/10 since Sunday, as the clinician wrote."
THEIRS = "Neck pain 7/10 since Saturday, as the admin wrote."


@pytest.mark.django_db
def test_the_form_carries_the_version_the_author_saw(personas) -> None:
    visit = signed_visit(personas)
    client = personas.login(personas.clinician)
    page = client.get(reverse("visits:amend", args=[visit.pk])).content.decode()
    assert 'name="version" value="0"' in page
    client.post(reverse("visits:amend", args=[visit.pk]), amendment(MINE, 0))
    page = client.get(reverse("visits:amend", args=[visit.pk])).content.decode()
    assert 'name="version" value="1"' in page
    assert MINE in page  # the form starts from the text as it reads now


@pytest.mark.django_db
def test_a_second_amendment_against_the_same_version_gets_409_with_both_texts(personas) -> None:
    visit = signed_visit(personas)
    url = reverse("visits:amend", args=[visit.pk])
    first, second = personas.login(personas.admin), personas.login(personas.clinician)
    assert first.post(url, amendment(THEIRS, 0)).status_code == 302
    late = second.post(url, amendment(MINE, 0, reason="my reason"))
    assert late.status_code == 409
    page = late.content.decode()
    assert "Someone amended this note while you were writing" in page
    assert MINE in page and THEIRS in page
    assert "my reason" in page  # the reason is kept too
    # The form offered again is based on the stored version, so saving it is deliberate.
    assert 'name="version" value="1"' in page
    assert list(Amendment.objects.filter(visit=visit).values_list("subjective", flat=True)) == [
        THEIRS
    ]
    # Saving it again after comparing works and keeps both amendments.
    assert second.post(url, amendment(MINE, 1)).status_code == 302
    assert Amendment.objects.filter(visit=visit).count() == 2


@pytest.mark.django_db
def test_the_409_page_is_in_korean_for_a_korean_user(personas) -> None:
    visit = signed_visit(personas)
    url = reverse("visits:amend", args=[visit.pk])
    personas.login(personas.admin).post(url, amendment(THEIRS, 0))
    late = personas.login(personas.clinician).post(
        url, amendment(MINE, 0), headers={"accept-language": "ko"}
    )
    assert late.status_code == 409
    page = late.content.decode()
    assert "Someone amended this note" not in page
    assert "저장되지 않았습니다" in page
    assert MINE in page and THEIRS in page


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_amendments_at_the_same_moment_one_wins_and_no_words_are_lost(personas) -> None:
    visit = signed_visit(personas)
    url = reverse("visits:amend", args=[visit.pk])
    clients = {MINE: personas.login(personas.clinician), THEIRS: personas.login(personas.admin)}
    start = threading.Barrier(len(clients), timeout=10)
    responses: dict[str, Any] = {}
    errors: list[BaseException] = []

    def amend(text: str) -> None:
        try:
            start.wait()
            responses[text] = clients[text].post(url, amendment(text, 0))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=amend, args=(text,)) for text in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    codes = sorted(r.status_code for r in responses.values())
    assert codes == [302, 409]
    stored = list(Amendment.objects.filter(visit=visit).values_list("subjective", flat=True))
    assert len(stored) == 1
    winner = stored[0]
    loser = THEIRS if winner == MINE else MINE
    refused = responses[loser].content.decode()
    assert responses[loser].status_code == 409
    # Nothing lost: the winner's text is stored, the loser's is on their page next to it.
    assert loser in refused and winner in refused
