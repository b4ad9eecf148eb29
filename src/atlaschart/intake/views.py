from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import qrcode.image.svg
import qrcode.main
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.intake import presenters, services, steps
from atlaschart.intake.access import (
    LinkUnusable,
    get_followup_for_user,
    get_intake_for_user,
    get_intake_link_for_user,
    local_regions_of_patient,
    responses_of_clinic,
    wording_packs_of,
)
from atlaschart.intake.forms import FollowUpForm, IntakeSettingsForm, WordingPackForm
from atlaschart.intake.models import IntakeLink, LinkKind
from atlaschart.intake.names import instrument_name
from atlaschart.lib.actor import Actor
from atlaschart.lib.client import client_ip
from atlaschart.lib.http import AuthenticatedHttpRequest, clinic_id_of
from atlaschart.lib.jsonbody import BadJSON, parse_json
from atlaschart.lib.policy import Kind, Permission, allows, permission_required, require
from atlaschart.measure.instruments import INSTRUMENTS, load_wording_pack
from atlaschart.patients.access import get_patient_for_user

MAX_AUTOSAVE_BYTES = 64 * 1024

# --- clinic admin ------------------------------------------------------------------------


@permission_required(Kind.CLINIC_SETTINGS, Permission.READ)
def intake_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        require(request.user, Kind.CLINIC_SETTINGS, Permission.WRITE)
    clinic_id = clinic_id_of(request)
    packs = services.packs_of_clinic(clinic_id)
    current = services.settings_for(clinic_id)
    form = IntakeSettingsForm(
        request.POST or None,
        packs=packs,
        initial={"instruments": current.instruments, "expiry_hours": current.expiry_hours},
    )
    if request.method == "POST" and form.is_valid():
        services.save_settings(
            Actor.of(request), form.cleaned_data["instruments"], form.cleaned_data["expiry_hours"]
        )
        messages.success(request, _("The intake settings were saved."))
        return redirect("intake:settings")
    return render(
        request, "intake/settings.html", {"form": form}, status=400 if form.errors else 200
    )


