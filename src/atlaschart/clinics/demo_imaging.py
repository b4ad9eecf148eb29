"""The living demo's imaging: a study the X-ray room sent over the network that waits in the
Seoul clinic's imaging inbox (its name differs from the chart with that number), and a finished
de-identified export of a stored study, so the inbox page and an export's download page show
something. Each is made through the services a modality and a clinician use: the receiver's
``receive_set`` (files in the media storage, the access log), the export's background job (at
once: the demo has no worker)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from atlaschart.clinics.demo_stories import Staff
from atlaschart.clinics.demo_stories.steps import Report, run_step
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient

#: The name the X-ray machine wrote (the receptionist typed another patient's on the modality).
HELD_NAME = "Park^Jiho=박^지호"


def _sample_ct() -> Any:
    from pydicom import dcmread
    from pydicom.data import get_testdata_file

    found = get_testdata_file("CT_small.dcm", download=False)
    if not found:
        raise FileNotFoundError("pydicom's CT_small.dcm sample is not installed")
    return dcmread(found)


def held_study(report: Report, staff: Staff, patient: Patient) -> None:
    """A radiograph received for ``patient``'s chart number under another name: held."""
    from pydicom.uid import generate_uid

    from atlaschart.dicom_inbox.services import Received, receive_set

    def receive() -> Any:
        ds = _sample_ct()
        ds.SpecificCharacterSet = ["", "ISO 2022 IR 149"]
        ds.PatientID, ds.PatientName = patient.chart_number, HELD_NAME
        ds.StudyInstanceUID = generate_uid(entropy_srcs=["demo-inbox", patient.chart_number])
        ds.SeriesInstanceUID = generate_uid(
            entropy_srcs=["demo-inbox-series", patient.chart_number]
        )
        ds.SOPInstanceUID = generate_uid(entropy_srcs=["demo-inbox-image", patient.chart_number])
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.StudyDescription = "C-SPINE LAT"
        with tempfile.TemporaryDirectory(prefix="atlaschart-demo-") as work:
            path = Path(work) / "received.dcm"
            ds.save_as(path, enforce_file_format=True)
            data = path.read_bytes()
            received = Received(
                path=path,
                sha256=hashlib.sha256(data).hexdigest(),
                size_bytes=len(data),
                sop_class_uid=str(ds.SOPClassUID),
                sop_instance_uid=str(ds.SOPInstanceUID),
                study_instance_uid=str(ds.StudyInstanceUID),
                patient_id=patient.chart_number,
                patient_name=HELD_NAME,
                birth_date="",
                study_date=str(ds.get("StudyDate", "")),
                study_description="C-SPINE LAT",
                modality="CT",
            )
            actor = Actor(user=staff.admin, client_ip="", via="dicom")
            receipt = receive_set(
                actor, calling_ae="XRAY-ROOM1", peer_address="127.0.0.1", objects=[received]
            )
        if len(receipt.held) != 1:
            raise RuntimeError("the demo study was not held in the inbox")
        report.count("imaging inbox items")
        return receipt

    run_step(report, "imaging inbox study", receive)


def finished_export(report: Report, staff: Staff) -> None:
    """A de-identified export of the clinic's first stored study, packed by its job."""
    from atlaschart.imaging_studies import jobs as imaging_jobs
    from atlaschart.imaging_studies.access import studies_of_clinic
    from atlaschart.jobs.services import submit

    actor = staff.actor(staff.clinician)

    def export() -> Any:
        study = studies_of_clinic(actor).filter(is_film=False).order_by("id").first()
        if study is None:
            raise LookupError("no stored study to export")
        job = submit(
            actor,
            imaging_jobs.EXPORT_KIND,
            patient=study.patient,
            input_sha256=imaging_jobs.export_input_sha256(study),
            payload={"study": study.pk},
        )
        if job.state != "done":
            raise RuntimeError(f"export job {job.state}: {job.error_code}")
        report.count("de-identified exports")
        return job

    run_step(report, "de-identified export", export)


def load(staff: Staff, patients: list[Patient], report: Report) -> None:
    """The Seoul clinic's imaging extras (``patients`` in chart-number order)."""
    if not patients:
        return
    held_study(report, staff, patients[0])
    finished_export(report, staff)
