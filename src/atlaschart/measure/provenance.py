"""Provenance of derived numbers: which algorithm, which version, made a value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Algorithm:
    """Identifies the algorithm that produced a derived value.

    ``id`` is stable across releases (e.g. ``"posture.frontal"``); ``version`` changes whenever the
    same inputs could give a different output. Stored next to every derived value so a value can be
    recomputed or explained later.
    """

    id: str
    version: str

    def __post_init__(self) -> None:
        if not self.id or not self.version:
            raise ValueError("algorithm id and version must be non-empty")

    @property
    def label(self) -> str:
        """``id@version``, the form written into stored records and JSON output."""
        return f"{self.id}@{self.version}"
