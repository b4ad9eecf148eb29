import contextlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagingStudiesConfig(AppConfig):
    name = "atlaschart.imaging_studies"
    label = "imaging_studies"
    verbose_name = _("Imaging studies")

    def ready(self) -> None:
        from atlaschart.imaging_studies import storage
        from atlaschart.imaging_studies.chart import register

        register()
        # At start-up too: staged uploads left by a server that stopped before the periodic
        # sweep ran (they hold patient names) go before anyone can be served. Files only, no
        # database; a media folder that cannot be read must not stop the server starting.
        with contextlib.suppress(OSError):
            storage.sweep_staged()
