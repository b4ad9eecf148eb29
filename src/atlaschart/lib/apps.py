from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibConfig(AppConfig):
    """Registered only so the shared messages (lib/locale) are found and translated."""

    name = "atlaschart.lib"
    verbose_name = _("Shared building blocks")
