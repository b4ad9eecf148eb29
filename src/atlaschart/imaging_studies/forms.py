"""Forms and JSON payload parsers. Parsers raise ``PayloadError`` with a translated message."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.imaging_studies.models import ListingTable, Projection, ScreenSide
from atlaschart.lib.jsonbody import BadJSON, parse_json
from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL, Profile, ProfileError, RuleTable
from atlaschart.measure.radiograph.listing import rule_table_from_dict


class PayloadError(ValueError):
    pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class ImportForm(forms.Form):
    # A declared field: the form's metaclass moves it into base_fields, so it never replaces
    # BaseForm.files (the uploads) at run time; the stubs see a class attribute of that name.
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("Files"),
        help_text=gettext_lazy("DICOM files, a .zip of a study, or PNG/JPEG scans of films."),
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class AnalysisStartForm(forms.Form):
    view = forms.ChoiceField(
        label=gettext_lazy("View"),
        choices=[
            ("nasium", gettext_lazy("Nasium (AP)")),
            ("vertex", gettext_lazy("Vertex")),
            ("lateral", gettext_lazy("Lateral")),
        ],
    )


#: The longest known length a manual calibration may name. A marker or ruler on a radiograph is
#: at most the film's own length (a full-spine film is about 900 mm); anything longer is a typing
#: slip, and unbounded values overflow the spacing arithmetic.
MAX_KNOWN_LENGTH_MM = 1000.0


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PayloadError(_("%(what)s must be a number.") % {"what": what})
    return float(value)


def _coordinate(value: Any, what: str, extent: int) -> float:
    """An image coordinate in pixels. A point may sit off the image (a landmark just past its
    edge), but not beyond one image size further: that is a malformed request."""
    number = _number(value, what)
    if not -extent <= number <= 2 * extent:
        raise PayloadError(_("The point %(what)s lies outside the image.") % {"what": what})
    return number


def _xy(value: Any, what: str, size: tuple[int, int]) -> list[float]:
    """A point [x, y] on an image of ``size`` (columns, rows)."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise PayloadError(_("%(what)s must be a point [x, y].") % {"what": what})
    return [_coordinate(value[0], what, size[0]), _coordinate(value[1], what, size[1])]


_NAME = re.compile(r"^[A-Za-z0-9_ .\-가-힣]{1,60}$")


def _name(value: Any) -> str:
    if not isinstance(value, str) or not _NAME.match(value.strip()):
        raise PayloadError(_("A landmark name must be 1 to 60 letters, digits, spaces, _ . or -."))
    return value.strip()


def parse_instance_update(data: Any, size: tuple[int, int]) -> dict[str, Any]:
    """A JSON update of one image record (``size``: the image's columns and rows)."""
    if not isinstance(data, dict):
        raise PayloadError(_("The request was not understood."))
    out: dict[str, Any] = {}
    if "projection" in data:
        if data["projection"] not in Projection.values:
            raise PayloadError(_("Unknown projection."))
        out["projection"] = data["projection"]
    if "patient_right_on" in data:
        if data["patient_right_on"] not in ScreenSide.values:
            raise PayloadError(_("Unknown side."))
        out["patient_right_on"] = data["patient_right_on"]
    if "landmarks" in data:
        marks = data["landmarks"]
        if not isinstance(marks, list) or len(marks) > 200:
            raise PayloadError(_("Landmarks must be a list (at most 200)."))
        out["landmarks"] = [
            {
                "name": _name(m.get("name") if isinstance(m, dict) else None),
                "x": _coordinate(m.get("x"), "x", size[0]),
                "y": _coordinate(m.get("y"), "y", size[1]),
            }
            for m in marks
        ]
    if "magnification" in data:
        m = _number(data["magnification"], _("Magnification"))
        if not 1.0 <= m <= 3.0:
            raise PayloadError(_("The magnification factor must be between 1 and 3."))
        out["magnification"] = m
    if "calibration" in data:
        c = data["calibration"]
        if not isinstance(c, dict):
            raise PayloadError(_("The request was not understood."))
        length = _number(c.get("length_mm"), _("Known length"))
        a, b = _xy(c.get("a"), "a", size), _xy(c.get("b"), "b", size)
        if length <= 0 or math.dist(a, b) < 1:
            raise PayloadError(
                _("Draw the marker over at least one pixel and give a positive length.")
            )
        if length > MAX_KNOWN_LENGTH_MM:
            raise PayloadError(
                _("The known length must be at most %(mm)s mm.")
                % {"mm": f"{MAX_KNOWN_LENGTH_MM:,.0f}"}
            )
        out["calibration"] = {"a": a, "b": b, "length_mm": length}
    return out


