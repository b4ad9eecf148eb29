from __future__ import annotations

import datetime
import math
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.imaging.photos import MAX_BYTES, MAX_PIXELS, PhotoError, load_photo
from atlaschart.lib.jsonbody import BadJSON, parse_json
from atlaschart.measure import posture as core
from atlaschart.posture.models import PostureSession, PostureShot, View

PHOTO_MESSAGES = {
    "photo.unreadable": _(
        "The photo could not be read (the file may be damaged). Take or choose it again."
    ),
    "photo.unsupported_format": _(
        "This file is not a supported photo. Use a JPEG, PNG or WebP image."
    ),
    "photo.too_large": _("The photo is larger than %(mb)d MB. Use a smaller photo."),
    "photo.too_many_pixels": _("The photo has more than %(mp)d megapixels. Use a smaller photo."),
}


def photo_message(error: PhotoError) -> str:
    message = PHOTO_MESSAGES.get(error.code, PHOTO_MESSAGES["photo.unreadable"])
    return str(message) % {"mb": MAX_BYTES // (1024 * 1024), "mp": MAX_PIXELS // 1_000_000}


#: Dates a posture session may carry.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

#: The longest calibration distance a photo can show: a posture photo frames one person (about
#: 2.5 m at most), so 5 m leaves room for a wide calibration board and refuses a typing slip
#: (1e308 mm would overflow the mm-per-pixel arithmetic).
MAX_CALIBRATION_MM = 5000


class SessionForm(forms.ModelForm[PostureSession]):
    class Meta:
        model = PostureSession
        fields = ["taken_on", "note"]
        widgets = {"taken_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate()

    def clean_taken_on(self) -> datetime.date:
        """A posture session's date lies in a sane range (9999-12-31 is a typing slip, and the
        edge dates overflow date arithmetic further on)."""
        taken_on: datetime.date = self.cleaned_data["taken_on"]
        if not EARLIEST_DATE <= taken_on <= LATEST_DATE:
            raise ValidationError(
                _("The date must lie between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()}
            )
        return taken_on


#: The longer side a JPEG is decoded at to check it in the request (Pillow's draft mode).
VALIDATE_SIDE = 256


class ShotUploadForm(forms.Form):
    view = forms.ChoiceField(label=_("View"), choices=View.choices)
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("JPEG, PNG or WebP, at most 25 MB and 40 megapixels."),
    )

    def clean_photo(self) -> Any:
        """Validate the photo (format, size, pixel count, and a decode) before anything is
        written. A JPEG is decoded at reduced scale (``VALIDATE_SIDE``): that still reads every
        block, so a damaged file is refused here, in milliseconds; the background job decodes it
        at full size for the model."""
        uploaded = self.cleaned_data["photo"]
        if uploaded.size is not None and uploaded.size > MAX_BYTES:
            raise ValidationError(photo_message(_too_large()), code="photo.too_large")
        uploaded.seek(0)
        data = uploaded.read(MAX_BYTES + 1)
        try:
            photo = load_photo(data, max_side=VALIDATE_SIDE)
        except PhotoError as exc:
            raise ValidationError(photo_message(exc), code=exc.code) from exc
        self.photo_format: str = photo.format
        self.photo_bytes: bytes = data
        return uploaded


def _too_large() -> PhotoError:
    from atlaschart.imaging.photos import PhotoTooLarge

    return PhotoTooLarge("too large")


class CalibrationForm(forms.Form):
    x1 = forms.FloatField(label=_("Point 1 x (px)"))
    y1 = forms.FloatField(label=_("Point 1 y (px)"))
    x2 = forms.FloatField(label=_("Point 2 x (px)"))
    y2 = forms.FloatField(label=_("Point 2 y (px)"))
    distance_mm = forms.FloatField(
        label=_("Distance between them (mm)"),
        min_value=0.1,
        max_value=MAX_CALIBRATION_MM,
        error_messages={
            "max_value": _(
                "The distance must be at most %(limit_value)s mm (a posture photo shows one "
                "person)."
            ),
            "min_value": _("The distance must be at least %(limit_value)s mm."),
        },
    )

    def __init__(self, *args: Any, shot: PostureShot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shot = shot

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        for axis, limit in (("x", self.shot.width), ("y", self.shot.height)):
            for n in (1, 2):
                value = data[f"{axis}{n}"]
                if not (math.isfinite(value) and 0 <= value <= limit):
                    raise ValidationError(_("Calibration points must lie on the photo."))
        try:
            core.Calibration(data["x1"], data["y1"], data["x2"], data["y2"], data["distance_mm"])
        except ValueError as exc:
            raise ValidationError(_("The two calibration points must be apart.")) from exc
        return data


class CompareForm(forms.Form):
    before = forms.TypedChoiceField(label=_("Before"), coerce=int)
    after = forms.TypedChoiceField(label=_("After"), coerce=int)
    view = forms.ChoiceField(label=_("View"), choices=View.choices)

    def __init__(self, *args: Any, sessions: list[PostureSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.pk, f"{s.taken_on:%Y-%m-%d} #{s.pk}") for s in sessions]
        for name in ("before", "after"):
            field = self.fields[name]
            if not isinstance(field, forms.ChoiceField):
                raise TypeError(f"{name} is a {type(field).__name__}, not a ChoiceField")
            field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("before") is not None and data.get("before") == data.get("after"):
            raise ValidationError(_("Choose two different sessions."))
        return data


class MdcSettingsForm(forms.Form):
    """One optional MDC95 per metric with a default or an angle unit, plus the repeats switch."""

    use_repeats = forms.BooleanField(
        label=_("Compute MDC95 from the clinic's repeated shots"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels in the user's language with the unit; the metric's key never shows.
        from atlaschart.posture.display import METRIC_LABELS, UNIT_NAMES, fmt

        for name in core.FRONTAL_METRICS + core.LATERAL_METRICS:
            unit = core.unit_of(name)
            default = core.DEFAULT_MDC95.get(name)
            self.fields[f"mdc_{name}"] = forms.FloatField(
                label=f"{METRIC_LABELS[name]}, {UNIT_NAMES[unit]}",
                required=False,
                min_value=0.0,
                max_value=1000.0,
                help_text=_("Default: %(value)s")
                % {
                    "value": fmt(default, unit, signed=False)
                    if default is not None
                    else _("from the values' uncertainty")
                },
            )


class LandmarkPayloadError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _finite_number(value: object) -> int | float | None:
    """``value`` if it is a finite JSON number (a bool is not one), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value


def parse_landmark_payload(
    body: bytes, shot: PostureShot
) -> tuple[int | None, list[dict[str, Any]]]:
    """``{"revision": n, "landmarks": [{"name", "x", "y"}, ...]}`` -> (base revision, points).

    Raises ``LandmarkPayloadError`` with a translated message for anything malformed.
    """
    from django.utils.translation import gettext

    try:
        payload = parse_json(body)
    except BadJSON as exc:
        raise LandmarkPayloadError(
            gettext("The landmarks could not be read: %(reason)s") % {"reason": str(exc)}
        ) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("landmarks"), list):
        raise LandmarkPayloadError(gettext("The landmarks could not be read."))
    base = payload.get("revision")
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        raise LandmarkPayloadError(gettext("The landmarks could not be read."))
    points: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in payload["landmarks"]:
        if not isinstance(item, dict) or item.get("name") not in core.LANDMARK_NAMES:
            raise LandmarkPayloadError(gettext("Unknown landmark name."))
        name = item["name"]
        if name in seen:
            raise LandmarkPayloadError(gettext("Each landmark may appear only once."))
        seen.add(name)
        x, y = _finite_number(item.get("x")), _finite_number(item.get("y"))
        if x is None or y is None:
            raise LandmarkPayloadError(gettext("Landmark coordinates must be numbers."))
        # Points the model placed off the photo (e.g. knees of a half-body photo) come back
        # unchanged; the core marks them unusable. Anything far beyond is a malformed request.
        if not (-shot.width <= x <= 2 * shot.width and -shot.height <= y <= 2 * shot.height):
            raise LandmarkPayloadError(
                gettext("Landmark %(name)s is outside the photo.") % {"name": name}
            )
        points.append({"name": name, "x": float(x), "y": float(y)})
    return base, points
