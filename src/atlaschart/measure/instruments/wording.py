"""Clinic-supplied wording for licensed instruments ("wording packs").

AtlasChart ships licensed instruments without their wording. A clinic that holds a licence
uploads the text as JSON through the admin pages::

    {
      "instrument": "ndi",
      "version": "vernon-1991",
      "language": "ko",
      "title": "...",                      # optional
      "instructions": "...",               # optional
      "copyright": "...",                  # optional, shown under the form
      "licence_reference": "...",          # optional, e.g. the licence number
      "items": {"q1": {"text": "...", "options": ["...", "...", ...]}, ...}
    }

Every item of the instrument must be present with non-empty text, and ``options`` must hold the
option texts in published order, as many as the instrument needs (6 statements for NDI/ODI items,
5 for HIT-6, 3 for DHI Yes/Sometimes/No, the 2 end anchors "0" and "10" for Bournemouth items,
none for an RMDQ statement). :func:`check_wording_pack` returns every problem at once as short
English messages naming the place (``items.q3.options``), so the admin page can list them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from atlaschart.measure.instruments.catalogue import INSTRUMENTS
from atlaschart.measure.instruments.model import LANGUAGES, Instrument

_OPTIONAL_TEXT = ("title", "instructions", "copyright", "licence_reference")
_KNOWN_KEYS = ("instrument", "version", "language", "items", *_OPTIONAL_TEXT)


@dataclass(frozen=True)
class ItemWording:
    text: str
    options: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.text.strip() or any(not o.strip() for o in self.options):
            raise ValueError("item wording must be non-empty")


@dataclass(frozen=True)
class WordingPack:
    """Validated wording for one licensed instrument, version and language."""

    instrument: str
    version: str
    language: str
    items: Mapping[str, ItemWording]
    title: str = ""
    instructions: str = ""
    copyright: str = ""
    licence_reference: str = ""

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unsupported language {self.language!r}")


class WordingPackError(ValueError):
    """The pack is not usable; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors: tuple[str, ...] = tuple(errors)


def _options_wanted(instrument: Instrument, item_id: str) -> int:
    return instrument.item(item_id).wording_options


def check_wording_pack(data: object) -> list[str]:
    """Every problem with a wording pack, as messages; an empty list means it can be loaded."""
    if not isinstance(data, Mapping):
        return ["the file must hold a JSON object with instrument, version, language and items"]
    errors = _field_errors(data)
    instrument = _licensed_instrument(data)
    if isinstance(instrument, str):
        # Without the instrument nothing below can be checked against it.
        errors.append(instrument)
        return errors
    errors.extend(_version_and_language_errors(data, instrument))
    items = data.get("items")
    if not isinstance(items, Mapping):
        errors.append("items: must be an object keyed by item id (q1, q2, ...)")
        return errors
    errors.extend(_items_errors(instrument, items))
    return errors


def _field_errors(data: Mapping[str, object]) -> list[str]:
    """Unknown top-level fields, and optional fields that are not text."""
    errors = [
        f"{key}: unknown field (allowed: {', '.join(_KNOWN_KEYS)})"
        for key in data
        if key not in _KNOWN_KEYS
    ]
    errors.extend(
        f"{key}: must be text"
        for key in _OPTIONAL_TEXT
        if key in data and not isinstance(data[key], str)
    )
    return errors


def _licensed_instrument(data: Mapping[str, object]) -> Instrument | str:
    """The licensed instrument the pack names, or the message saying why there is none."""
    instrument_id = data.get("instrument")
    instrument = INSTRUMENTS.get(instrument_id) if isinstance(instrument_id, str) else None
    if instrument is None:
        licensed = ", ".join(i.id for i in INSTRUMENTS.values() if i.needs_wording_pack)
        return f"instrument: {instrument_id!r} is not a licensed instrument ({licensed})"
    if not instrument.needs_wording_pack:
        return f"instrument: {instrument.id} ships its own wording; no pack is needed"
    return instrument


def _version_and_language_errors(data: Mapping[str, object], instrument: Instrument) -> list[str]:
    errors: list[str] = []
    if data.get("version") != instrument.version:
        errors.append(
            f"version: this pack is for {data.get('version')!r}, AtlasChart scores "
            f"{instrument.id} version {instrument.version!r}"
        )
    language = data.get("language")
    if language not in instrument.languages:
        errors.append(f"language: {language!r} is not one of {', '.join(instrument.languages)}")
    return errors


def _items_errors(instrument: Instrument, items: Mapping[str, object]) -> list[str]:
    """Items the instrument lacks first, then each of its items in published order."""
    expected = [item.id for item in instrument.items]
    errors = [
        f"items.{key}: {instrument.id} has items q1..q{len(expected)} only"
        for key in items
        if key not in expected
    ]
    for item_id in expected:
        errors.extend(_item_errors(instrument, item_id, items.get(item_id)))
    return errors


def _item_errors(instrument: Instrument, item_id: str, entry: object) -> list[str]:
    where = f"items.{item_id}"
    if entry is None:
        return [f"{where}: missing"]
    if not isinstance(entry, Mapping):
        return [f"{where}: must be an object with text and options"]
    errors = [
        f"{where}.{key}: unknown field (allowed: text, options)"
        for key in entry
        if key not in ("text", "options")
    ]
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip():
        errors.append(f"{where}.text: missing or empty")
    options = entry.get("options", [])
    if not isinstance(options, list):
        errors.append(f"{where}.options: must be a list of texts")
        return errors
    errors.extend(_options_errors(instrument, item_id, options))
    return errors


def _options_errors(instrument: Instrument, item_id: str, options: list[object]) -> list[str]:
    """The option count the instrument needs, then each option's text."""
    where = f"items.{item_id}.options"
    errors: list[str] = []
    wanted = _options_wanted(instrument, item_id)
    if len(options) != wanted:
        scores = [o.score for o in instrument.item(item_id).options]
        what = (
            "no option texts (the statement is ticked or not)"
            if wanted == 0
            else f"{wanted} option texts in published order"
        )
        detail = f" (scores {scores})" if wanted == len(scores) else ""
        errors.append(f"{where}: expected {what}{detail}, got {len(options)}")
    errors.extend(
        f"{where}[{position}]: missing or empty text"
        for position, option in enumerate(options, start=1)
        if not isinstance(option, str) or not option.strip()
    )
    return errors


def load_wording_pack(data: object) -> WordingPack:
    """Validate and return a :class:`WordingPack`; raises :class:`WordingPackError`."""
    errors = check_wording_pack(data)
    if errors:
        raise WordingPackError(errors)
    assert isinstance(data, Mapping)
    items = data["items"]
    return WordingPack(
        instrument=data["instrument"],
        version=data["version"],
        language=data["language"],
        items={
            item_id: ItemWording(
                text=entry["text"].strip(),
                options=tuple(o.strip() for o in entry.get("options", [])),
            )
            for item_id, entry in items.items()
        },
        **{key: data[key].strip() for key in _OPTIONAL_TEXT if key in data},
    )
