"""A typed request for views that only signed-in members of a clinic reach.

``request.user`` on a plain ``HttpRequest`` is ``User | AnonymousUser``; views behind
``permission_required`` know better. Annotate them with
``AuthenticatedHttpRequest`` instead of writing ``type: ignore`` at each use (cf. healthchecks'
``hc/accounts/http.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from atlaschart.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def clinic_id_of(request: AuthenticatedHttpRequest) -> int:
    """The acting user's clinic, in a view behind ``permission_required`` (which lets only
    members of a clinic through, so the ``PermissionDenied`` here is a second lock)."""
    clinic_id = request.user.clinic_id
    if clinic_id is None:
        raise PermissionDenied
    return clinic_id


#: Session keys shared by the idle-timeout middleware (web/security.py) and the sign-in pages
#: (accounts): when the session was last used, and that it ended because it sat idle.
LAST_SEEN_KEY = "atlaschart_last_seen"
SIGNED_OUT_IDLE_KEY = "atlaschart_signed_out_idle"
