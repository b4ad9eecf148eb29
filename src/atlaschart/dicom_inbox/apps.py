from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DicomInboxConfig(AppConfig):
    name = "atlaschart.dicom_inbox"
    label = "dicom_inbox"
    verbose_name = _("Imaging inbox")
