"""A crawler that reads every page a member of staff can reach, for the language tests.

It signs in as one user, picks the page language the way the user does (the language switch),
starts at the home page and follows every same-site ``<a href>`` it finds, GET only. Pages are
deduplicated by URL pattern (with the words in the path, such as an intake step or an exam
kind, but not record ids) and query-parameter names, with at most ``PER_PATTERN`` instances
of each, and at most ``MAX_PAGES`` pages in all, so the crawl stays bounded however large the
clinic. It reads the words a user sees: text outside ``<script>``/``<style>``, and the
``title``, ``aria-label``, ``placeholder`` and ``alt`` attributes; it skips elements marked with
another ``lang`` (the language switch's "English"/"한국어" buttons are meant to be read so), and
``<code>``/``<pre>`` (verbatim text: a file format's example, a command).

What it reports, per page:
- a 500, or a 403 reached from a link (the navigation and the pages must only offer what the
  role may do);
- raw keys: snake_case identifiers, ``code:ID`` strings, Python values (``{'``, ``['``,
  ``None``, ``True``, ``False``);
- Korean crawl: runs of two or more English words outside the allow-list;
- English crawl: Hangul outside the names of the clinic's patients, staff and clinic.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve, reverse

MAX_PAGES = 400
PER_PATTERN = 2

# Links not followed: signing out ends the crawl; the language switch is a POST anyway. Export
# downloads and images are requested (a 500 there counts) but not read as pages.
NOT_FOLLOWED = ("accounts:logout",)

# Words and names an English run may contain on a Korean page: abbreviations clinicians write
# in Latin letters, units, and proper names (techniques, instruments, products, standards).
ALLOWED_LATIN = {
    # the product and file formats
    "atlaschart",
    "dicom",
    "png",
    "jpeg",
    "jpg",
    "pdf",
    "csv",
    "json",
    "zip",
    "svg",
    "qr",
    "id",
    "url",
    "http",
    "https",
    "www",
    "otp",
    "totp",
    "sms",
    "ip",
    "utc",
    "kst",
    "ok",
    # instruments and scales
    "ndi",
    "nprs",
    "psfs",
    "groc",
    "odi",
    "rmdq",
    "bq",
    "hit",
    "dhi",
    "start",
    "back",
    "starT",
    "mcid",
    "mdc",
    "sem",
    "icc",
    "ci",
    "sd",
    "ninds",
    "vas",
    "bmi",
    "rom",
    "atr",
    # techniques and named methods
    "nucca",
    "atlas",
    "orthogonal",
    "ao",
    "blair",
    "orthospinology",
    "knee",
    "chest",
    "toggle",
    "jendrassik",
    "keele",
    "romberg",
    "fukuda",
    "unterberger",
    "babinski",
    "hoffmann",
    "adams",
    "cobb",
    "asrp",
    "asrа",
    "aslp",
    "asla",
    "asr",
    "asl",
    "mediapipe",
    "blazepose",
    "tta",
    # radiograph and imaging words used as names
    "cr",
    "dx",
    "ct",
    "mr",
    "cbct",
    "nm",
    "ot",
    "us",
    "apl",
    "csl",
    "pacs",
    # units
    "mm",
    "cm",
    "kg",
    "ml",
    "mg",
    "mmhg",
    "px",
    "dpi",
    "bpm",
    "min",
    "h",
    "s",
    # legal
    "pipa",
    "hipaa",
    "cfr",
    "gdpr",
}

# Whole phrases allowed as they are written in the field: product names, citations as published
# (author, journal), and names from the DICOM standard shown beside a value taken from the file.
ALLOWED_PHRASES = (
    "Google Authenticator",
    "Microsoft Authenticator",
    "Explicit VR Little Endian",
    "Implicit VR Little Endian",
    "DICOM PixelSpacing",
    "et al",
    "Physiotherapy Canada",
)
ALLOWED_PHRASES_RE = re.compile("|".join(re.escape(p) for p in ALLOWED_PHRASES))
# A citation's authors: a surname and initials ("Dworkin RH", "Ostelo RWJG").
AUTHOR_RE = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)? [A-Z]{1,4}\b(?= et al|,)")
# The second-factor secret shown in groups of capitals for typing ("GT RIOB KPZ KCLA").
SECRET_GROUPS_RE = re.compile(r"\b[A-Z2-7]{2,8}(?: [A-Z2-7]{2,8})+\b")

LONE_VALUE = re.compile(r"[a-z][a-z-]+")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CODE_ID = re.compile(r"\b[a-z][a-z_-]+:[A-Z][A-Z0-9_]*\b")
PY_REPR = re.compile(r"\{'|\['|\bNone\b|\bTrue\b|\bFalse\b")
# On an English page "None" is also a word ("None of these"): there only a Python-looking use
# counts (next to "=", ":", a comma or a bracket), or the whole text being a Python value.
PY_REPR_EN = re.compile(
    r"\{'|\['|[=:(\[,]\s*(?:None|True|False)\b|\b(?:None|True|False)\s*[,)\]}]|^\s*(?:True|False)\s*$"
)
LATIN_WORD = r"[A-Za-z][A-Za-z'’-]*[A-Za-z]"
LATIN_RUN = re.compile(rf"{LATIN_WORD}(?:[ \t]+{LATIN_WORD})+")
HANGUL_RUN = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+(?:[\s·,()]*[\uac00-\ud7a3\u3131-\u318e]+)*")


class _Page(HTMLParser):
    """Visible words and links of one HTML page."""

    # <code> and <pre> hold text meant verbatim (a file format's example, a command to type).
    SKIP = {"script", "style", "template", "noscript", "code", "pre"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    READ_ATTRS = ("title", "aria-label", "placeholder", "alt")

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.texts: list[str] = []
        self.links: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped)

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        other_lang = bool(values.get("lang")) and not values["lang"].startswith(self.language)
        skipped = tag in self.SKIP or other_lang
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if not self._skipping() and not skipped:
            for name in self.READ_ATTRS:
                if values.get(name):
                    self.texts.append(values[name])
            if (
                tag == "input"
                and values.get("type") in ("submit", "button")
                and values.get("value")
            ):
                self.texts.append(values["value"])
        if tag not in self.VOID:
            self._stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.texts.append(data)


@dataclass
class Finding:
    url_name: str
    url: str
    problem: str  # "500", "403", "raw key", "english", "hangul"
    text: str

    def __str__(self) -> str:
        return f"{self.url_name} {self.url}: {self.problem}: {self.text!r}"


@dataclass
class CrawlResult:
    pages: int = 0
    requests: int = 0
    patterns: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def _pattern_key(path: str, query: str) -> tuple[str, str] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    keys = ",".join(sorted({k for k, _v in parse_qsl(query, keep_blank_values=True)}))
    # A word in the path (an intake step, an exam kind) names a different page, not another
    # record: it is part of the pattern. Record ids are not.
    words = ",".join(f"{k}={v}" for k, v in sorted(match.kwargs.items()) if not str(v).isdigit())
    return match.view_name, f"{match.route}[{words}]?{keys}"


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    parts = sorted({n for n in names if n and n.strip()}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile("|".join(re.escape(p) for p in parts))


def crawl(
    client: Client,
    language: str,
    names: Iterable[str],
    start: str | list[str] = "/",
    max_pages: int = MAX_PAGES,
    allowed_text: Iterable[str] = (),
) -> CrawlResult:
    """Crawl from ``start`` as the client's user, reading pages in ``language`` ("ko"/"en").

    ``names`` are the record texts that may be in either language (patients', staff and clinic
    names, addresses); ``allowed_text`` are other exact strings allowed (data from a file)."""
    result = CrawlResult()
    names_re = _names_pattern([*names, *allowed_text])
    seen_urls: set[str] = set()
    per_pattern: dict[tuple[str, str], int] = {}
    starts = [start] if isinstance(start, str) else start
    queue: deque[tuple[str, str]] = deque((url, "") for url in starts)
    while queue and result.pages < max_pages:
        url, came_from = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            continue
        key = _pattern_key(parts.path, parts.query)
        if key is None or key[0] in NOT_FOLLOWED:
            continue
        if url in seen_urls or per_pattern.get(key, 0) >= PER_PATTERN:
            continue
        seen_urls.add(url)
        per_pattern[key] = per_pattern.get(key, 0) + 1
        response = client.get(url)
        result.requests += 1
        if response.status_code >= 500:
            result.findings.append(Finding(key[0], url, "500", f"from {came_from}"))
            continue
        if response.status_code == 403:
            result.findings.append(Finding(key[0], url, "403", f"from {came_from}"))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            queue.appendleft((urljoin(url, response["Location"]), url))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        result.pages += 1
        result.patterns.add(key[0])
        page = _Page(language)
        page.feed(response.content.decode("utf-8", "replace"))
        for problem, text in problems(page.texts, language, names_re):
            result.findings.append(Finding(key[0], url, problem, text))
        for href in page.links:
            target = urljoin(url, href.split("#")[0])
            if target and urlsplit(target).path:
                queue.append((target, url))
    return result


def problems(
    texts: list[str], language: str, names_re: re.Pattern[str] | None
) -> Iterable[tuple[str, str]]:
    """Raw keys and words of the other language in a page's visible texts."""
    for raw in texts:
        text = names_re.sub(" ", raw) if names_re else raw
        text = SECRET_GROUPS_RE.sub(" ", ALLOWED_PHRASES_RE.sub(" ", AUTHOR_RE.sub(" ", text)))
        for match in SNAKE.finditer(text):
            yield "raw key", match.group()
        for match in CODE_ID.finditer(text):
            yield "raw key", match.group()
        for match in (PY_REPR if language == "ko" else PY_REPR_EN).finditer(text):
            yield "raw key", text[max(0, match.start() - 20) : match.end() + 20].strip()
        if language == "ko":
            # A lone lowercase English word as a whole text ("current", "high", "migraine") is
            # a stored value shown as it is kept, not a word written for the reader.
            lone = text.strip().strip(".,:;()")
            if LONE_VALUE.fullmatch(lone) and lone not in ALLOWED_LATIN:
                yield "raw key", lone
            for match in LATIN_RUN.finditer(text):
                words = re.findall(LATIN_WORD, match.group())
                if any(w.lower().strip("'’-") not in ALLOWED_LATIN for w in words):
                    yield "english", match.group()
        else:
            for match in HANGUL_RUN.finditer(text):
                yield "hangul", match.group()


