from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.audit.chain import GENESIS, HASHED_FIELDS, entry_hash, lock_chain
from atlaschart.lib.records import AppendOnlyError, AppendOnlyModel


class Action(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed in search results")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    ARCHIVE = "archive", _("archived")
    RESTORE = "restore", _("restored")
    EXPORT = "export", _("exported")
    SIGN = "sign", _("signed")
    AMEND = "amend", _("amended")
    DENIED = "denied", _("denied")


def _chain_head(using: str) -> tuple[int, str]:
    head = (
        AccessLogEntry._base_manager.using(using)
        .filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "row_hash")
        .first()
    )
    if head is None or head[0] is None:  # no sealed entry yet (seq__isnull=False: never None)
        return 0, GENESIS
    return head[0], head[1]


def _seal(entries: Sequence[AccessLogEntry], using: str) -> None:
    """Give each new entry its place in the chain and its hash (inside ``atomic``)."""
    lock_chain(connections[using])
    seq, prev_hash = _chain_head(using)
    for entry in entries:
        if entry.pk is not None:
            raise AppendOnlyError("access log entries cannot be changed")
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev_hash
        entry.row_hash = prev_hash = entry_hash(entry.chain_values(), prev_hash)


class AccessLogQuerySet(models.QuerySet["AccessLogEntry"]):
    def bulk_create(
        self, objs: Iterable[AccessLogEntry], *args: Any, **kwargs: Any
    ) -> list[AccessLogEntry]:
        entries = list(objs)
        with transaction.atomic(using=self.db):
            _seal(entries, self.db)
            return super().bulk_create(entries, *args, **kwargs)


class AccessLogEntry(AppendOnlyModel):
    """One read or write of patient data, or a denied attempt (PIPA safety measures §8: account,
    time, source IP, data subject, action).

    Append-only, enforced three times: ``save()`` and ``delete()`` refuse, database triggers
    refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), and on PostgreSQL the runtime role has
    no such privilege (docs/audit.md). Tampering by someone who gets past all three shows up in
    the hash chain (``atlaschart audit verify``).

    ``clinic`` is empty only for a denied attempt by a signed-in user who belongs to no clinic.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, null=True, verbose_name=_("clinic")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    client_ip = models.CharField(_("client IP"), max_length=45, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("patient"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    seq = models.PositiveBigIntegerField(_("place in the chain"), null=True, unique=True)
    prev_hash = models.CharField(_("previous entry's hash"), max_length=64, blank=True)
    row_hash = models.CharField(_("hash"), max_length=64, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        # One index per filter of the access log page, each ending in (at, id): the page's
        # keyset order, so a filtered page is one index range read, never a count or a sort of
        # the whole log (docs/audit.md, "The access log page at scale").
        indexes = [
            models.Index(fields=["clinic", "at", "id"], name="audit_log_clinic_time"),
            models.Index(fields=["clinic", "user", "at", "id"], name="audit_log_clinic_user_time"),
            models.Index(
                fields=["clinic", "action", "at", "id"], name="audit_log_clinic_action_time"
            ),
            models.Index(fields=["patient", "at", "id"], name="audit_log_patient_time"),
            # An address prefix (LIKE '10.1.%') reads a range of this index on PostgreSQL
            # whatever the database's collation; SQLite ignores operator classes.
            models.Index(
                fields=["clinic", "client_ip"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="audit_log_clinic_ip_prefix",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(clinic__isnull=False) | Q(action="denied"),
                name="audit_entry_clinic_unless_denied",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("access log entries cannot be changed")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            _seal([self], using)
            super().save(*args, **kwargs)

    def chain_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HASHED_FIELDS}


class AccessLogAnchor(AppendOnlyModel):
    """The chain head at one moment (``seq`` and ``row_hash`` of the newest entry).

    Written at each monthly review sign-off and by ``atlaschart audit anchor``. ``atlaschart audit
    verify`` checks that every anchored entry is still there with the same hash, which catches a
    log whose newest rows were cut off (the rest of the chain would still look whole). Copy the
    hash somewhere the database's owner cannot reach (the review's paper record) for the same
    reason.
    """

    at = models.DateTimeField(_("time"), default=timezone.now)
    seq = models.PositiveBigIntegerField(_("place in the chain"))
    row_hash = models.CharField(_("hash"), max_length=64)
    made_by = models.CharField(_("made by"), max_length=150, blank=True)
    via = models.CharField(_("made through"), max_length=20)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("access log anchor")
        verbose_name_plural = _("access log anchors")

    def __str__(self) -> str:
        return f"#{self.seq} {self.row_hash[:12]}"

    @classmethod
    def of_chain_head(cls, made_by: str, via: str) -> AccessLogAnchor:
        """Anchor the chain as it stands now (the chain lock keeps the head from moving)."""
        using = router.db_for_write(cls)
        with transaction.atomic(using=using):
            lock_chain(connections[using])
            seq, row_hash = _chain_head(using)
            anchor = cls(seq=seq, row_hash=row_hash, made_by=made_by[:150], via=via)
            anchor.save(using=using)
        return anchor


class AccessLogReview(AppendOnlyModel):
    """A clinic admin's sign-off of one month's access log (PIPA: review at least monthly)."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, verbose_name=_("clinic"))
    month = models.DateField(_("month"), help_text=_("The first day of the month reviewed."))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    anchor = models.OneToOneField(
        AccessLogAnchor, on_delete=models.PROTECT, verbose_name=_("chain anchor")
    )

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("access log review")
        verbose_name_plural = _("access log reviews")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.signed_at:%Y-%m-%d}"
