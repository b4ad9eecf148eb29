"""The DICOM failure types: one :class:`DicomError` subclass per stable ``code`` (the table
is in the package docstring)."""

from __future__ import annotations


class DicomError(Exception):
    """A DICOM input problem. ``code`` is stable (see the module table), ``message`` is English."""

    code = "dicom-error"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class NotDicomError(DicomError):
    code = "not-dicom"


class TruncatedDicomError(DicomError):
    code = "truncated"


class MalformedDicomError(DicomError):
    code = "malformed"


class UnsupportedTransferSyntaxError(DicomError):
    code = "unsupported-transfer-syntax"


class NoPixelDataError(DicomError):
    code = "no-pixel-data"


class DecodeError(DicomError):
    code = "decode-failed"


class TooLargeError(DicomError):
    code = "too-large"


class ZipBombError(DicomError):
    code = "zip-bomb"


class ZipTraversalError(DicomError):
    code = "zip-path-traversal"


class ZipInvalidError(DicomError):
    code = "zip-invalid"


class ZipNestedError(DicomError):
    code = "zip-nested"


class ZipTooManyMembersError(ZipBombError):
    code = "zip-too-many-members"


class ZipMemberTooLargeError(ZipBombError):
    code = "zip-member-too-large"


class ZipTooLargeError(ZipBombError):
    code = "zip-too-large"


class SeriesError(DicomError):
    code = "inconsistent-series"
