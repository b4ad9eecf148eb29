"""Job handlers: what each kind of job does, the steps it reports and the errors it may end with.

An app declares its handlers in its own ``jobs.py`` (found by ``JobsConfig.ready``)::

    @job_handler(
        "posture.analyse_shot",
        needs=((Kind.POSTURE, Permission.WRITE),),
        steps={"detecting": _("Finding the body landmarks")},
        errors={"no_person": _("No person was found in the photo.")},
    )
    def analyse_shot(job: Job, progress: Progress) -> JobResult: ...

``needs`` is what the requesting user must be allowed to do: it is checked again when the worker
starts the job (a role changed meanwhile ends it as ``not_allowed``), and only users allowed all
of it may open the job's page. The words are lazy translations, rendered in the reader's language
when the page or the status is shown, never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.policy import Kind, Permission

if TYPE_CHECKING:
    from atlaschart.jobs.models import Job

#: Steps and errors every job may have, whatever its handler.
COMMON_STEPS: Mapping[str, Promise] = {
    "": _("Waiting to start"),
    "started": _("Starting"),
    "finished": _("Finished"),
}
COMMON_ERRORS: Mapping[str, Promise] = {
    "unexpected": _(
        "The work could not be finished because of an unexpected error; nothing was saved. Try "
        "again, and tell the clinic's administrator if it happens again."
    ),
    "not_allowed": _(
        "The work was not done: the person who asked for it may no longer do this work."
    ),
    "unknown_kind": _("The work was not done: this kind of work is not known to this server."),
}


@dataclass(frozen=True)
class JobResult:
    """What a finished job leads to: the page to show (``result_url``), a small JSON ``result``,
    and an optional ``notice`` (a code of the handler's ``notices``) shown there once, at
    ``notice_level`` ("success", "warning" or "info")."""

    result_url: str
    result: dict[str, Any] = field(default_factory=dict)
    notice: str = ""
    notice_level: str = "success"


class JobFailed(Exception):
    """An expected failure: ``code`` is one of the handler's ``errors``; ``params`` fill in its
    message (plain JSON values: they are stored with the job)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class Progress:
    """What a running handler reports. Each call is saved at once in its own short write, so the
    progress page sees it; call it outside the handler's own transactions (a write inside an
    open transaction is seen only when that commits)."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def step(self, code: str, done: int | None = None, total: int | None = None) -> None:
        from atlaschart.jobs.models import Job

        handler = HANDLERS.get(self.job.kind)
        if handler is not None and code not in handler.steps and code not in COMMON_STEPS:
            raise ValueError(f"step {code!r} is not declared by {self.job.kind}")
        changes: dict[str, Any] = {"step": code}
        if done is not None:
            changes["done"] = max(0, done)
        if total is not None:
            changes["total"] = max(0, total)
        with transaction.atomic():
            Job.objects.filter(pk=self.job.pk).update(**changes)
        for name, value in changes.items():
            setattr(self.job, name, value)


HandlerFunction = Callable[["Job", Progress], JobResult]
ParamWords = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Handler:
    kind: str
    function: HandlerFunction
    needs: tuple[tuple[Kind, Permission], ...]
    steps: Mapping[str, Promise]
    errors: Mapping[str, Promise]
    notices: Mapping[str, Promise]
    #: Turns stored error params into the words of the message (e.g. a view value into its
    #: translated label), called in the reader's language.
    param_words: ParamWords | None = None
    #: A run older than this is taken for a dead worker's and may be claimed again.
    stale_after_s: int = 900
    #: The work in words, as the progress page's heading ("Analysing a posture photo").
    title: Promise | None = None
    #: The result is a file to download, not a page: the browser stays on the progress page,
    #: which then shows the job's notice itself (not queued for the next page opened).
    result_is_download: bool = False

    def title_words(self) -> str:
        return str(self.title) if self.title is not None else str(_("Background work"))

    def step_words(self, code: str, done: int = 0, total: int = 0) -> str:
        """The step in words; a step's words may name ``%(done)s`` and ``%(total)s``
        ("Reading slice %(done)s of %(total)s")."""
        words = self.steps.get(code) or COMMON_STEPS.get(code) or COMMON_STEPS["started"]
        try:
            return str(words) % {"done": done, "total": total}
        except (KeyError, TypeError, ValueError):
            return str(words)

    def error_words(self, code: str, params: dict[str, Any]) -> str:
        message = self.errors.get(code) or COMMON_ERRORS.get(code) or COMMON_ERRORS["unexpected"]
        values = self.param_words(code, dict(params)) if self.param_words else dict(params)
        try:
            return str(message) % values if values else str(message)
        except (KeyError, TypeError, ValueError):
            return str(message)

    def notice_words(self, code: str) -> str:
        words = self.notices.get(code)
        return str(words) if words is not None else ""


HANDLERS: dict[str, Handler] = {}


def job_handler(
    kind: str,
    *,
    steps: Mapping[str, Promise],
    errors: Mapping[str, Promise] | None = None,
    needs: tuple[tuple[Kind, Permission], ...] = (),
    notices: Mapping[str, Promise] | None = None,
    param_words: ParamWords | None = None,
    stale_after_s: int = 900,
    title: Promise | None = None,
    result_is_download: bool = False,
) -> Callable[[HandlerFunction], HandlerFunction]:
    """Register ``function`` as the handler of jobs of ``kind`` (see the module's docstring).

    With ``needs=()`` only the user who asked for the job may open it."""

    def register(function: HandlerFunction) -> HandlerFunction:
        if kind in HANDLERS and HANDLERS[kind].function is not function:
            existing = HANDLERS[kind].function
            same = (existing.__module__, existing.__qualname__) == (
                function.__module__,
                function.__qualname__,
            )
            if not same:  # a module imported twice re-registers itself; two owners may not
                raise ValueError(f"job kind {kind!r} is already registered")
        HANDLERS[kind] = Handler(
            kind=kind,
            function=function,
            needs=tuple(needs),
            steps=dict(steps),
            errors=dict(errors or {}),
            notices=dict(notices or {}),
            param_words=param_words,
            stale_after_s=stale_after_s,
            title=title,
            result_is_download=result_is_download,
        )
        return function

    return register


def get_handler(kind: str) -> Handler | None:
    return HANDLERS.get(kind)


def unknown_handler(kind: str) -> Handler:
    """A stand-in for a kind no installed app declares (an old job): common words only."""

    def refuse(job: Job, progress: Progress) -> JobResult:
        raise JobFailed("unknown_kind")

    return Handler(kind, refuse, needs=(), steps={}, errors={}, notices={})
