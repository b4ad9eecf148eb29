"""The imaging pages, one module per page family; urls.py reaches every view through this
package, so the names below are the ones its patterns use."""

from atlaschart.imaging_studies.views.analysis import (
    analysis_edit,
    analysis_new,
    analysis_save,
    export_png,
)
from atlaschart.imaging_studies.views.exports import export_download, export_ready, export_study
from atlaschart.imaging_studies.views.importing import (
    confirm_upload,
    import_study,
    upload_file,
    upload_finish,
    upload_open,
)
from atlaschart.imaging_studies.views.listing_rules import listing_table_active, listing_tables
from atlaschart.imaging_studies.views.studies import compare_view, study_detail
from atlaschart.imaging_studies.views.viewing import (
    instance_image,
    instance_update,
    viewer,
    volume_landmarks,
    volume_slice,
    volume_viewer,
)

__all__ = [
    "analysis_edit",
    "analysis_new",
    "analysis_save",
    "compare_view",
    "confirm_upload",
    "export_download",
    "export_png",
    "export_ready",
    "export_study",
    "import_study",
    "instance_image",
    "instance_update",
    "listing_table_active",
    "listing_tables",
    "study_detail",
    "upload_file",
    "upload_finish",
    "upload_open",
    "viewer",
    "volume_landmarks",
    "volume_slice",
    "volume_viewer",
]
