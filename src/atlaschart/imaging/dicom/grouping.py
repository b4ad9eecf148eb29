"""Grouping datasets into studies, series and instances by their UIDs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydicom import Dataset

from atlaschart.imaging.dicom.errors import MalformedDicomError, SeriesError
from atlaschart.imaging.dicom.reading import _get, _str


@dataclass(frozen=True)
class Instance:
    sop_instance_uid: str
    instance_number: int | None
    name: str
    dataset: Dataset = field(repr=False, compare=False)


@dataclass(frozen=True)
class Series:
    series_instance_uid: str
    modality: str | None
    description: str | None
    instances: tuple[Instance, ...]


@dataclass(frozen=True)
class Study:
    study_instance_uid: str
    patient_id: str | None
    patient_name: str | None
    study_date: str | None
    series: tuple[Series, ...]


def group(datasets: Iterable[tuple[str, Dataset]]) -> tuple[Study, ...]:
    """Group (name, dataset) pairs into studies → series → instances (sorted by InstanceNumber,
    then name). The same SOP Instance UID twice is refused (it would be stored twice)."""
    studies: dict[str, dict[str, list[Instance]]] = {}
    first: dict[str, Dataset] = {}
    series_ds: dict[str, Dataset] = {}
    seen: set[str] = set()
    for name, ds in datasets:
        uids = []
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
            value = _get(ds, keyword)
            if not value:
                raise MalformedDicomError(f"missing {keyword}", source=name)
            uids.append(str(value))
        study_uid, series_uid, sop_uid = uids
        if sop_uid in seen:
            raise SeriesError(f"SOP Instance UID {sop_uid} appears twice", source=name)
        seen.add(sop_uid)
        number = _get(ds, "InstanceNumber")
        inst = Instance(sop_uid, int(number) if number is not None else None, name, ds)
        studies.setdefault(study_uid, {}).setdefault(series_uid, []).append(inst)
        first.setdefault(study_uid, ds)
        series_ds.setdefault(series_uid, ds)
    out = []
    for study_uid, series in studies.items():
        ds0 = first[study_uid]
        out.append(
            Study(
                study_uid,
                _str(_get(ds0, "PatientID")),
                _str(_get(ds0, "PatientName")),
                _str(_get(ds0, "StudyDate")),
                tuple(
                    Series(
                        uid,
                        _str(_get(series_ds[uid], "Modality")),
                        _str(_get(series_ds[uid], "SeriesDescription")),
                        tuple(
                            sorted(
                                insts,
                                key=lambda i: (
                                    i.instance_number is None,
                                    i.instance_number or 0,
                                    i.name,
                                ),
                            )
                        ),
                    )
                    for uid, insts in series.items()
                ),
            )
        )
    return tuple(out)
