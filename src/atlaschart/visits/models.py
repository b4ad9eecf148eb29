"""Care plans, appointments, visit notes, treatments, adverse events and consultation requests.

Signed records are never edited in place: a signed ``Visit`` keeps its SOAP text and every change
after signing is an ``Amendment`` row (who, when, why, the new text). Drafts carry a ``version``
number that the edit form sends back, so two people editing one draft cannot silently overwrite
each other (optimistic locking, checked in ``services.update_note``). A signed note's text version
is its number of amendments (``services.note_version``), checked the same way by
``services.amend_note``.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Dates and times this app accepts (inclusive years). Python's datetime stops at years 1 and
#: 9999, so at the edges adding a time zone, a slot length or a week overflows; no clinic books,
#: consents or plans there.
FIRST_YEAR = 1900
LAST_YEAR = 2100


def default_open_weekdays() -> list[int]:
    """Monday to Saturday, as most Seoul clinics open."""
    return [0, 1, 2, 3, 4, 5]


class ClinicProfile(models.Model):
    """What the public consultation page shows, and the clinic's SOAP note template."""

    clinic = models.OneToOneField(
        "clinics.Clinic",
        on_delete=models.CASCADE,
        related_name="visit_profile",
        verbose_name=_("clinic"),
    )
    public_page_enabled = models.BooleanField(_("public consultation page enabled"), default=True)
    services = models.TextField(_("services"), blank=True, help_text=_("One per line."))
    conditions = models.TextField(_("conditions treated"), blank=True, help_text=_("One per line."))
    hours = models.TextField(
        _("opening hours"), blank=True, help_text=_("One line per day or range.")
    )
    # Structured hours for the booking warning (the free-text ``hours`` is what the public page
    # shows). Weekdays as Python numbers: 0 = Monday.
    opens_at = models.TimeField(_("opens at"), default=time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=time(19, 0))
    open_weekdays = models.JSONField(_("open on"), default=default_open_weekdays, blank=True)
    template_subjective = models.TextField(_("template: subjective"), blank=True)
    template_objective = models.TextField(_("template: objective"), blank=True)
    template_assessment = models.TextField(_("template: assessment"), blank=True)
    template_plan = models.TextField(_("template: plan"), blank=True)

    class Meta:
        verbose_name = _("clinic profile")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]


