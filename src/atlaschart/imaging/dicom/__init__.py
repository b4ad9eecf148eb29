"""DICOM import adapter (pydicom): reading, summaries, safe .zip studies, volumes, slices, PNG,
de-identification. No Django here; the imaging app calls these functions and stores the results.

Failure policy: every problem with a file raises a :class:`DicomError` subclass with a stable
``code`` and an English one-line ``message``; nothing is half returned.

==============================  ==============================================================
code                            meaning
==============================  ==============================================================
``not-dicom``                   no DICOM Part 10 header ('DICM' at byte 128)
``truncated``                   the file ends inside an element or inside the pixel data
``malformed``                   an attribute value cannot be parsed / a required UID is absent
``unsupported-transfer-syntax`` no installed decoder for the transfer syntax
``no-pixel-data``               no Pixel Data element (e.g. an RT plan or structured report)
``decode-failed``               a decoder was tried and failed
``too-large``                   the file is larger than the caller's limit
``zip-bomb`` / ``zip-path-traversal`` / ``zip-invalid``   unsafe or broken archive
``zip-nested`` / ``zip-too-many-members``                 a zip inside / too many members
``zip-member-too-large`` / ``zip-too-large``              a member / the whole past its limit
``inconsistent-series``         slices that do not form one volume
==============================  ==============================================================

Decoders: pydicom's own (native, deflate, RLE), pylibjpeg with -libjpeg (JPEG baseline, extended,
lossless), -openjpeg (JPEG 2000, HTJ2K), -rle, and pyjpegls (JPEG-LS), all PyPI dependencies.

Coordinates: DICOM patient coordinates (LPS, mm). A volume is indexed ``[k, row, col]`` with ``k``
increasing along the slice normal ``n = row direction × column direction`` (ImageOrientationPatient,
PS3.3 C.7.6.2.1.1); slice spacing comes from ImagePositionPatient projected on ``n``, never from
SliceThickness (which is the slab thickness, not the step).

Modules: ``errors`` (the failure types), ``reading`` (one file, pixels, summary), ``archives``
(.zip studies), ``names`` (Person Names, Korean character sets), ``grouping`` (study / series /
instance), ``volumes``, ``rendering`` (slices, window/level, PNG) and ``deidentification``.
Callers use the package: ``dicom.read(...)``.
"""

from __future__ import annotations

from atlaschart.imaging.dicom.archives import (
    CHUNK_BYTES,
    ZIP_SIGNATURE,
    ZipBudget,
    ZipContents,
    ZipExtracted,
    ZipLimits,
    extract_zip,
    read_zip,
)
from atlaschart.imaging.dicom.deidentification import (
    DEID_EMPTY,
    DEID_METHOD,
    DEID_REMOVE,
    UID_DICTIONARY_KEYS,
    deidentify,
)
from atlaschart.imaging.dicom.errors import (
    DecodeError,
    DicomError,
    MalformedDicomError,
    NoPixelDataError,
    NotDicomError,
    SeriesError,
    TooLargeError,
    TruncatedDicomError,
    UnsupportedTransferSyntaxError,
    ZipBombError,
    ZipInvalidError,
    ZipMemberTooLargeError,
    ZipNestedError,
    ZipTooLargeError,
    ZipTooManyMembersError,
    ZipTraversalError,
)
from atlaschart.imaging.dicom.grouping import (
    Instance,
    Series,
    Study,
    group,
)
from atlaschart.imaging.dicom.names import component_groups, person_name_matches
from atlaschart.imaging.dicom.reading import (
    DEFAULT_MAX_FILE_BYTES,
    DICM_OFFSET,
    Source,
    info,
    pixels,
    read,
    summary,
)
from atlaschart.imaging.dicom.rendering import (
    Plane,
    Slice,
    image_png,
    reformat,
    render_slice,
    to_png,
    window_to_uint8,
)
from atlaschart.imaging.dicom.volumes import (
    GEOMETRY_KEYWORDS,
    Volume,
    slim,
    volume_from_datasets,
    volume_from_enhanced,
    volume_from_files,
)

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_MAX_FILE_BYTES",
    "DEID_EMPTY",
    "DEID_METHOD",
    "DEID_REMOVE",
    "DICM_OFFSET",
    "GEOMETRY_KEYWORDS",
    "UID_DICTIONARY_KEYS",
    "ZIP_SIGNATURE",
    "DecodeError",
    "DicomError",
    "Instance",
    "MalformedDicomError",
    "NoPixelDataError",
    "NotDicomError",
    "Plane",
    "Series",
    "SeriesError",
    "Slice",
    "Source",
    "Study",
    "TooLargeError",
    "TruncatedDicomError",
    "UnsupportedTransferSyntaxError",
    "Volume",
    "ZipBombError",
    "ZipBudget",
    "ZipContents",
    "ZipExtracted",
    "ZipInvalidError",
    "ZipLimits",
    "ZipMemberTooLargeError",
    "ZipNestedError",
    "ZipTooLargeError",
    "ZipTooManyMembersError",
    "ZipTraversalError",
    "component_groups",
    "deidentify",
    "extract_zip",
    "group",
    "image_png",
    "info",
    "person_name_matches",
    "pixels",
    "read",
    "read_zip",
    "reformat",
    "render_slice",
    "slim",
    "summary",
    "to_png",
    "volume_from_datasets",
    "volume_from_enhanced",
    "volume_from_files",
    "window_to_uint8",
]
