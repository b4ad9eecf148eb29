"""Translation catalogues without system gettext tools.

Each app keeps its Korean catalogue at ``<app>/locale/ko/LC_MESSAGES/django.po``. This module
finds the strings marked for translation in an app's Python files (``_()``, ``gettext()``,
``gettext_lazy()``, ``ngettext()``, ...) and templates (``{% translate %}``,
``{% blocktranslate %}``), adds the missing ones to the catalogue, lists the ones still lacking a
Korean translation, and compiles catalogues to ``.mo`` with polib. Used by ``atlaschart i18n`` and
by the test that keeps the Korean translation complete.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ("ko",)

_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
_NGETTEXT_NAMES = {"ngettext", "ngettext_lazy"}
_TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<text>.*?)(?P=q)(?P<rest>[^%]*)%\}"""
)
_BLOCK_TAG = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.DOTALL,
)
_PLURAL_TAG = re.compile(r"\{%\s*plural\s*%\}")
_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
_CONTEXT_ARG = re.compile(r"""context\s+(?P<q>["'])(?P<ctx>.*?)(?P=q)""")


@dataclass(frozen=True, order=True)
class Message:
    context: str
    msgid: str
    msgid_plural: str = ""


def app_dirs() -> list[Path]:
    """Every app folder of the package (a folder with an ``apps.py``)."""
    return sorted(p.parent for p in PACKAGE_DIR.glob("*/apps.py"))


def _python_messages(path: Path) -> set[Message]:
    found: set[Message] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.id
            if isinstance(node.func, ast.Name)
            else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
        )
        args = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
            for a in node.args
        ]
        if name in {"_", "gettext", "gettext_lazy"} and args and args[0]:
            found.add(Message("", args[0]))
        elif name in {"pgettext", "pgettext_lazy"} and len(args) >= 2 and args[0] and args[1]:
            found.add(Message(args[0], args[1]))
        elif name in _NGETTEXT_NAMES and len(args) >= 2 and args[0] and args[1]:
            found.add(Message("", args[0], args[1]))
    return found


def _block_text(text: str, trimmed: bool) -> str:
    # Django looks a template's literal "%" up as "%%" (blocktranslate and translate alike), so
    # the catalogue must hold it doubled or the page stays in English without a warning.
    text = text.replace("%", "%%")
    text = _VARIABLE.sub(lambda m: f"%({m.group(1)})s", text)
    if trimmed:
        text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text


def _template_messages(path: Path) -> set[Message]:
    source = path.read_text(encoding="utf-8")
    found: set[Message] = set()
    for match in _TRANSLATE_TAG.finditer(source):
        ctx = _CONTEXT_ARG.search(match.group("rest"))
        found.add(Message(ctx.group("ctx") if ctx else "", match.group("text").replace("%", "%%")))
    for match in _BLOCK_TAG.finditer(source):
        args = match.group("args")
        trimmed = "trimmed" in args.split()
        ctx = _CONTEXT_ARG.search(args)
        parts = _PLURAL_TAG.split(match.group("body"))
        singular = _block_text(parts[0], trimmed)
        plural = _block_text(parts[1], trimmed) if len(parts) > 1 else ""
        found.add(Message(ctx.group("ctx") if ctx else "", singular, plural))
    return found


def messages_of_app(app_dir: Path) -> set[Message]:
    found: set[Message] = set()
    for path in app_dir.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found |= _python_messages(path)
    for path in app_dir.rglob("templates/**/*.html"):
        found |= _template_messages(path)
    for path in app_dir.rglob("templates/**/*.txt"):
        found |= _template_messages(path)
    return found


def catalogue_path(app_dir: Path, language: str) -> Path:
    return app_dir / "locale" / language / "LC_MESSAGES" / "django.po"


def _load(path: Path, language: str) -> polib.POFile:
    if path.exists():
        return polib.pofile(str(path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "atlaschart",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;"
        if language == "ko"
        else "nplurals=2; plural=(n != 1);",
    }
    return po


def _find(po: polib.POFile, message: Message) -> polib.POEntry | None:
    return po.find(message.msgid, msgctxt=message.context or False)


def update_catalogues() -> dict[str, int]:
    """Add every marked string missing from an app's catalogue. Returns added counts per file."""
    added: dict[str, int] = {}
    for app_dir in app_dirs():
        found = messages_of_app(app_dir)
        if not found:
            continue
        for language in LANGUAGES:
            path = catalogue_path(app_dir, language)
            po = _load(path, language)
            count = 0
            for message in sorted(found):
                if _find(po, message) is None:
                    entry = polib.POEntry(msgid=message.msgid, msgstr="")
                    if message.context:
                        entry.msgctxt = message.context
                    if message.msgid_plural:
                        entry.msgid_plural = message.msgid_plural
                        entry.msgstr_plural = {0: ""}
                    po.append(entry)
                    count += 1
            if count:
                path.parent.mkdir(parents=True, exist_ok=True)
                po.save(str(path))
                added[str(path.relative_to(PACKAGE_DIR))] = count
    return added


def missing_translations() -> list[str]:
    """``app: msgid`` for every marked string with no Korean translation."""
    missing: list[str] = []
    for app_dir in app_dirs():
        for language in LANGUAGES:
            path = catalogue_path(app_dir, language)
            po = _load(path, language) if path.exists() else None
            for message in sorted(messages_of_app(app_dir)):
                entry = _find(po, message) if po is not None else None
                translated = (
                    entry is not None
                    and not entry.fuzzy
                    and (
                        entry.msgstr
                        if not message.msgid_plural
                        else all(entry.msgstr_plural.values())
                    )
                )
                if not translated:
                    missing.append(f"{app_dir.name} [{language}]: {message.msgid!r}")
    return missing


def compile_catalogues() -> list[Path]:
    compiled = []
    for po_path in PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/django.po"):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled.append(mo_path)
    return compiled


def compiled_catalogues_missing() -> list[str]:
    """Catalogues whose .mo is missing or older than the .po."""
    stale = []
    for po_path in PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/django.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            stale.append(str(po_path.relative_to(PACKAGE_DIR)))
    return stale
