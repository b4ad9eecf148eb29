"""The one exception a service raises when it refuses what the user asked.

``str(refusal)`` is the message for the person, already in their language (the service builds
it with gettext); the view shows it next to the form and answers 400 or 409. Nothing was
written: a service checks before it changes anything, inside its transaction.
"""

from __future__ import annotations


class Refused(ValueError):
    """A refused request; ``str(err)`` is the translated message for the user."""
