from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "atlaschart.web"
    verbose_name = _("AtlasChart")
