"""The instrument registry: every instrument AtlasChart can score, by id."""

from __future__ import annotations

from atlaschart.measure.instruments.free import GROC, NPRS, PSFS, START_BACK
from atlaschart.measure.instruments.licensed import (
    BOURNEMOUTH_BACK,
    BOURNEMOUTH_NECK,
    DHI,
    HIT_6,
    NDI,
    ODI,
    RMDQ,
)
from atlaschart.measure.instruments.model import Instrument

INSTRUMENTS: dict[str, Instrument] = {
    instrument.id: instrument
    for instrument in (
        NPRS,
        PSFS,
        GROC,
        START_BACK,
        NDI,
        ODI,
        RMDQ,
        BOURNEMOUTH_NECK,
        BOURNEMOUTH_BACK,
        HIT_6,
        DHI,
    )
}


def get_instrument(instrument_id: str) -> Instrument:
    """Look an instrument up by id (case-insensitive). Raises ``KeyError`` naming the known ids."""
    try:
        return INSTRUMENTS[instrument_id.strip().lower()]
    except KeyError:
        known = ", ".join(INSTRUMENTS)
        raise KeyError(f"unknown instrument {instrument_id!r}; known: {known}") from None
