"""Wording-pack problems from the core, in the user's language.

The core (``measure.instruments.check_wording_pack``) reports each problem as a short English
message that names the place (``items.q3.options: ...``). Known shapes are re-worded here through
gettext; an unknown shape is shown as the core wrote it, so no problem is ever hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

Translator = Callable[[re.Match[str]], str]

_PATTERNS: list[tuple[re.Pattern[str], Translator]] = [
    (
        re.compile(r"^the file must hold a JSON object"),
        lambda m: _(
            "The file must hold one JSON object with instrument, version, language and items."
        ),
    ),
    (
        re.compile(r"^instrument: (?P<got>.*) is not a licensed instrument \((?P<known>.*)\)$"),
        lambda m: (
            _("instrument: %(got)s is not a licensed questionnaire (%(known)s).") % m.groupdict()
        ),
    ),
    (
        re.compile(r"^instrument: (?P<id>\S+) ships its own wording"),
        lambda m: (
            _("instrument: %(id)s comes with its own wording; no file is needed.") % m.groupdict()
        ),
    ),
    (
        re.compile(
            r"^version: this pack is for (?P<got>.*), AtlasChart scores \S+ version (?P<want>.*)$"
        ),
        lambda m: (
            _("version: the file is for %(got)s, but AtlasChart scores version %(want)s.")
            % m.groupdict()
        ),
    ),
    (
        re.compile(r"^language: (?P<got>.*) is not one of (?P<allowed>.*)$"),
        lambda m: _("language: %(got)s is not one of %(allowed)s.") % m.groupdict(),
    ),
    (
        re.compile(r"^(?P<place>[\w.\[\]]+): unknown field"),
        lambda m: _("%(place)s: unknown field.") % m.groupdict(),
    ),
    (
        re.compile(r"^(?P<place>[\w.\[\]]+): (missing or empty|missing or empty text)$"),
        lambda m: _("%(place)s: missing or empty.") % m.groupdict(),
    ),
    (
        re.compile(r"^(?P<place>[\w.\[\]]+): missing$"),
        lambda m: _("%(place)s: missing.") % m.groupdict(),
    ),
    (
        re.compile(
            r"^(?P<place>items\.\w+\.options): expected no option texts.*, got (?P<got>\d+)$"
        ),
        lambda m: (
            _("%(place)s: this statement takes no option texts, the file gives %(got)s.")
            % m.groupdict()
        ),
    ),
    (
        re.compile(
            r"^(?P<place>items\.\w+\.options): "
            r"expected (?P<want>\d+) option texts.*, got (?P<got>\d+)$"
        ),
        lambda m: (
            _(
                "%(place)s: %(want)s option texts are needed in published order, "
                "the file gives %(got)s."
            )
            % m.groupdict()
        ),
    ),
    (
        re.compile(r"^(?P<place>items\.\w+): \S+ has items q1\.\.q(?P<n>\d+) only$"),
        lambda m: _("%(place)s: this questionnaire has items q1 to q%(n)s only.") % m.groupdict(),
    ),
]


def translate_problem(message: str) -> str:
    for pattern, translate in _PATTERNS:
        match = pattern.search(message)
        if match:
            return translate(match)
    return message
