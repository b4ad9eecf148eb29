"""View models that wrap a record for a template.

A page often shows a record with a few words made for it (a state, a label in the reader's
language). Setting those as attributes on the model instance hides them from the type checker
and from a reader; a frozen dataclass holding the record and the words says what the page
shows. The template still reads the record's own fields through it (``t.pk``, ``e.patient``).
"""

from __future__ import annotations

from typing import Any, ClassVar


class RecordOnPage:
    """Mixin for a frozen dataclass whose ``record_field`` holds the record it presents: a name
    the view model does not have itself is read from the record."""

    record_field: ClassVar[str]

    def __getattr__(self, name: str) -> Any:
        # Called only for names not found on the view model. Never for special names, nor for
        # the record's own field before the dataclass has set it (as when it is copied).
        field = type(self).record_field
        if name == field or name.startswith("__"):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, field), name)