class CarePlan(models.Model):
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="care_plans",
        verbose_name=_("patient"),
    )
    start_date = models.DateField(_("start date"))
    interval_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=7)
    planned_visits = models.PositiveSmallIntegerField(_("planned visits"), default=6)
    reexam_dates = models.JSONField(_("re-examination dates"), default=list, blank=True)
    # Re-assessment points: a follow-up questionnaire is due after the Nth visit of the plan, or
    # N weeks after its start (lists of whole numbers, ascending).
    reassess_after_visits = models.JSONField(_("re-assess after visit"), default=list, blank=True)
    reassess_weeks = models.JSONField(_("re-assess at week"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("care plan")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CarePlanGoal(models.Model):
    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=300)
    measure = models.CharField(
        _("measured by"),
        max_length=80,
        blank=True,
        help_text=_(
            "A questionnaire id (e.g. ndi) or a metric name (e.g. cervical_rom.rotation_left)."
        ),
    )
    # Goals written before the goals form kept their target as text; new goals give a number on
    # the instrument's scale and a date.
    target = models.CharField(_("target"), max_length=80, blank=True)
    target_value = models.DecimalField(
        _("target score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField(_("by when"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def target_display(self) -> str:
        """The target in words: "Neck Disability Index(NDI) 10 or less" (the direction is the
        instrument's: less is better where a higher score is worse)."""
        from atlaschart.measure.instruments.catalogue import INSTRUMENTS
        from atlaschart.visits.forms import instrument_label
        from atlaschart.visits.techniques import plain_number

        name = instrument_label(self.measure) if self.measure else ""
        if self.target_value is None:
            return " ".join(p for p in (name, self.target) if p)
        score = plain_number(self.target_value)
        instrument = INSTRUMENTS.get(self.measure)
        if instrument is not None and instrument.direction == "higher-is-better":
            return _("%(instrument)s %(score)s or more") % {"instrument": name, "score": score}
        return _("%(instrument)s %(score)s or less") % {"instrument": name, "score": score}


class ConsentKind(models.TextChoices):
    MANUAL_THERAPY = "manual_therapy", _("Manual therapy")
    INJECTION = "injection", _("Injection or nerve block")


class ConsentRecord(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consents"
    )
    kind = models.CharField(_("consent for"), max_length=20, choices=ConsentKind.choices)
    given_on = models.DateField(_("given on"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", _("Arrived")
    DONE = "done", _("Done")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class AppointmentKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REEXAMINATION = "reexamination", _("Re-examination")
    INJECTION = "injection", _("Injection")


#: Usual length of each kind of appointment, in minutes; the booking form fills it in when the
#: length is left empty. A first consultation includes history, screening and films.
DEFAULT_MINUTES = {
    AppointmentKind.CONSULTATION: 60,
    AppointmentKind.ADJUSTMENT: 20,
    AppointmentKind.REEXAMINATION: 40,
    AppointmentKind.INJECTION: 30,
}


#: Statuses that hold the clinician's time (a cancelled or missed slot can be booked again).
ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.DONE)


class Appointment(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("clinician"),
    )
    kind = models.CharField(
        _("type"),
        max_length=20,
        choices=AppointmentKind.choices,
        default=AppointmentKind.ADJUSTMENT,
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    care_plan = models.ForeignKey(
        CarePlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["clinician", "starts_at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Visit(models.Model):
    """One visit's SOAP note. Editable while a draft; after ``signed_at`` only amendments."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="visits")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="visit"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visit_date = models.DateField(_("visit date"))
    subjective = models.TextField(_("subjective"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    version = models.PositiveIntegerField(default=1)
    followup_done = models.BooleanField(_("adverse-event follow-up asked"), default=False)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-visit_date", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")


class Amendment(models.Model):
    """A change to a signed note: the full new SOAP text; the original stays on the Visit."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("reason for the amendment"), max_length=300)
    subjective = models.TextField(_("subjective"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    changed_fields = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class TreatmentKind(models.TextChoices):
    UC_ADJUSTMENT = "uc_adjustment", _("Upper cervical adjustment")
    MANUAL_THERAPY = "manual_therapy", _("Other manual therapy")
    INJECTION = "injection", _("Injection or nerve block")


class Treatment(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="treatments")
    kind = models.CharField(_("kind"), max_length=20, choices=TreatmentKind.choices)
    technique = models.CharField(_("technique"), max_length=30, blank=True)
    listing = models.CharField(_("listing"), max_length=40, blank=True)
    contact_side = models.CharField(_("contact side"), max_length=10, blank=True)
    technique_settings = models.JSONField(_("technique settings"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    drug = models.CharField(_("drug"), max_length=120, blank=True)
    dose_mg = models.DecimalField(
        _("dose (mg)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    volume_ml = models.DecimalField(
        _("volume (mL)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    site = models.CharField(_("site"), max_length=120, blank=True)
    guidance = models.CharField(_("guidance"), max_length=20, blank=True)
    concentration_mg_per_ml = models.DecimalField(
        _("concentration (mg/mL)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    lot_number = models.CharField(_("lot number"), max_length=40, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    administered_at = models.DateTimeField(_("given at"), null=True, blank=True)
    consent = models.ForeignKey(
        ConsentRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent"),
    )
    physician = models.CharField(_("physician"), max_length=120, blank=True)
    complications = models.TextField(_("complications"), blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    safety_level_at_signing = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class AdverseEvent(models.Model):
    """A complaint reported at the follow-up question, classified by the exam core."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="adverse_events"
    )
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="adverse_events")
    description = models.CharField(_("complaint"), max_length=200)
    is_new = models.BooleanField(_("new complaint"))
    severity_0_10 = models.PositiveSmallIntegerField(_("severity (0-10)"))
    baseline_severity_0_10 = models.PositiveSmallIntegerField(
        _("severity before treatment"), null=True
    )
    onset_h = models.FloatField(_("onset (hours after treatment)"))
    duration_h = models.FloatField(_("duration (hours)"), null=True)
    serious_criteria = models.JSONField(default=list)
    classification = models.CharField(max_length=30)
    escalated = models.BooleanField(default=False)
    algorithm = models.CharField(max_length=60)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    CONVERTED = "converted", _("Booked")
    DECLINED = "declined", _("Declined")


class ConsultationRequest(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(_("phone or email"), max_length=120)
    preferred_time = models.CharField(_("preferred time"), max_length=120, blank=True)
    complaint = models.TextField(_("what would you like help with?"), max_length=2000)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
