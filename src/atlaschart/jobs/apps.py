from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "atlaschart.jobs"
    label = "jobs"
    verbose_name = _("Background work")

    def ready(self) -> None:
        # Each app declares its handlers in its own ``jobs.py``; importing them registers them
        # (the web process needs their step and error words, the worker their functions).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
