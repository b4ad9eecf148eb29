"""The doors to imaging records, built on the shared ``atlaschart.lib.access.Door``.

Every study, series, instance and upper cervical analysis is scoped to the acting user's clinic
through its patient; a record of another clinic is a 404, exactly like one that does not exist.
Every record handed out is written to the access log, except image tiles (a PNG of an instance, a
CBCT slice), which the views fetch with ``once_per_session=True``: a window/level drag or a slice
slider would otherwise write hundreds of identical rows.

A CBCT's 3-D landmarks live on its series and a listing table's rules on the table, so neither has
a door of its own. Listing rule tables are clinic settings, not patient data, but are reached by id
through a door too, so another clinic's table is a 404 like everything else.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.imaging_studies.models import Instance, ListingTable, Series, Study, UCAnalysis
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor

Who = Actor | HttpRequest

study_door = Door(
    Study,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="imaging study",
)
series_door = Door(
    Series,
    clinic_field="study__patient__clinic_id",
    patient_attr="study.patient",
    related=("study__patient",),
    label="image series",
)
instance_door = Door(
    Instance,
    clinic_field="series__study__patient__clinic_id",
    patient_attr="series.study.patient",
    related=("series__study__patient", "blob"),
    label="image",
)
analysis_door = Door(
    UCAnalysis,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient", "instance__series__study", "instance__blob"),
    label="upper cervical analysis",
)
listing_table_door = Door(
    ListingTable, clinic_field="clinic_id", patient_attr="", label="listing rule table"
)


def studies_of_clinic(who: Who) -> QuerySet[Study]:
    """Imaging studies of the acting user's clinic (not logged: callers log what they show)."""
    return study_door.of_clinic(who)


def get_study_for_user(
    who: Who, study_id: int, action: Action = Action.VIEW, detail: str = "", *, log: bool = True
) -> Study:
    return study_door.get(who, study_id, action, detail, log=log)


def series_of_clinic(who: Who) -> QuerySet[Series]:
    return series_door.of_clinic(who)


def get_series_for_user(
    who: Who,
    series_id: int,
    action: Action = Action.VIEW,
    detail: str = "",
    *,
    once_per_session: bool = False,
) -> Series:
    return series_door.get(who, series_id, action, detail, once_per_session=once_per_session)


def instances_of_clinic(who: Who) -> QuerySet[Instance]:
    return instance_door.of_clinic(who)


def get_instance_for_user(
    who: Who,
    instance_id: int,
    action: Action = Action.VIEW,
    detail: str = "",
    *,
    once_per_session: bool = False,
    log: bool = True,
) -> Instance:
    return instance_door.get(
        who, instance_id, action, detail, once_per_session=once_per_session, log=log
    )


def analyses_of_clinic(who: Who) -> QuerySet[UCAnalysis]:
    return analysis_door.of_clinic(who)


def get_analysis_for_user(
    who: Who, analysis_id: int, action: Action = Action.VIEW, detail: str = "", *, log: bool = True
) -> UCAnalysis:
    return analysis_door.get(who, analysis_id, action, detail, log=log)


def listing_tables_of_clinic(who: Who) -> QuerySet[ListingTable]:
    return listing_table_door.of_clinic(who)


def get_listing_table_for_user(
    who: Who, table_id: int, action: Action = Action.VIEW, detail: str = "", *, log: bool = True
) -> ListingTable:
    return listing_table_door.get(who, table_id, action, detail, log=log)