def _ordinal(text: str) -> bool:
    """A point's number in a name like ``condyle_arc.3``: ASCII digits only ("²" is a digit to
    ``str.isdigit`` but not to ``int``), and short."""
    return text.isascii() and text.isdigit() and len(text) <= 3


def flat_to_core(flat: Any, size: tuple[int, int]) -> dict[str, Any]:
    """Editor point names → the core's form: ``skull_pairs.N.right``/``.left`` become the
    ``skull_pairs`` list (ordered by N), ``condyle_arc.N`` the arc list. ``size`` is the image's
    (columns, rows): every point must lie on or near it."""
    if not isinstance(flat, dict) or len(flat) > 300:
        raise PayloadError(_("The request was not understood."))
    points: dict[str, Any] = {}
    pairs: dict[int, dict[str, list[float]]] = {}
    arcs: dict[str, dict[int, list[float]]] = {}
    for key, value in flat.items():
        if not isinstance(key, str):
            raise PayloadError(_("The request was not understood."))
        xy = _xy(value, key[:60], size)
        parts = key.split(".")
        if (
            len(parts) == 3
            and parts[0] == "skull_pairs"
            and _ordinal(parts[1])
            and parts[2] in ("right", "left")
        ):
            pairs.setdefault(int(parts[1]), {})[parts[2]] = xy
        elif len(parts) == 2 and parts[0].endswith("_arc") and _ordinal(parts[1]):
            arcs.setdefault(parts[0], {})[int(parts[1])] = xy
        elif len(parts) == 1 and _NAME.match(key):
            points[key] = xy
        else:
            raise PayloadError(_("Unknown point name “%(name)s”.") % {"name": key[:60]})
    if pairs:
        out_pairs = []
        for n in sorted(pairs):
            if set(pairs[n]) != {"right", "left"}:
                raise PayloadError(
                    _("Skull pair %(n)s needs both its right and its left point.") % {"n": n}
                )
            out_pairs.append([pairs[n]["right"], pairs[n]["left"]])
        points["skull_pairs"] = out_pairs
    for name, arc in arcs.items():
        points[name] = [arc[n] for n in sorted(arc)]
    return points


def core_to_flat(points: dict[str, Any]) -> dict[str, list[float]]:
    flat: dict[str, list[float]] = {}
    for name, value in points.items():
        if name == "skull_pairs":
            for i, (right, left) in enumerate(value, start=1):
                flat[f"skull_pairs.{i}.right"], flat[f"skull_pairs.{i}.left"] = right, left
        elif name.endswith("_arc"):
            for i, p in enumerate(value, start=1):
                flat[f"{name}.{i}"] = p
        else:
            flat[name] = value
    return flat


# --- clinic listing rule tables --------------------------------------------------------------

MAX_LISTING_TABLE_BYTES = 256 * 1024


def vector_text(vector: tuple[tuple[str, float], ...]) -> str:
    """How a rule's adjustment vector is written into an analysis (``name value, ...``)."""
    return ", ".join(f"{k} {v:g}" for k, v in vector)


