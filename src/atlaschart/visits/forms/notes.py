"""The visit note (SOAP) and its amendment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class NoteForm(forms.Form):
    # The version the author started from (the draft's, or the signed note's text version).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    subjective = forms.CharField(
        label=_("Subjective"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    objective = forms.CharField(
        label=_("Objective"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    assessment = forms.CharField(
        label=_("Assessment"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan = forms.CharField(
        label=_("Plan"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AmendmentForm(NoteForm):
    """The full new text of a signed note; ``version`` is ``services.note_version`` as the author
    saw it, so an amendment made meanwhile by someone else is not silently replaced."""

    reason = forms.CharField(label=_("Reason for the amendment"), max_length=300)
