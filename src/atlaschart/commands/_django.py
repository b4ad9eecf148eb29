"""Starting Django from a subcommand (kept out of subcommands that need no database)."""

from __future__ import annotations

import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
    import django

    django.setup()