def sign_in(login: Callable[[Any], Client], user: object, language: str) -> Client:
    """A client signed in as ``user`` (by ``login``: ``personas.login``) that chose
    ``language`` with the language switch."""
    client = login(user)
    response = client.post(reverse("accounts:set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    return client


def demo_names(clinic: object) -> list[str]:
    """Texts of the clinic's records that are names or addresses (in whichever script)."""
    from atlaschart.accounts.models import User
    from atlaschart.patients.models import Patient

    out: list[str] = []
    clinic_name = str(getattr(clinic, "name", ""))
    out += [clinic_name, *re.split(r"[()]", clinic_name), str(getattr(clinic, "address", ""))]
    for p in Patient.objects.filter(clinic=clinic):
        out += [p.name, p.name_latin, str(p)]
    for u in User.objects.filter(clinic=clinic):
        out += [u.display_name, u.username, str(u)]
    from atlaschart.visits.models import ConsultationRequest

    out += list(ConsultationRequest.objects.filter(clinic=clinic).values_list("name", flat=True))
    return [n.strip() for n in out if n and n.strip()]


def allowed(findings: list[Finding], known: dict[str, set[str]]) -> list[Finding]:
    """Findings not in the known-failure list (keyed by URL name, then the exact text)."""
    return [f for f in findings if f.text not in known.get(f.url_name, set())]


ROLES = ("front_desk", "clinician", "admin")


def crawl_clinic(
    login: Callable[[Any], Client], slug: str, language: str
) -> tuple[dict[str, int], list[Finding]]:
    """Crawl the demo clinic ``slug`` in ``language`` as each role (signed in by ``login``,
    ``personas.login``), then as the patient of a new intake link; pages read per role and the
    findings, each marked with its role."""
    from tests.factories.intake import CONSENT, answered, intake_link

    from atlaschart.accounts.models import User
    from atlaschart.clinics.models import Clinic
    from atlaschart.intake import steps
    from atlaschart.patients.models import Patient

    clinic = Clinic.objects.get(slug=slug)
    names = demo_names(clinic)
    pages: dict[str, int] = {}
    findings: list[Finding] = []
    for role in ROLES:
        user = User.objects.get(clinic=clinic, role=role)
        result = crawl(sign_in(login, user, language), language, names)
        pages[role] = result.pages
        findings += [
            Finding(f.url_name, f.url, f.problem, f"[{role}] {f.text}") for f in result.findings
        ]
    # The patient's side: a new intake link, opened without signing in, in the same language.
    desk = User.objects.get(clinic=clinic, role="front_desk")
    patient = Patient.objects.filter(clinic=clinic).order_by("chart_number").first()
    assert patient is not None
    link, token = intake_link(desk, patient)
    # Consent given first (as on the first step), so every later step can be opened.
    answered(link, CONSENT)
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
