"""Reading an upload (no database, no files written): DICOM files, .zip studies and PNG/JPEG film
scans become a ``ParsedUpload``, or one ``UploadError`` with a translated message. Every image is
decoded once here, so a file that cannot be shown is refused before anything is stored."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError
from pydicom import Dataset

from atlaschart.imaging import dicom
from atlaschart.patients.models import Patient

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"
MAX_FILM_PIXELS = 80_000_000
DICOM_SUFFIXES = (".dcm", ".dicom", ".dic")


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMAGING_MAX_UPLOAD_BYTES", 2 * 1024**3))


def zip_limits() -> dicom.ZipLimits:
    """The archive limits from settings (docs/imaging.md, "Upload limits", sizes them)."""
    defaults = dicom.ZipLimits()
    return dicom.ZipLimits(
        max_total_bytes=uncompressed_budget_bytes(),
        max_member_bytes=int(
            getattr(settings, "IMAGING_ZIP_MAX_MEMBER_BYTES", defaults.max_member_bytes)
        ),
        max_ratio=float(getattr(settings, "IMAGING_ZIP_MAX_RATIO", defaults.max_ratio)),
        max_members=int(getattr(settings, "IMAGING_ZIP_MAX_MEMBERS", defaults.max_members)),
        spool_bytes=int(getattr(settings, "IMAGING_ZIP_SPOOL_BYTES", defaults.spool_bytes)),
        temp_dir=getattr(settings, "IMAGING_UPLOAD_TEMP_DIR", None),
    )


def uncompressed_budget_bytes() -> int:
    """Uncompressed bytes one request may bring in, every zip and plain file together."""
    return int(
        getattr(
            settings, "IMAGING_UPLOAD_MAX_UNCOMPRESSED_BYTES", dicom.ZipLimits().max_total_bytes
        )
    )


class UploadError(ValueError):
    """A refused upload: ``code`` (stable, from imaging.dicom or our own) and a translated
    ``message`` naming the file."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


#: The message of each refusal code (lazy: the import job shows it in the reader's language).
MESSAGES: dict[str, Any] = {
    "not-dicom": gettext_lazy(
        "“%(name)s” is not a DICOM file, a .zip study or a PNG/JPEG film scan."
    ),
    "truncated": gettext_lazy("“%(name)s” is truncated: the file ends before its data does."),
    "malformed": gettext_lazy("“%(name)s” is damaged DICOM: an attribute cannot be read."),
    "unsupported-transfer-syntax": gettext_lazy(
        "“%(name)s” uses a compression (transfer syntax) that this server cannot decode."
    ),
    "no-pixel-data": gettext_lazy("“%(name)s” holds no image (it has no pixel data)."),
    "decode-failed": gettext_lazy("The image in “%(name)s” could not be decoded."),
    "too-large": gettext_lazy("“%(name)s” is larger than the upload limit."),
    "zip-bomb": gettext_lazy(
        "“%(name)s” expands to far more data than it holds (a possible zip bomb)."
    ),
    "zip-path-traversal": gettext_lazy(
        "“%(name)s” contains a path that leaves the archive (absolute or with “..”)."
    ),
    "zip-invalid": gettext_lazy("“%(name)s” is not a readable .zip archive."),
    "zip-nested": gettext_lazy(
        "“%(name)s” contains another .zip archive. Unpack it and upload the inner archive itself."
    ),
    "zip-too-many-members": gettext_lazy(
        "“%(name)s” holds more files than one study upload allows (%(limit)s)."
    ),
    "zip-member-too-large": gettext_lazy(
        "A file inside “%(name)s” is larger, unpacked, than the per-file limit (%(limit)s)."
    ),
    "zip-too-large": gettext_lazy(
        "“%(name)s” takes the upload past its limit of %(limit)s unpacked, all files "
        "together. Upload the study in parts."
    ),
    "inconsistent-series": gettext_lazy(
        "“%(name)s”: the same image appears twice or the series is inconsistent."
    ),
    "empty-zip": gettext_lazy("“%(name)s” contains no DICOM image."),
    "bad-image": gettext_lazy("“%(name)s” is not a readable PNG or JPEG image."),
    "jpeg-named-dicom": gettext_lazy(
        "“%(name)s” has a DICOM name but is a JPEG picture, not a DICOM file. To import a "
        "scan of a film, give it its real name (.jpg) and calibrate it in the viewer."
    ),
    "png-named-dicom": gettext_lazy(
        "“%(name)s” has a DICOM name but is a PNG picture, not a DICOM file. To import a "
        "scan of a film, give it its real name (.png) and calibrate it in the viewer."
    ),
}
UNREADABLE = gettext_lazy("“%(name)s” could not be read.")


def refusal_text(code: str, name: str) -> str:
    """The translated refusal of ``name`` (in the active language), ending "Nothing was
    imported."."""
    text = str(MESSAGES.get(code, UNREADABLE))
    return text % {"name": name, "limit": limit_text(code)} + " " + _("Nothing was imported.")


def _message(code: str, name: str) -> str:
    return refusal_text(code, name)


