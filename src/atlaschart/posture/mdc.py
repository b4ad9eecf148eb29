"""Which MDC95 a clinic uses for each metric, and where it came from.

Order: the clinic's configured value; else one computed from the clinic's repeated shots (2+
photos of the same view in one session) when there are at least ``MIN_REPEAT_GROUPS`` such groups;
else the core's default (``DEFAULT_MDC95``); else the core falls back to the two values' own
uncertainties.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.http import HttpRequest

from atlaschart.lib.actor import Actor, as_actor
from atlaschart.measure import posture as core
from atlaschart.posture.access import shots_of_clinic
from atlaschart.posture.models import ClinicPostureSettings

#: Fewer groups than this give an MDC too unstable to trust (a project choice, not a published
#: figure): then the defaults apply.
MIN_REPEAT_GROUPS = 3


@dataclass(frozen=True)
class MdcEntry:
    value: float
    source: str  # "configured" | "repeats" | "default"
    groups: int = 0


def stored_settings(who: Actor | HttpRequest) -> ClinicPostureSettings | None:
    """The acting user's clinic's posture settings, if an admin ever saved them."""
    clinic_id = as_actor(who).clinic_id
    if clinic_id is None:
        return None
    return ClinicPostureSettings.objects.filter(clinic_id=clinic_id).first()


def repeat_groups(who: Actor | HttpRequest) -> dict[str, list[list[float]]]:
    """Per metric, the values of each (session, view) group with 2+ shots (current algorithm)
    of the acting user's clinic. Only metric values are read (no patient is shown), so nothing is
    logged."""
    rows = (
        shots_of_clinic(who)
        .filter(metrics_algorithm=core.ALGORITHM.label)
        .order_by("session_id", "view", "id")
        .values_list("session_id", "view", "metrics")
    )
    by_group: dict[tuple[int, str], list[dict[str, dict[str, object]]]] = defaultdict(list)
    for session_id, view, metrics in rows:
        by_group[(session_id, view)].append(metrics or {})
    groups: dict[str, list[list[float]]] = defaultdict(list)
    for shots in by_group.values():
        if len(shots) < 2:
            continue
        for name in set().union(*(s.keys() for s in shots)):
            values = [
                float(v)
                for s in shots
                if isinstance(s.get(name), dict)
                and isinstance(v := s[name].get("value"), (int, float))
            ]
            if len(values) >= 2:
                groups[name].append(values)
    return groups


def clinic_mdc(who: Actor | HttpRequest) -> dict[str, MdcEntry]:
    """The MDC95 per metric name that the acting user's clinic uses, with its source."""
    settings = stored_settings(who)
    table: dict[str, MdcEntry] = {
        name: MdcEntry(value, "default") for name, value in core.DEFAULT_MDC95.items()
    }
    if settings is None or settings.use_repeats:
        for name, groups in repeat_groups(who).items():
            if len(groups) >= MIN_REPEAT_GROUPS:
                table[name] = MdcEntry(core.mdc95_from_repeats(groups), "repeats", len(groups))
    if settings is not None:
        for name, value in settings.mdc95.items():
            if isinstance(value, (int, float)) and value >= 0:
                table[name] = MdcEntry(float(value), "configured")
    return table
