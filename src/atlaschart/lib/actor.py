"""Who is acting, and from where: what every service that writes a clinical record takes.

Services take an :class:`Actor`, not the ``HttpRequest`` (as zulip's actions take
``acting_user``), so the web views, the CLI, the demo loader and background tasks all go through
the same rules and write the same audit rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from atlaschart.accounts.models import User


@dataclass(frozen=True)
class Actor:
    """The acting member of staff and the client address the action came from.

    ``user`` is ``None`` only for actions taken without a signed-in member of staff: a patient
    filling an intake link, or a denied anonymous request. ``client_ip`` is empty for the CLI and
    background tasks.
    """

    user: User | None
    client_ip: str = ""
    via: str = "web"

    @property
    def clinic_id(self) -> int | None:
        if self.user is None or not self.user.is_authenticated:
            return None
        return self.user.clinic_id

    @property
    def username(self) -> str:
        if self.user is None or not self.user.is_authenticated:
            return ""
        return self.user.get_username()

    @classmethod
    def of(cls, request: HttpRequest) -> Actor:
        """The actor behind a web request (anonymous requests have ``user=None``)."""
        from atlaschart.lib.client import client_ip

        user = request.user if request.user.is_authenticated else None
        return cls(user=user, client_ip=client_ip(request), via="web")

    @classmethod
    def system(cls, user: User | None, via: str) -> Actor:
        """An actor for the CLI, the demo loader or a background task (no client address)."""
        return cls(user=user, client_ip="", via=via)


def as_actor(who: Actor | HttpRequest) -> Actor:
    """Accept either; lets callers pass a request at the edge of a view."""
    return who if isinstance(who, Actor) else Actor.of(who)