def limit_text(code: str) -> str:
    """The limit a refusal names (a count or a size, in the active language)."""
    lim = zip_limits()
    if code == "zip-too-many-members":
        return str(lim.max_members)
    if code == "zip-member-too-large":
        return filesizeformat(lim.max_member_bytes)
    if code == "zip-too-large":
        return filesizeformat(lim.max_total_bytes)
    return ""


@dataclass
class Film:
    name: str
    data: bytes
    kind: str  # "png" | "jpeg"
    width: int
    height: int


@dataclass
class DicomItem:
    name: str
    dataset: Dataset
    data: bytes  # the bytes to store (the file as uploaded, or the zip member re-written)


@dataclass
class ParsedUpload:
    dicoms: list[DicomItem] = field(default_factory=list)
    films: list[Film] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    studies: tuple[dicom.Study, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.dicoms and not self.films


def _dataset_bytes(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _film(name: str, data: bytes) -> Film:
    try:
        with Image.open(io.BytesIO(data)) as img:
            kind = "png" if img.format == "PNG" else "jpeg"
            width, height = img.size
            if width * height > MAX_FILM_PIXELS:
                raise UploadError("too-large", _message("too-large", name))
            img.load()  # decodes fully: a truncated scan fails here, not in the viewer
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UploadError("bad-image", _message("bad-image", name)) from exc
    return Film(name, data, kind, width, height)


def _check_pixels(ds: Dataset, name: str) -> None:
    try:
        dicom.pixels(ds, source=name)
    except dicom.DicomError as exc:
        raise UploadError(exc.code, _message(exc.code, name)) from exc


def parse(items: list[tuple[str, bytes]]) -> ParsedUpload:
    """Parse every uploaded file; the first problem refuses the whole upload."""
    total = sum(len(data) for _name, data in items)
    if total > max_upload_bytes():
        raise UploadError("too-large", _message("too-large", items[0][0] if items else "?"))
    out = ParsedUpload()
    limits = zip_limits()
    budget = dicom.ZipBudget(limits.max_total_bytes)
    for name, data in items:
        if not data.startswith(ZIP_MAGIC) and not budget.spend(len(data)):
            raise UploadError("zip-too-large", _message("zip-too-large", name))
        if data.startswith(ZIP_MAGIC) or name.lower().endswith(".zip"):
            try:
                contents = dicom.read_zip(io.BytesIO(data), limits, budget)
            except dicom.DicomError as exc:
                raise UploadError(exc.code, _message(exc.code, name)) from exc
            if not contents.datasets:
                raise UploadError("empty-zip", _message("empty-zip", name))
            for member, ds in contents.datasets:
                label = f"{name}/{member}"
                _check_pixels(ds, label)
                out.dicoms.append(DicomItem(label, ds, _dataset_bytes(ds)))
            out.skipped.extend((f"{name}/{m}", why) for m, why in contents.skipped)
        elif data.startswith(PNG_MAGIC) or data.startswith(JPEG_MAGIC):
            if name.lower().endswith(DICOM_SUFFIXES):
                # A photo or screenshot renamed .dcm: storing it as a film scan would hide that
                # it has none of the DICOM data (spacing, patient, study) the name promises.
                code = "png-named-dicom" if data.startswith(PNG_MAGIC) else "jpeg-named-dicom"
                raise UploadError(code, _message(code, name))
            out.films.append(_film(name, data))
        else:
            try:
                ds = dicom.read(data, max_bytes=max_upload_bytes())
            except dicom.DicomError as exc:
                raise UploadError(exc.code, _message(exc.code, name)) from exc
            _check_pixels(ds, name)
            out.dicoms.append(DicomItem(name, ds, data))
    try:
        out.studies = dicom.group((d.name, d.dataset) for d in out.dicoms)
    except dicom.DicomError as exc:
        raise UploadError(exc.code, _message(exc.code, exc.source or "?")) from exc
    return out


def identity_differences(parsed: ParsedUpload, patient: Patient) -> list[dict[str, Any]]:
    """Studies whose patient name or ID differs from the chart (to be confirmed by the user).

    A DICOM name matches by :func:`atlaschart.imaging.dicom.person_name_matches`: any component
    group (alphabetic, ideographic, phonetic) against the chart's Korean name or its Latin form,
    Hangul family and given joined (``김^민준`` is 김민준), Latin in either order and any case
    (``Kim^Minjun`` is "Minjun Kim"); an ID matches the chart number. Empty values in the file
    are not a difference. The web upload, the import job and the DICOM receiver all use this.
    """
    return identity_differences_of_studies(parsed.studies, patient)


def identity_differences_of_studies(
    studies: tuple[dicom.Study, ...], patient: Patient
) -> list[dict[str, Any]]:
    """:func:`identity_differences` for studies grouped from files (headers only)."""
    chart_names = (patient.name, patient.name_latin)
    out = []
    for study in studies:
        name, pid = (study.patient_name or "").strip(), (study.patient_id or "").strip()
        name_differs = bool(name) and not dicom.person_name_matches(name, chart_names)
        id_differs = bool(pid) and pid != patient.chart_number
        if name_differs or id_differs:
            out.append(
                {
                    "study_uid": study.study_instance_uid,
                    "name": name,
                    "id": pid,
                    "name_differs": name_differs,
                    "id_differs": id_differs,
                }
            )
    return out
