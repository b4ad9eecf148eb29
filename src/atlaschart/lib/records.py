"""Records that are only ever added: the access log, safety screens and their acknowledgements,
submitted intakes and questionnaires, listing tables.

A stored row of such a model is never changed or deleted through the ORM; a correction is a new
row (an amendment, a new version). Where it matters most the database refuses too (the access
log's triggers, audit migration 0005); this is the first lock, the one application code meets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(RuntimeError):
    """Code asked to change or delete a stored record that is only ever added to."""


class AppendOnlyModel(models.Model):
    """Rows are inserted, never updated or deleted one by one.

    ``mutable_fields`` names the few fields that may still change on a stored row (a listing
    table's active flag): a ``save(update_fields=...)`` touching only them is allowed.
    """

    mutable_fields: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._changes_only_mutable_fields(
            kwargs.get("update_fields")
        ):
            raise AppendOnlyError(f"a stored {self._meta.verbose_name} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"a stored {self._meta.verbose_name} cannot be deleted")

    def _changes_only_mutable_fields(self, update_fields: Iterable[str] | None) -> bool:
        if update_fields is None or not self.mutable_fields:
            return False
        return set(update_fields) <= self.mutable_fields
