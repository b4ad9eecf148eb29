"""The door to staff accounts: a clinic admin reaches only their own clinic's users."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from atlaschart.accounts.models import User


def staff_of_clinic(request: HttpRequest) -> QuerySet[User]:
    clinic_id = getattr(request.user, "clinic_id", None)
    if clinic_id is None:
        return User.objects.none()
    return User.objects.filter(clinic_id=clinic_id)


def get_staff_user_for_admin(request: HttpRequest, user_id: int) -> User:
    user = staff_of_clinic(request).filter(pk=user_id).first()
    if user is None:
        raise Http404("No such user")
    return user