@permission_required(Kind.CLINIC_SETTINGS, Permission.READ)
def wording_packs(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        require(request.user, Kind.CLINIC_SETTINGS, Permission.WRITE)
    clinic_id = clinic_id_of(request)
    form = WordingPackForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        pack = load_wording_pack(data)
        services.save_wording_pack(Actor.of(request), pack, data)
        messages.success(
            request,
            _("The wording for %(name)s (%(language)s) was saved.")
            % {"name": instrument_name(pack.instrument), "language": pack.language},
        )
        return redirect("intake:packs")
    loaded = {(p.instrument, p.language): p for p in wording_packs_of(clinic_id)}
    rows = []
    for instrument in INSTRUMENTS.values():
        if instrument.needs_wording_pack:
            rows.append(
                {
                    "instrument": instrument,
                    "packs": [
                        (lang, loaded.get((instrument.id, lang))) for lang in instrument.languages
                    ],
                }
            )
    return render(
        request,
        "intake/packs.html",
        {"form": form, "rows": rows},
        status=400 if form.errors else 200,
    )


# --- staff: links and submitted intakes --------------------------------------------------


def _qr_svg(url: str) -> str:
    image = qrcode.main.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML declaration for inline use


@require_POST
@permission_required(Kind.INTAKE_LINK, Permission.WRITE)
def link_create(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.of(request)
    patient = get_patient_for_user(actor, patient_id, detail="intake link")
    if not services.instruments_of_new_link(patient) and request.POST.get("empty_ok") != "1":
        # The clinic chose no questionnaire: say so before a link goes out without any.
        return render(
            request,
            "intake/link_empty_warning.html",
            {
                "patient": patient,
                "can_settings": allows(request.user, Kind.CLINIC_SETTINGS, Permission.WRITE),
            },
        )
    link, token = services.create_link(actor, patient)
    url = request.build_absolute_uri(reverse("intake:fill", args=[token, "complaints"]))
    # Rendered, not redirected: the token exists only in this response.
    return render(
        request,
        "intake/link_created.html",
        {
            "patient": patient,
            "link": link,
            "url": url,
            "qr_svg": _qr_svg(url),
        },
    )


@require_POST
@permission_required(Kind.INTAKE_LINK, Permission.WRITE)
def link_revoke(request: AuthenticatedHttpRequest, link_id: int) -> HttpResponse:
    """Withdraw an unused link (wrong patient, wrong number); its token then opens nothing."""
    actor = Actor.of(request)
    link = get_intake_link_for_user(actor, link_id, detail="revoke link")
    try:
        services.revoke_link(actor, link)
    except services.LinkNotRevocable as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The link was revoked: it can no longer be opened."))
    return redirect(reverse("patients:chart", args=[link.patient_id]) + "#intake")


@permission_required(Kind.INTAKE_LINK, Permission.WRITE)
def followup_create(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Choose the questionnaires of a follow-up, then show its link once (or, with "fill now",
    open it on this device for the patient).

    Front desk may send the link but not read answers, so it is not shown the names of the
    activities the patient rated (an answer); the page only says that PSFS re-rates them."""
    actor = Actor.of(request)
    patient = get_patient_for_user(actor, patient_id, detail="follow-up link")
    shows_answers = allows(request.user, Kind.INTAKE_ANSWERS, Permission.READ)
    done = services.instruments_done(patient)
    baseline = services.baseline_psfs(patient)
    activities = services.rated_activities(baseline.answers) if baseline else []
    # Ticked: what the patient answered before (a PSFS only with activities to re-rate) + GROC.
    initial = [i for i in done if i != "groc" and (i != "psfs" or activities)] + ["groc"]
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        packs=services.packs_of_clinic(patient.clinic_id),
        done=done,
        psfs_activities=activities,
        show_activity_names=shows_answers,
        initial={"instruments": initial},
    )
    if request.method == "POST" and form.is_valid() and request.POST.get("send_email"):
        # Sent by the task (in-process without a broker): the link is made and mailed there.
        from atlaschart.intake import sending, tasks

        try:
            sending.check_can_send(patient, "email")
        except sending.SendingRefused as refused:
            form.add_error(None, str(refused))
        else:
            tasks.send_followup_link.delay(
                request.user.pk, patient.pk, form.cleaned_data["instruments"], "email"
            )
            messages.success(request, _("The follow-up link is being sent by e-mail."))
            return redirect(reverse("patients:chart", args=[patient.pk]))
    elif request.method == "POST" and form.is_valid():
        try:
            link, token = services.create_followup_link(
                actor, patient, form.cleaned_data["instruments"]
            )
        except services.FollowUpRefused as refused:
            form.add_error("instruments", str(refused))
        else:
            path = reverse("intake:fill", args=[token, steps.FOLLOWUP_STEPS[0][0]])
            if request.POST.get("fill_now"):
                # The clinic's device is handed to the patient; the token goes with the redirect.
                return redirect(path)
            url = request.build_absolute_uri(path)
            return render(
                request,
                "intake/link_created.html",
                {
                    "patient": patient,
                    "link": link,
                    "url": url,
                    "qr_svg": _qr_svg(url),
                    "followup": True,
                },
            )
    return render(
        request,
        "intake/followup_create.html",
        {"patient": patient, "form": form, "activities": activities if shows_answers else []},
        status=400 if form.errors else 200,
    )


@permission_required(Kind.INTAKE_ANSWERS, Permission.READ)
def intake_detail(request: AuthenticatedHttpRequest, intake_id: int) -> HttpResponse:
    actor = Actor.of(request)
    intake = get_intake_for_user(actor, intake_id)
    packs = services.packs_of_clinic(intake.clinic_id)
    with translation.override(intake.language):
        # The patient's answers to the questions in the language they were asked in.
        safety = presenters.safety_answers(intake.language, intake.answers)
    responses = responses_of_clinic(actor).filter(intake=intake).order_by("instrument")
    return render(
        request,
        "intake/detail.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "summary": presenters.review_summary(intake.answers),
            "safety": safety,
            "responses": [presenters.response_view(r, packs) for r in responses],
            "local_regions": presenters.local_region_choices(
                services.regions_marked_before(intake.patient),
                local_regions_of_patient(intake.patient),
            ),
        },
    )


@require_POST
@permission_required(Kind.EXAM, Permission.WRITE)
def local_regions_confirm(request: AuthenticatedHttpRequest, intake_id: int) -> HttpResponse:
    """The clinician ticks which marked regions are the chief complaint (local); the others are
    distant on the progress page. A clinician's judgement, so the exam permission guards it."""
    actor = Actor.of(request)
    intake = get_intake_for_user(actor, intake_id)
    try:
        services.confirm_local_regions(actor, intake.patient, request.POST.getlist("local"))
    except services.LocalRegionsRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The chief-complaint regions are saved."))
    return redirect(reverse("intake:detail", args=[intake.pk]) + "#local-regions")


@permission_required(Kind.INTAKE_ANSWERS, Permission.READ)
def followup_detail(request: AuthenticatedHttpRequest, followup_id: int) -> HttpResponse:
    actor = Actor.of(request)
    followup = get_followup_for_user(actor, followup_id)
    packs = services.packs_of_clinic(followup.clinic_id)
    responses = responses_of_clinic(actor).filter(followup=followup).order_by("instrument")
    return render(
        request,
        "intake/followup_detail.html",
        {
            "followup": followup,
            "patient": followup.patient,
            "pain_regions": presenters.review_summary(followup.answers)["regions"],
            "responses": [presenters.response_view(r, packs) for r in responses],
        },
    )


# --- patient pages (no login; the token is the only key) ---------------------------------


def _patient(request: HttpRequest) -> Actor:
    """The patient filling a link: no user, even on a clinic device where staff are signed in
    ("fill in now"), because the answers are the patient's, not the member of staff's."""
    return Actor(user=None, client_ip=client_ip(request))


def _unusable(request: HttpRequest) -> HttpResponse:
    # The same page for unknown, expired and used links: nothing about patient or clinic.
    language = request.GET.get("lang") if request.GET.get("lang") in ("ko", "en") else "ko"
    with translation.override(language):
        return render(request, "intake/unusable.html", {"lang": language}, status=410)


def _page_language(request: HttpRequest, link: IntakeLink) -> str:
    wanted = request.GET.get("lang")
    if wanted in ("ko", "en") and wanted != link.language:
        services.set_language(_patient(request), link, wanted)
    return link.language if link.language in ("ko", "en") else "ko"


@login_not_required
def fill(request: HttpRequest, token: str, step: str) -> HttpResponse:
    patient = _patient(request)
    try:
        link = services.usable_link(patient, token)
    except LinkUnusable:
        return _unusable(request)
    spec = steps.spec_of(link)
    keys = spec.step_keys
    if step not in keys:
        return redirect("intake:fill", token=token, step=keys[0])
    lang = _page_language(request, link)
    if (
        not spec.followup
        and step not in ("consent", "review")
        and not steps.consent_given(link.draft)
    ):
        # Nothing about health is asked before both consents; a refusal goes to the last step.
        target = "review" if steps.consent_refused(link.draft) else "consent"
        return redirect("intake:fill", token=token, step=target)
    error = ""
    with translation.override(lang):
        if request.method == "POST":
            saved = _save_posted_step(request, patient, link, spec, token, step)
            if isinstance(saved, HttpResponse):
                return saved
            error = saved
        elif step == keys[0] and link.draft_saved_at is None:
            services.log_link_opened(patient, link)
        context = _fill_context(link, spec, token, step, lang, error)
        return render(request, "intake/fill.html", context, status=400 if error else 200)


def _save_posted_step(
    request: HttpRequest,
    patient: Actor,
    link: IntakeLink,
    spec: steps.FormSpec,
    token: str,
    step: str,
) -> HttpResponse | str:
    """Save the posted step: a redirect to the step to show next, or the error to show here."""
    raw = {
        key: request.POST.getlist(key)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "go")
    }
    error = ""
    try:
        cleaned = steps.clean_step(step, raw, spec)
        services.save_step(patient, link, step, cleaned)
    except steps.FieldError as problem:
        error = str(problem)
    except LinkUnusable:
        return _unusable(request)
    if error:
        return error
    keys = spec.step_keys
    going_back = request.POST.get("go") == "back"
    index = keys.index(step)
    target_index = index - 1 if going_back else index + 1
    target_index = max(0, min(target_index, len(keys) - 1))
    if step == "consent" and not going_back:
        if steps.consent_refused(link.draft):
            target_index = keys.index("review")
        elif not steps.consent_given(link.draft):
            return _("Please answer both consent questions.")
    return redirect("intake:fill", token=token, step=keys[target_index])


def _fill_context(
    link: IntakeLink, spec: steps.FormSpec, token: str, step: str, lang: str, error: str
) -> dict[str, Any]:
    """What the fill page shows for one step: the frame common to every step, then its own."""
    keys = spec.step_keys
    packs = (
        services.packs_of_clinic(link.clinic_id)
        if step in ("questionnaires", "review") or spec.followup
        else {}
    )
    index = keys.index(step)
    titles = dict(spec.steps)
    context: dict[str, Any] = {
        "token": token,
        "step": step,
        "lang": lang,
        "error": error,
        "followup": spec.followup,
        "steps": [(key, title, i <= index) for i, (key, title) in enumerate(spec.steps)],
        "step_title": titles[step],
        "step_number": index + 1,
        "step_count": len(keys),
        "first": index == 0,
        "last": step == "review",
        "draft": link.draft,
        "expires_at": link.expires_at,
        "clinic_name": link.clinic.name,
        "max_text": steps.MAX_TEXT,
        "consent_refused": steps.consent_refused(link.draft),
    }
    context.update(_STEP_CONTEXT[step](link, spec, packs, lang))
    return context


_Packs = dict[str, dict[str, dict[str, Any]]]


def _consent_context(
    link: IntakeLink, spec: steps.FormSpec, packs: _Packs, lang: str
) -> dict[str, Any]:
    return {"agree": steps.AGREE, "consent": presenters.consent_notice(lang)}


def _complaints_context(
    link: IntakeLink, spec: steps.FormSpec, packs: _Packs, lang: str
) -> dict[str, Any]:
    return {"onset_kinds": steps.ONSET_KINDS, "durations": steps.DURATIONS}


def _pain_context(
    link: IntakeLink, spec: steps.FormSpec, packs: _Packs, lang: str
) -> dict[str, Any]:
    rows = presenters.region_rows(link.draft)
    carried = set(spec.carried_regions)
    return {
        # A follow-up asks the regions marked before first, then offers the others.
        "carried_regions": [r for r in rows if r["key"] in carried],
        "regions": [r for r in rows if r["key"] not in carried],
        "qualities": steps.QUALITIES,
        "intensities": steps.INTENSITIES,
        "yes_no_unsure": steps.YES_NO_UNSURE,
        "postures": steps.POSTURES,
    }


def _history_context(
    link: IntakeLink, spec: steps.FormSpec, packs: _Packs, lang: str
) -> dict[str, Any]:
    return {
        "treatments": steps.TREATMENTS,
        "results": steps.TREATMENT_RESULTS,
        "symptoms": steps.SYMPTOMS,
        "yes_no": steps.YES_NO,
    }


def _safety_context(
    link: IntakeLink, spec: steps.FormSpec, packs: _Packs, lang: str
) -> dict[str, Any]:
    return {"questions": presenters.safety_blocks(lang, link.draft)}


def _questionnaires_context(
    link: IntakeLink, spec: steps.FormSpec, packs: _Packs, lang: str
) -> dict[str, Any]:
    return {"blocks": presenters.questionnaire_blocks(spec, packs, lang, link.draft)}


def _review_context(
    link: IntakeLink, spec: steps.FormSpec, packs: _Packs, lang: str
) -> dict[str, Any]:
    if spec.followup:
        rows = presenters.followup_summary(spec, packs, lang, link.draft)
        return {
            "pain_regions": presenters.review_summary(link.draft)["regions"],
            "followup_rows": rows,
            "followup_incomplete": any(not row["complete"] for row in rows),
        }
    return {
        "summary": presenters.review_summary(link.draft),
        "safety": presenters.safety_answers(lang, link.draft),
        "questionnaires": presenters.followup_summary(spec, packs, lang, link.draft),
        "consent": presenters.consent_notice(lang),
    }


_STEP_CONTEXT: dict[str, Callable[[IntakeLink, steps.FormSpec, _Packs, str], dict[str, Any]]] = {
    "consent": _consent_context,
    "complaints": _complaints_context,
    "pain": _pain_context,
    "history": _history_context,
    "safety": _safety_context,
    "questionnaires": _questionnaires_context,
    "review": _review_context,
}


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


@login_not_required
@require_POST
def autosave(request: HttpRequest, token: str) -> JsonResponse:
    """``{"step": "pain", "fields": {"pain_neck": "6", "quality_neck": ["aching"]}}`` replaces
    that step's answers in the draft. Malformed input is a 400 with a message; nothing is saved."""
    patient = _patient(request)
    try:
        link = services.usable_link(patient, token)
    except LinkUnusable:
        return _json_error(_("This link can no longer be used."), status=410)
    with translation.override(link.language):
        if len(request.body) > MAX_AUTOSAVE_BYTES:
            return _json_error(_("Too much data in one save."))
        try:
            payload = parse_json(request.body, max_bytes=MAX_AUTOSAVE_BYTES)
        except BadJSON as bad:
            return _json_error(str(bad))
        if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
            return _json_error(_('Expected an object with "step" and "fields".'))
        step = payload.get("step")
        spec = steps.spec_of(link)
        if not isinstance(step, str) or step not in spec.step_keys:
            return _json_error(_("Unknown step."))
        try:
            cleaned = steps.clean_step(step, payload["fields"], spec)
            services.save_step(patient, link, step, cleaned)
        except steps.FieldError as problem:
            return _json_error(str(problem))
        except LinkUnusable:
            return _json_error(_("This link can no longer be used."), status=410)
        saved = (
            timezone.localtime(link.draft_saved_at).strftime("%H:%M:%S")
            if link.draft_saved_at
            else ""
        )
        return JsonResponse({"ok": True, "saved_at": saved})


@login_not_required
@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    patient = _patient(request)
    try:
        link = services.usable_link(patient, token)
        lang = link.language
        if link.kind == LinkKind.FOLLOWUP:
            services.submit_followup(patient, link)
        else:
            services.submit_intake(patient, link)
    except LinkUnusable:
        return _unusable(request)
    except services.ConsentMissing:
        return redirect("intake:fill", token=token, step="consent")
    return redirect(reverse("intake:done") + f"?lang={lang}")


@login_not_required
def done(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("lang") if request.GET.get("lang") in ("ko", "en") else "ko"
    with translation.override(language):
        return render(request, "intake/done.html", {"lang": language})
