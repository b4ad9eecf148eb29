"""Every page of the living demo, read as a Korean user of each role.

The Seoul demo clinic is loaded (``atlaschart demo``: six patients at every stage of care), then
each role signs in, chooses 한국어 with the language switch and follows every link it is offered
(tests/web/crawl_support.py); then a patient opens a new intake link without signing in. It fails
on a 500, on a 403 reached from a link, on raw keys (``snake_case``, ``code:ID``, Python values)
and on runs of English words outside the allow-list of abbreviations, units and proper names.

Strings that other apps' pages still show are listed in ``KNOWN_FAILURES`` below, keyed by URL
name, so that each owner removes their entries as they translate them (the test prints entries
that no longer occur).
"""

from __future__ import annotations

import pytest
from tests.web.crawl_support import Finding, crawl, demo_names, sign_in

from atlaschart.accounts.models import User
from atlaschart.clinics.demo import load_demo
from atlaschart.clinics.models import Clinic

ROLES = ("front_desk", "clinician", "admin")

# Known failures on pages owned by other apps: URL name -> the exact strings found ("*": any
# finding on that page, for a page whose texts are stored data that the owner must put in words).
# Remove an entry when the page is fixed; the test prints entries that no longer occur.
KNOWN_FAILURES: dict[str, set[str]] = {}


def _crawl_clinic(slug: str, language: str) -> tuple[dict[str, int], list[Finding]]:
    clinic = Clinic.objects.get(slug=slug)
    names = demo_names(clinic)
    pages: dict[str, int] = {}
    findings: list[Finding] = []
    for role in ROLES:
        user = User.objects.get(clinic=clinic, role=role)
        result = crawl(sign_in(user, language), language, names)
        pages[role] = result.pages
        findings += [
            Finding(f.url_name, f.url, f.problem, f"[{role}] {f.text}") for f in result.findings
        ]
    # The patient's side: a new intake link, opened without signing in, in the same language.
    from django.test import Client

    from atlaschart.intake.services import create_link
    from atlaschart.lib.actor import Actor
    from atlaschart.patients.models import Patient

    desk = User.objects.get(clinic=clinic, role="front_desk")
    patient = Patient.objects.filter(clinic=clinic).order_by("chart_number").first()
    link, token = create_link(Actor.system(desk, via="test"), patient)
    # Consent given first (as on the first step), so every later step can be opened.
    from atlaschart.intake import steps
    from atlaschart.intake.services import save_step

    consent = {name: "yes" for name in steps.CONSENT_FIELDS}
    save_step(
        Actor.system(None, via="test"),
        link,
        "consent",
        steps.clean_step("consent", consent, steps.spec_of(link)),
    )
    anonymous = Client()
    anonymous.post("/accounts/language/", {"language": language, "next": "/"})
    # The steps are reached by the form's buttons (POST), so each step's page is a start.
    step_pages = [f"/intake/p/{token}/{step}/" for step in steps.spec_of(link).step_keys]
    result = crawl(anonymous, language, names, start=step_pages)
    pages["patient"] = result.pages
    findings += [
        Finding(f.url_name, f.url, f.problem, f"[patient] {f.text}") for f in result.findings
    ]
    return pages, findings


def check(pages: dict[str, int], findings: list[Finding], known: dict[str, set[str]]) -> None:
    """Fail on every finding not in ``known``; print the known entries no longer found."""

    def bare(f: Finding) -> str:
        return f.text.split("] ", 1)[1]

    def is_known(f: Finding) -> bool:
        texts = known.get(f.url_name, set())
        return "*" in texts or bare(f) in texts

    new = [f for f in findings if not is_known(f)]
    seen = {(f.url_name, bare(f)) for f in findings}
    stale = sorted(
        f"{name}: {text!r}"
        for name, texts in known.items()
        for text in texts
        if text != "*" and (name, text) not in seen
    )
    print(f"pages read per role: {pages}; findings: {len(findings)} ({len(new)} not known)")
    for line in stale:
        print("KNOWN FAILURE NO LONGER FOUND (remove it):", line)
    unique = sorted({str(f) for f in new})
    for line in unique:
        print("FINDING", line)
    assert not unique, "\n".join(unique[:200])


@pytest.mark.django_db
def test_every_page_reads_in_korean_for_every_role(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_demo(only=("seoul-demo",))
    pages, findings = _crawl_clinic("seoul-demo", "ko")
    # The crawl reaches the clinic's pages, not just the start page.
    assert pages["clinician"] >= 30 and pages["front_desk"] >= 8 and pages["admin"] >= 30
    check(pages, findings, KNOWN_FAILURES)
