"""What the patient pages show: per-step view models built from the steps, the cores and the
clinic's wording packs (plain dicts for the templates)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.intake import steps
from atlaschart.intake.names import instrument_name
from atlaschart.intake.services import wording_language
from atlaschart.measure.instruments import INSTRUMENTS, Instrument
from atlaschart.measure.instruments.free import PSFS_FOLLOWUP_INSTRUCTIONS, PSFS_RATING_ANCHORS


def _item_view(
    instrument: Instrument, item: Any, pack: dict[str, Any] | None, lang: str, draft: dict[str, Any]
) -> dict[str, Any]:
    field = f"q_{instrument.id}_{item.id}"
    values = [str(v) for v in item.accepted_values()]
    if pack is None:  # free instrument: wording ships with the core
        text = item.text[lang]
        labels = [o.text.get(lang, str(o.score)) for o in item.options]
        # A 0..10 row of numbers (NPRS); any other long list, such as the GROC's -7..+7 with a
        # word for each step, is a list of labelled choices.
        numbered = values == [str(n) for n in range(len(values))]
        kind = "scale" if len(values) > 6 and numbered else "radio"
        return {
            "field": field,
            "text": text,
            "kind": kind,
            "value": draft.get(field, ""),
            "options": list(zip(values, labels, strict=True)),
            "anchors": (labels[0], labels[-1]),
        }
    wording = pack["items"][item.id]
    texts = wording.get("options", [])
    if item.wording_options == 0:
        return {
            "field": field,
            "text": wording["text"],
            "kind": "check",
            "value": draft.get(field, ""),
        }
    if len(texts) == len(values):
        return {
            "field": field,
            "text": wording["text"],
            "kind": "radio",
            "value": draft.get(field, ""),
            "options": list(zip(values, texts, strict=True)),
        }
    # A 0-10 scale with its two end anchors (Bournemouth).
    return {
        "field": field,
        "text": wording["text"],
        "kind": "scale",
        "value": draft.get(field, ""),
        "options": [(v, v) for v in values],
        "anchors": (texts[0], texts[-1]),
    }


def questionnaire_blocks(
    spec: steps.FormSpec, packs: dict[str, dict[str, Any]], lang: str, draft: dict[str, Any]
) -> list[dict[str, Any]]:
    blocks = []
    for instrument_id in spec.instruments:
        instrument = INSTRUMENTS.get(instrument_id)
        if instrument is None:
            continue
        language = wording_language(instrument, packs.get(instrument_id, {}), lang)
        block: dict[str, Any] = {
            "id": instrument.id,
            "name": instrument_name(instrument.id),
            "available": language is not None,
        }
        if language is None:
            blocks.append(block)
            continue
        pack = packs[instrument_id][language] if instrument.needs_wording_pack else None
        if pack is not None:
            block.update(
                title=pack.get("title") or instrument_name(instrument.id),
                instructions=pack.get("instructions", ""),
                notice=pack.get("copyright", "") or instrument.licence.notice,
                # The pack's own notice is in the pack's language; the built-in one is the
                # holder's English wording, kept verbatim as the licence asks.
                notice_lang="" if pack.get("copyright") else "en",
            )
        else:
            block.update(
                title=instrument.title.get(language, instrument_name(instrument.id)),
                instructions=instrument.instructions.get(language, ""),
                notice=instrument.licence.notice,
                notice_lang="en",
            )
        block["language"] = language
        block["other_language"] = language != lang
        block["recall"] = instrument.recall_period.get(language, "")
        if instrument.scoring_rule == "activity-mean" and spec.followup:
            # The baseline's activities, named as the patient wrote them; only ratings are asked.
            low, high = PSFS_RATING_ANCHORS[language]
            block["instructions"] = PSFS_FOLLOWUP_INSTRUCTIONS[language]
            block["psfs"] = [
                {
                    "n": n,
                    "name": name,
                    "fixed": True,
                    "score_field": f"q_psfs_a{n}_score",
                    "score": draft.get(f"q_psfs_a{n}_score", ""),
                }
                for n, name in enumerate(spec.psfs_activities, start=1)
            ]
            block["anchors"] = (low, high)
            block["scale"] = list(steps.INTENSITIES)
        elif instrument.scoring_rule == "activity-mean":
            low, high = PSFS_RATING_ANCHORS[language]
            block["psfs"] = [
                {
                    "n": n,
                    "name_field": f"q_psfs_a{n}_name",
                    "name": draft.get(f"q_psfs_a{n}_name", ""),
                    "score_field": f"q_psfs_a{n}_score",
                    "score": draft.get(f"q_psfs_a{n}_score", ""),
                }
                for n in range(1, 6)
            ]
            block["anchors"] = (low, high)
            block["scale"] = list(steps.INTENSITIES)
        else:
            block["items"] = [
                _item_view(instrument, item, pack, language, draft) for item in instrument.items
            ]
        blocks.append(block)
    return blocks


def followup_summary(
    spec: steps.FormSpec, packs: dict[str, dict[str, Any]], lang: str, draft: dict[str, Any]
) -> list[dict[str, Any]]:
    """Per questionnaire of a follow-up: how many questions are answered (the review step)."""
    rows = []
    for block in questionnaire_blocks(spec, packs, lang, draft):
        if not block["available"]:
            continue
        instrument = INSTRUMENTS[block["id"]]
        total = len(block["psfs"]) if "psfs" in block else len(block["items"])
        answered = steps.questionnaire_progress(instrument, draft, spec)
        row: dict[str, Any] = {
            "title": block["title"],
            "answered": answered,
            "total": total,
            "complete": answered >= total,
            "choice": "",
        }
        if len(instrument.items) == 1 and answered:
            value = draft.get(f"q_{instrument.id}_q1", "")
            row["choice"] = dict(block["items"][0].get("options", [])).get(value, value)
        rows.append(row)
    return rows


def safety_blocks(lang: str, draft: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for q in steps.safety_questions():
        field = f"rf_{q.id}"
        out.append(
            {
                "field": field,
                "text": q.text[lang],
                "multi": q.kind == "risk-factors",
                "detail": bool(q.asked_when),
                "value": draft.get(field, [] if q.kind == "risk-factors" else ""),
                "options": [(steps.safety_value(c.value), c.text[lang]) for c in q.choices],
            }
        )
    return out


def region_rows(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "label": label,
            "intensity": draft.get(f"pain_{key}", ""),
            "qualities": draft.get(f"quality_{key}", []),
        }
        for key, label in steps.REGIONS
    ]


def local_region_choices(marked: list[str], local: list[str]) -> list[dict[str, Any]]:
    """The clinician's chief-complaint form: each marked region, ticked when confirmed local."""
    names = dict(steps.REGIONS)
    return [{"key": key, "label": names[key], "local": key in local} for key in marked]


