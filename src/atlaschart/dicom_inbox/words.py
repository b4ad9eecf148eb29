"""Words for what the receiver writes in the access log (read by atlaschart.audit.describe)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The stable codes of a refused object (receiver.check_object, imaging.dicom errors).
REFUSAL_WORDS: dict[str, Promise] = {
    "sop-class-not-accepted": _("not an image kind the clinic keeps (e.g. a report)"),
    "sop-class-mismatch": _("its content does not match its declared kind"),
    "missing-uid": _("a study, series or image identifier is missing"),
    "no-pixel-data": _("no pixel data (not an image)"),
    "not-dicom": _("not readable DICOM"),
    "truncated": _("the object is truncated"),
    "malformed": _("damaged DICOM"),
    "unsupported-transfer-syntax": _("a compression this server cannot decode"),
    "decode-failed": _("the image could not be decoded"),
    "too-large": _("larger than the upload limit"),
    "write-failed": _("it could not be written to disk"),
}
