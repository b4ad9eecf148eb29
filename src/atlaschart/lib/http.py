"""A typed request for views that only signed-in members of a clinic reach.

``request.user`` on a plain ``HttpRequest`` is ``User | AnonymousUser``; views behind
``permission_required`` know better. Annotate them with
``AuthenticatedHttpRequest`` instead of writing ``type: ignore`` at each use (cf. healthchecks'
``hc/accounts/http.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from atlaschart.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