def review_summary(draft: dict[str, Any]) -> dict[str, Any]:
    """A short summary for the last step and the clinician's read-only page."""

    def label(pairs: tuple[tuple[str, Any], ...], value: str) -> str:
        return str(dict(pairs).get(value, value))

    regions = [
        {
            "label": str(lbl),
            "intensity": draft[f"pain_{key}"],
            "qualities": [label(steps.QUALITIES, q) for q in draft.get(f"quality_{key}", [])],
        }
        for key, lbl in (*steps.REGIONS, *steps.LEGACY_REGIONS)
        if draft.get(f"pain_{key}")
    ]
    treatments = [
        {"label": str(lbl), "result": label(steps.TREATMENT_RESULTS, draft[f"treat_{key}"])}
        for key, lbl in steps.TREATMENTS
        if draft.get(f"treat_{key}")
    ]
    symptoms = [str(lbl) for key, lbl in steps.SYMPTOMS if draft.get(f"sym_{key}") == "yes"]
    return {
        "complaints": draft.get("complaints", ""),
        "onset_when": draft.get("onset_when", ""),
        "onset_kind": label(steps.ONSET_KINDS, draft.get("onset_kind", ""))
        if draft.get("onset_kind")
        else "",
        "duration": label(steps.DURATIONS, draft.get("duration", ""))
        if draft.get("duration")
        else "",
        "regions": regions,
        "pain_moves": label(steps.YES_NO_UNSURE, draft["pain_moves"])
        if draft.get("pain_moves")
        else "",
        "pain_moves_detail": draft.get("pain_moves_detail", ""),
        "posture_worse": label(steps.YES_NO_UNSURE, draft["posture_worse"])
        if draft.get("posture_worse")
        else "",
        "posture_which": [label(steps.POSTURES, p) for p in draft.get("posture_which", [])],
        "treatments": treatments,
        "treat_notes": draft.get("treat_notes", ""),
        "symptoms": symptoms,
        "sym_notes": draft.get("sym_notes", ""),
        "unanswered_safety": sum(
            1 for q in steps.safety_questions() if not q.asked_when and not draft.get(f"rf_{q.id}")
        ),
        "nothing": _("Not answered"),
    }


# --- consent -------------------------------------------------------------------------------


