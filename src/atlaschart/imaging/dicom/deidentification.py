"""De-identification (PS3.15 Annex E, Basic Application Level Confidentiality Profile)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from pydicom import Dataset
from pydicom.dataset import FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.tag import BaseTag
from pydicom.uid import generate_uid

from atlaschart.imaging.dicom.reading import _get

# Action codes of PS3.15 Table E.1-1 as applied here: "Z" → empty value, "X" → removed,
# "U" → every non-well-known UID replaced consistently (see _replace_uids). Where the table allows
# a choice (X/Z, X/D, Z/D, X/Z/D …) the strictest practical option is taken.
DEID_EMPTY: tuple[str, ...] = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "ReferringPhysicianName",
    "StudyID",
    "ContentCreatorName",
)
DEID_REMOVE: tuple[str, ...] = (
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "StationName",
    "PerformingPhysicianName",
    "OperatorsName",
    "PhysiciansOfRecord",
    "NameOfPhysiciansReadingStudy",
    "RequestingPhysician",
    "ReferringPhysicianAddress",
    "ReferringPhysicianTelephoneNumbers",
    "OtherPatientIDs",
    "OtherPatientNames",
    "OtherPatientIDsSequence",
    "PatientBirthName",
    "PatientBirthTime",
    "PatientAge",
    "PatientSize",
    "PatientWeight",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "PatientMotherBirthName",
    "MedicalRecordLocator",
    "EthnicGroup",
    "Occupation",
    "AdditionalPatientHistory",
    "PatientComments",
    "MilitaryRank",
    "BranchOfService",
    "CountryOfResidence",
    "RegionOfResidence",
    "ResponsiblePerson",
    "ResponsibleOrganization",
    "PatientInsurancePlanCodeSequence",
    "StudyDescription",
    "SeriesDescription",
    "ImageComments",
    "DerivationDescription",
    "RequestAttributesSequence",
    "ReferencedPatientSequence",
    "ReferencedStudySequence",
    "DeviceSerialNumber",
    "ProtocolName",
    "PerformedProcedureStepDescription",
    "PerformedProcedureStepID",
    "PerformedProcedureStepStartDate",
    "PerformedProcedureStepStartTime",
    "ScheduledProcedureStepDescription",
    "RequestedProcedureDescription",
    "AdmittingDiagnosesDescription",
    "SeriesDate",
    "SeriesTime",
    "AcquisitionDate",
    "AcquisitionTime",
    "AcquisitionDateTime",
    "ContentDate",
    "ContentTime",
    "InstanceCreationDate",
    "InstanceCreationTime",
    "IssuerOfPatientID",
    "PatientState",
    "PregnancyStatus",
    "SmokingStatus",
    "Allergies",
    "MedicalAlerts",
    "TextString",
    "TextComments",
    "PersonName",
    "IdentifyingComments",
    "InterpretationText",
    "ReasonForStudy",
    "RequestingService",
    "CurrentPatientLocation",
    "PatientInstitutionResidence",
    "AdmissionID",
    "ServiceEpisodeID",
    "VisitComments",
    "FillerOrderNumberImagingServiceRequest",
    "PlacerOrderNumberImagingServiceRequest",
    "OperatorIdentificationSequence",
    "PerformingPhysicianIdentificationSequence",
    "PhysiciansOfRecordIdentificationSequence",
    "ReferringPhysicianIdentificationSequence",
    "SourceImageSequence",
    "ReferencedPerformedProcedureStepSequence",
    "StorageMediaFileSetUID",
)
DEID_METHOD = "PS3.15 Basic Profile (AtlasChart)"  # LO: at most 64 characters


def _replace_uids(ds: Dataset, salt: str) -> None:
    well_known = set(UID_DICTIONARY_KEYS())
    for elem in ds.iterall():
        if elem.VR != "UI" or elem.value in (None, ""):
            continue
        if elem.keyword in ("SOPClassUID", "ReferencedSOPClassUID", "TransferSyntaxUID"):
            continue
        values = elem.value if elem.VM > 1 else [elem.value]
        new = [
            v if str(v) in well_known else generate_uid(entropy_srcs=[salt, str(v)]) for v in values
        ]
        elem.value = new if elem.VM > 1 else new[0]


def UID_DICTIONARY_KEYS() -> Iterator[str]:
    from pydicom._uid_dict import UID_dictionary

    return iter(UID_dictionary)


def _clean(d: Dataset) -> None:
    """Empty and remove the listed attributes, overlays and curves here and in every sequence."""
    for keyword in DEID_REMOVE:
        if keyword in d:
            delattr(d, keyword)
    for keyword in DEID_EMPTY:
        if keyword in d:
            d.data_element(keyword).value = ""  # type: ignore[union-attr]
    for tag in list(d.keys()):
        if _is_overlay_or_curve(tag):
            del d[tag]
    for elem in list(d):
        if elem.VR == "SQ" and isinstance(elem.value, DicomSequence):
            for item in elem.value:
                _clean(item)


def _is_overlay_or_curve(tag: BaseTag) -> bool:
    """Overlay data or comments (60xx,3000/4000), or any curve element (50xx)."""
    group_ = tag.group
    return (0x6000 <= group_ <= 0x60FF and tag.element in (0x3000, 0x4000)) or (
        0x5000 <= group_ <= 0x50FF
    )


def _method_code() -> Dataset:
    """The DeidentificationMethodCodeSequence item: DCM 113100, the Basic Profile."""
    code = Dataset()
    code.CodeValue = "113100"
    code.CodingSchemeDesignator = "DCM"
    code.CodeMeaning = "Basic Application Confidentiality Profile"
    return code


def deidentify(
    ds: Dataset, *, salt: str, pseudonym: str = "", keep_uids: bool = False
) -> tuple[Dataset, tuple[str, ...]]:
    """A de-identified copy of ``ds`` (the original is not changed) and warnings.

    Handled (module constants): attributes emptied (``DEID_EMPTY``, PatientID set to
    ``pseudonym``), attributes removed (``DEID_REMOVE``) at every nesting level, all private
    elements removed, overlay data/comments (60xx,3000/4000) and curves (50xx) removed, every UID
    that is not a well-known DICOM UID replaced by a UID derived from ``salt`` + the original (so
    a study keeps its internal references and the same salt maps it the same way again),
    PatientIdentityRemoved = YES, DeidentificationMethod and its code sequence (DCM 113100).
    Not handled, so reported as warnings: text burned into the pixels (``burned-in-annotation``
    when BurnedInAnnotation is not NO).
    """
    out = copy.deepcopy(ds)
    if not hasattr(out, "file_meta"):
        out.file_meta = FileMetaDataset()
    out.remove_private_tags()
    _clean(out)
    if pseudonym:
        out.PatientID = pseudonym
    if not keep_uids:
        _replace_uids(out, salt)
        if "SOPInstanceUID" in out:
            out.file_meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = DEID_METHOD
    out.DeidentificationMethodCodeSequence = DicomSequence([_method_code()])
    warnings = []
    if str(_get(ds, "BurnedInAnnotation", "")).upper() != "NO" and "PixelData" in ds:
        warnings.append("burned-in-annotation")
    return out, tuple(warnings)
