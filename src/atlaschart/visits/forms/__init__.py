"""The visits app's forms, one module per group of pages: ``schedule``, ``notes``, ``treatments``,
``adverse_events``, ``care`` and ``requests`` (the public page); ``fields`` holds the shared field
helpers. Callers import from here (``from atlaschart.visits.forms import TreatmentForm``)."""

from atlaschart.visits.forms.adverse_events import (
    SERIOUS_CRITERIA,
    FollowupForm,
)
from atlaschart.visits.forms.care import (
    INSTRUMENT_NAMES,
    BaseGoalFormSet,
    CarePlanForm,
    ConsentForm,
    GoalForm,
    GoalFormSet,
    instrument_choices,
    instrument_label,
)
from atlaschart.visits.forms.fields import (
    DATETIME_FORMATS,
    clinicians_of,
    date_field,
    datetime_field,
    field_of,
    minutes_field,
    within_years,
)
from atlaschart.visits.forms.notes import (
    AmendmentForm,
    NoteForm,
)
from atlaschart.visits.forms.requests import (
    _SALT,
    MAX_FORM_AGE_SECONDS,
    MIN_FILL_SECONDS,
    ConsultationForm,
    ConvertForm,
    form_token,
)
from atlaschart.visits.forms.schedule import (
    AppointmentForm,
    RecurringForm,
)
from atlaschart.visits.forms.treatments import (
    DOSE_TOLERANCE,
    GUIDANCE,
    INJECTION_FIELDS,
    INJECTION_SIDES,
    MANUAL_SIDES,
    SIDES,
    TreatmentForm,
    setting_field_name,
)

__all__ = [
    "DATETIME_FORMATS",
    "DOSE_TOLERANCE",
    "GUIDANCE",
    "INJECTION_FIELDS",
    "INJECTION_SIDES",
    "INSTRUMENT_NAMES",
    "MANUAL_SIDES",
    "MAX_FORM_AGE_SECONDS",
    "MIN_FILL_SECONDS",
    "SERIOUS_CRITERIA",
    "SIDES",
    "_SALT",
    "AmendmentForm",
    "AppointmentForm",
    "BaseGoalFormSet",
    "CarePlanForm",
    "ConsentForm",
    "ConsultationForm",
    "ConvertForm",
    "FollowupForm",
    "GoalForm",
    "GoalFormSet",
    "NoteForm",
    "RecurringForm",
    "TreatmentForm",
    "clinicians_of",
    "date_field",
    "datetime_field",
    "field_of",
    "form_token",
    "instrument_choices",
    "instrument_label",
    "minutes_field",
    "setting_field_name",
    "within_years",
]
