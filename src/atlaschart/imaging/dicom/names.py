"""Does a DICOM Person Name (PN) name the same person as a chart? (no Django here)

A PN value holds up to three component groups separated by ``=`` (DICOM PS3.5 §6.2.1.2):
alphabetic (``Kim^Minjun``), ideographic and phonetic, each ``family^given^middle^prefix^suffix``.
Korean modalities write the Hangul name in the ideographic (sometimes the phonetic, sometimes the
only) group, decoded by pydicom from ``SpecificCharacterSet`` ``ISO 2022 IR 149`` (EUC-KR with
escape sequences) or the common non-standard ``ISO_IR 149`` (registered below).

The rules, per group:

* **Hangul / CJK**: family then given joined without the caret or spaces (``김^민준`` and
  ``김 민준`` are ``김민준``); Korean order only.
* **Latin**: case-, space- and punctuation-insensitive (``Min-jun`` is ``Minjun``), family and
  given in either order (``Kim^Minjun`` is "Minjun Kim"), or the same words in any order.

A name matches when any group matches any of the chart's names (its Korean name and its Latin
form), except that when both the file and the chart have a Hangul name, the Hangul spelling
decides: romanisations vary (Lee / Yi / Rhee), a Hangul name does not, so ``Kim^Minjun=김민수``
is a different person from 김민준 even though the Latin group matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pydicom import charset

# Several Korean modalities write ``ISO_IR 149`` (no code extension) for KS X 1001; pydicom knows
# only the standard ``ISO 2022 IR 149`` and would read the bytes as Latin-1 (mojibake). EUC-KR
# is the same character set, with ASCII below 0x80, so the value decodes as the modality meant.
charset.python_encoding.setdefault("ISO_IR 149", "euc_kr")

_SEPARATORS = re.compile(r"[\s.,'\-\u00b7\u30fb]+")


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0xAC00 <= code <= 0xD7A3  # Hangul syllables
        or 0x1100 <= code <= 0x11FF  # Hangul jamo
        or 0x3130 <= code <= 0x318F  # Hangul compatibility jamo
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs (Hanja)
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
    )


def _is_hangul(text: str) -> bool:
    return any(0xAC00 <= ord(ch) <= 0xD7A3 for ch in text)


def _squash(text: str) -> str:
    """Lower case, NFC (a decomposed Hangul syllable equals the composed one), no separators."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFC", text).casefold())


def _words(text: str) -> tuple[str, ...]:
    return tuple(sorted(w for w in _SEPARATORS.split(text.casefold()) if w))


def _group_keys(group: str) -> set[str]:
    """The comparison keys of one component group (``family^given^middle^prefix^suffix``)."""
    parts = [p.strip() for p in unicodedata.normalize("NFC", group).split("^")]
    family, given, middle = [*parts, "", "", ""][:3]
    if not (family or given or middle):
        return set()
    if any(_is_cjk(ch) for ch in group):
        return {"c:" + _squash(family + given + middle)}
    keys = {
        "c:" + _squash(family + given + middle),
        "c:" + _squash(given + middle + family),
        "w:" + " ".join(_words(" ".join((family, given, middle)))),
    }
    return keys


def _chart_keys(name: str) -> set[str]:
    """The keys of a name as the chart writes it (no carets: "김민준", "Minjun Kim")."""
    name = unicodedata.normalize("NFC", name.replace("^", " ")).strip()
    if not name:
        return set()
    if any(_is_cjk(ch) for ch in name):
        return {"c:" + _squash(name)}
    return {"c:" + _squash(name), "w:" + " ".join(_words(name))}


def component_groups(value: str) -> list[str]:
    """The non-empty component groups of a PN value as pydicom gives it (``str(PersonName)``)."""
    return [g for g in value.split("=")[:3] if g.replace("^", "").strip()]


def person_name_matches(value: str, chart_names: Iterable[str]) -> bool:
    """Whether the PN ``value`` (``Kim^Minjun=김^민준``) names the chart's person (see module)."""
    names = [n for n in chart_names if n and n.strip()]
    groups = component_groups(value)
    if not groups or not names:
        return False
    chart_hangul = set().union(*(_chart_keys(n) for n in names if _is_hangul(n)))
    file_hangul = [g for g in groups if _is_hangul(g)]
    if chart_hangul and file_hangul:
        return any(_group_keys(g) & chart_hangul for g in file_hangul)
    chart = set().union(*(_chart_keys(n) for n in names))
    return any(_group_keys(g) & chart for g in groups)
