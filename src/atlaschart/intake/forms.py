from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from atlaschart.intake.names import instrument_name
from atlaschart.intake.pack_messages import translate_problem
from atlaschart.intake.services import FOLLOWUP_INSTRUMENTS, INTAKE_INSTRUMENTS
from atlaschart.lib.jsonbody import BadJSON, parse_json
from atlaschart.measure.instruments import INSTRUMENTS, check_wording_pack

MAX_PACK_BYTES = 1024 * 1024


class IntakeSettingsForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        label=_("Questionnaires in the intake"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expiry_hours = forms.IntegerField(
        label=_("Links expire after (hours)"),
        min_value=1,
        max_value=24 * 14,
        initial=72,
    )

    def __init__(self, *args: Any, packs: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.packs = packs
        choices = []
        for instrument_id in INTAKE_INSTRUMENTS:
            instrument = INSTRUMENTS[instrument_id]
            label = instrument_name(instrument.id)
            if instrument.needs_wording_pack:
                label += " · " + str(_("licensed: needs the clinic's wording file"))
            choices.append((instrument_id, label))
        cast(forms.MultipleChoiceField, self.fields["instruments"]).choices = choices

    def clean_instruments(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["instruments"]
        missing = [
            instrument_name(i)
            for i in chosen
            if INSTRUMENTS[i].needs_wording_pack and not self.packs.get(i)
        ]
        if missing:
            raise forms.ValidationError(
                _(
                    "Upload the wording file first for: %(names)s. A licensed questionnaire is "
                    "never shown without it."
                )
                % {"names": ", ".join(missing)}
            )
        return chosen


class FollowUpForm(forms.Form):
    """Which questionnaires a follow-up asks. Those the patient answered before come ticked; the
    service refuses licensed ones without wording and a PSFS without baseline activities."""

    instruments = forms.MultipleChoiceField(
        label=_("Questionnaires in this follow-up"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one questionnaire.")},
    )

    def __init__(
        self,
        *args: Any,
        packs: dict[str, Any],
        done: list[str],
        psfs_activities: list[str],
        show_activity_names: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for instrument_id in FOLLOWUP_INSTRUMENTS:
            instrument = INSTRUMENTS[instrument_id]
            label = instrument_name(instrument.id)
            notes = []
            if instrument_id in done:
                notes.append(str(_("answered before")))
            if instrument_id == "psfs":
                if psfs_activities and show_activity_names:
                    notes.append(
                        str(_("re-rates: %(names)s")) % {"names": " · ".join(psfs_activities)}
                    )
                elif psfs_activities:
                    notes.append(str(_("re-rates the activities rated at intake")))
                else:
                    notes.append(str(_("no activities rated yet, so it cannot be repeated")))
            if instrument_id == "groc":
                notes.append(str(_("the patient's own rating of change since the first visit")))
            if instrument.needs_wording_pack and not packs.get(instrument_id):
                notes.append(str(_("licensed: needs the clinic's wording file")))
            if notes:
                label += " · " + "; ".join(notes)
            choices.append((instrument_id, label))
        cast(forms.MultipleChoiceField, self.fields["instruments"]).choices = choices


class WordingPackForm(forms.Form):
    file = forms.FileField(
        label=_("Wording file (JSON)"),
        help_text=_("The file with the item wording your clinic is licensed to use."),
    )

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PACK_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        try:
            # Depth, huge numbers, NUL and lone surrogates are refused here, before the core
            # or the database sees them.
            data = parse_json(text, max_bytes=MAX_PACK_BYTES * 4)
        except BadJSON as bad:
            raise forms.ValidationError(_where_not_json(text) or str(bad)) from None
        problems = check_wording_pack(data)
        if problems:
            # The core names the exact place of each problem (items.q3.options); we add a
            # translated heading and list them.
            raise forms.ValidationError(
                [_("The wording file cannot be used. Problems found:")]
                + [translate_problem(p) for p in problems]
            )
        return data  # type: ignore[no-any-return]


def _where_not_json(text: str) -> str:
    """Where a file that is not JSON at all goes wrong (line and column), or "" when it is JSON
    that :func:`parse_json` refused for another reason (depth, a huge number, a character)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return str(
            _("The file is not valid JSON (line %(line)s, column %(col)s).")
            % {"line": error.lineno, "col": error.colno}
        )
    except (ValueError, RecursionError):
        return ""
    return ""