def _syntax_error_position(text: str) -> tuple[int, int] | None:
    """Where plain JSON syntax breaks (line, column), to point the admin at it; ``None`` when the
    text is well-formed JSON refused for another reason (depth, a huge number, a NUL)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error.lineno, error.colno
    except (ValueError, RecursionError):
        return None
    return None


def _too_large() -> forms.ValidationError:
    return forms.ValidationError(
        _("The table is larger than %(kb)s KB.") % {"kb": MAX_LISTING_TABLE_BYTES // 1024}
    )


def parse_listing_table(
    raw: bytes, clinic_id: int, profile: Profile = GENERIC_ORTHOGONAL
) -> tuple[dict[str, Any], RuleTable]:
    """Bytes of an uploaded or pasted table → (the JSON object, the core's validated table).

    Every problem is a ``forms.ValidationError`` with a translated message; the core's English
    reason, where it has one, follows a translated lead-in."""
    if len(raw) > MAX_LISTING_TABLE_BYTES:
        raise _too_large()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(_("The table is not UTF-8 text.")) from None
    try:
        # The shared parser refuses what would be a 500 later: deep nesting, huge integers,
        # NaN/Infinity, and NUL or lone surrogates (PostgreSQL cannot store either).
        data = parse_json(text, max_bytes=MAX_LISTING_TABLE_BYTES)
    except BadJSON as error:
        position = _syntax_error_position(text)
        if position is not None:
            raise forms.ValidationError(
                _("The table is not valid JSON (line %(line)s, column %(col)s).")
                % {"line": position[0], "col": position[1]}
            ) from None
        raise forms.ValidationError(
            _("The table cannot be stored: %(reason)s") % {"reason": str(error)}
        ) from None
    try:
        table = rule_table_from_dict(data)
    except (ValueError, TypeError, OverflowError) as error:
        raise forms.ValidationError(
            _("The table does not follow the listing table format: %(reason)s")
            % {"reason": str(error)[:300]}
        ) from None
    views = [v.name for v in profile.views]
    if table.view not in views:
        raise forms.ValidationError(
            _(
                "The table is for the view “%(view)s”, which the analysis profile does not have "
                "(its views: %(views)s)."
            )
            % {"view": table.view[:30], "views": ", ".join(views)}
        )
    try:
        # The core's own check: every value a rule names must be reported by that view.
        dataclasses.replace(profile, rule_tables=(table,))
    except ProfileError as error:
        names = ", ".join(c.name for c in profile.view(table.view).constructs)
        raise forms.ValidationError(
            _(
                "The table names a value that the %(view)s view does not report: %(reason)s. "
                "Values of this view: %(names)s."
            )
            % {"view": table.view, "reason": str(error)[:300], "names": names}
        ) from None
    if len(table.id) > 60 or "@" in table.id or table.id != table.id.strip():
        raise forms.ValidationError(
            _("The table id must be at most 60 characters, without “@” or surrounding spaces.")
        )
    if len(table.version) > 20 or table.version != table.version.strip():
        raise forms.ValidationError(
            _("The table version must be at most 20 characters, without surrounding spaces.")
        )
    for i, rule in enumerate(table.rules):
        if len(rule.listing) > 60:
            raise forms.ValidationError(
                _("Rule %(n)s: the listing is longer than 60 characters.") % {"n": i}
            )
        if len(vector_text(rule.vector)) > 200:
            raise forms.ValidationError(
                _("Rule %(n)s: the adjustment vector is longer than 200 characters written out.")
                % {"n": i}
            )
    stored = ListingTable.objects.filter(clinic_id=clinic_id, table_id=table.id)
    if stored.filter(version=table.version).exists():
        raise forms.ValidationError(
            _(
                "Your clinic already has the table %(label)s. A stored table is never changed: "
                "give the new one another version."
            )
            % {"label": table.label}
        )
    other_view = stored.exclude(view=table.view).values_list("view", flat=True).first()
    if other_view:
        raise forms.ValidationError(
            _("The table %(id)s is for the %(view)s view; a new version must be for the same view.")
            % {"id": table.id, "view": other_view}
        )
    return data, table


class ListingTableForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Table file (JSON)"),
        required=False,
        help_text=gettext_lazy("UTF-8 JSON in the format shown under “Format” below."),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the JSON"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    activate = forms.BooleanField(
        label=gettext_lazy("Make it the active table for its view"), required=False, initial=True
    )

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if self.errors:
            return cleaned
        if upload and text.strip():
            raise forms.ValidationError(_("Upload a file or paste the JSON, not both."))
        if not upload and not text.strip():
            raise forms.ValidationError(_("Choose a JSON file or paste the table."))
        if upload and upload.size > MAX_LISTING_TABLE_BYTES:
            raise _too_large()  # refused unread
        raw = upload.read(MAX_LISTING_TABLE_BYTES + 1) if upload else text.encode("utf-8")
        cleaned["data"], cleaned["table"] = parse_listing_table(raw, self.clinic_id)
        return cleaned