def consent_notice(lang: str) -> dict[str, Any]:
    """What the patient is told before anything is asked (PIPA art. 15(2) for personal data and
    art. 23 for health data, a sensitive category that needs its own consent; art. 22 asks for
    each consent to be given separately and plainly). ``lang`` is the page's language, already
    active."""
    return {
        "purpose": _(
            "To prepare your first visit: to understand your complaint, check that treatment is "
            "safe for you and measure how you progress."
        ),
        "personal_items": _(
            "Your name, date of birth and contact details, as the clinic holds them."
        ),
        "health_items": _(
            "Your complaint and where it hurts, earlier treatments and symptoms, answers to the "
            "safety questions and the questionnaires."
        ),
        "retention": _(
            "Kept with your medical record for 10 years, as the Medical Service Act requires for "
            "medical records, then destroyed."
        ),
        "refusal": _(
            "You may refuse. Refusing does not stop you from being seen: the clinician will ask "
            "these questions in person at your visit instead, and nothing you type here is kept."
        ),
    }


# --- the clinician's pages, in words -------------------------------------------------------


def safety_answers(lang: str, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Each safety question with the patient's answer in words ("Yes, now"), never the stored
    value ("current")."""
    rows = []
    for block in safety_blocks(lang, answers):
        labels = dict(block["options"])
        value = block["value"]
        if block["multi"]:
            words = [str(labels.get(v, v)) for v in value] if isinstance(value, list) else []
            answer = ", ".join(words)
        else:
            answer = str(labels.get(value, value)) if value else ""
        rows.append({"text": block["text"], "answer": answer, "detail": block["detail"]})
    return rows


BAND_WORDS = {
    "none": gettext_lazy("none"),
    "minimal": gettext_lazy("minimal"),
    "mild": gettext_lazy("mild"),
    "moderate": gettext_lazy("moderate"),
    "severe": gettext_lazy("severe"),
    "complete": gettext_lazy("complete"),
    "crippled": gettext_lazy("crippled"),
    "bed-bound": gettext_lazy("bed-bound"),
    "little-or-none": gettext_lazy("little or none"),
    "some": gettext_lazy("some"),
    "substantial": gettext_lazy("substantial"),
    "low": gettext_lazy("low risk"),
    "medium": gettext_lazy("medium risk"),
    "high": gettext_lazy("high risk"),
}


def band_text(band: str) -> str:
    """A score band in the page's language ("moderate" -> "중등도")."""
    return str(BAND_WORDS.get(band, band)) if band else ""


def response_view(response: Any, packs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One stored questionnaire for the clinician: its name, score, band in words and each
    answer beside its question, in the language the patient answered in. Without the clinic's
    wording a licensed questionnaire's questions are named by number."""
    instrument = INSTRUMENTS.get(response.instrument)
    answers = response.answers if isinstance(response.answers, dict) else {}
    rows: list[tuple[str, str]] = []
    if instrument is not None and instrument.scoring_rule == "activity-mean":
        for activity in answers.get("activities", []):
            if isinstance(activity, dict):
                rating = activity.get("score")
                rows.append(
                    (
                        str(activity.get("name", "")),
                        _("%(n)s of 10") % {"n": rating} if rating is not None else _("not rated"),
                    )
                )
    elif instrument is not None:
        language = response.language
        pack = packs.get(instrument.id, {}).get(language) if instrument.needs_wording_pack else None
        for number, item in enumerate(instrument.items, start=1):
            value = answers.get(item.id)
            question = _("Question %(n)s") % {"n": number}
            if pack is not None:
                question = f"{number}. {pack['items'][item.id]['text']}"
            elif not instrument.needs_wording_pack and language in item.text:
                question = f"{number}. {item.text[language]}"
            if value is None:
                rows.append((question, str(_("Not answered"))))
                continue
            rows.append((question, _answer_words(instrument, item, value, pack, language)))
    return {
        "name": instrument_name(response.instrument),
        "response": response,
        "band": band_text(response.band),
        "rows": rows,
    }


def _answer_words(
    instrument: Instrument, item: Any, value: Any, pack: dict[str, Any] | None, language: str
) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return str(_("Not applicable")) if value == "na" else str(value)
    if not instrument.needs_wording_pack:
        option = item.option_for(value)
        text = option.text.get(language, "") if option else ""
        return f"{text} ({value})" if text and text != str(value) else str(value)
    if pack is not None:
        texts = pack["items"][item.id].get("options", [])
        values = [int(v) for v in item.accepted_values()]
        if item.wording_options == 0:
            return str(_("Yes, applies")) if value else str(_("Does not apply"))
        if len(texts) == len(values) and value in values:
            return f"{texts[values.index(value)]} ({value})"
    if item.wording_options == 0:
        return str(_("Yes, applies")) if value else str(_("Does not apply"))
    return str(_("%(n)s points") % {"n": value})
