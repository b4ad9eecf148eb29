"""When an exam was taken relative to the adjustment (a choice of the exam record and of the
forms that take a timing)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Timing(models.TextChoices):
    NONE = "", _("Not tied to an adjustment")
    PRE = "pre", _("Before the adjustment")
    POST = "post", _("After the adjustment")
