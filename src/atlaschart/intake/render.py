"""What the patient pages show: per-step view models built from the steps, the cores and the
clinic's wording packs (plain dicts for the templates)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from atlaschart.intake import steps
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
            "name": instrument.name,
            "available": language is not None,
        }
        if language is None:
            blocks.append(block)
            continue
        pack = packs[instrument_id][language] if instrument.needs_wording_pack else None
        if pack is not None:
            block.update(
                title=pack.get("title") or instrument.name,
                instructions=pack.get("instructions", ""),
                notice=pack.get("copyright", "") or instrument.licence.notice,
            )
        else:
            block.update(
                title=instrument.title.get(language, instrument.name),
                instructions=instrument.instructions.get(language, ""),
                notice=instrument.licence.notice,
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
        for key, lbl in steps.REGIONS
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
