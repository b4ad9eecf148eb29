"""The partners' read API over HTTP: ``/fhir/metadata``, ``/fhir/<Type>/<id>``, ``/fhir/<Type>``.

JSON only (``application/fhir+json``), Bearer tokens only (tokens.py), exempt from the CSRF check
and the sign-in page (a partner system has neither a session nor a form) but not from the access
log: every read and search is logged as the token's creator, through the API, with the token's
name. Every error is an OperationOutcome with its status, never an HTML page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access, log_records_listed
from atlaschart.fhir import api, registry, tokens
from atlaschart.fhir.models_tokens import ApiToken
from atlaschart.lib.actor import Actor
from atlaschart.lib.client import client_ip

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json; charset=utf-8"
ALLOWED_METHODS = ("GET",)
# Requests per token per minute (django-ratelimit, counted in the cache); FHIR_API_RATE overrides.
DEFAULT_RATE = "300/m"
# Resources that are the access log itself: a read of them is one log row for the request (as the
# admin's log pages and the CSV export write), not one per entry, or paging through AuditEvent
# would add a page of new entries with every page it reads.
LOG_ITSELF = frozenset({"AuditEvent"})


def _json(data: Any, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type=FHIR_JSON
    )
    # Patient data: no cache anywhere on the way (the sign-in pages get this from the security
    # middleware; a token request has no signed-in user).
    response["Cache-Control"] = "no-store"
    return response


def _outcome(error: api.ApiError) -> HttpResponse:
    response = _json(api.operation_outcome(error.code, error.text), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="AtlasChart FHIR"'
    if error.status == 405:
        response["Allow"] = ", ".join(ALLOWED_METHODS)
    if error.status == 429:
        response["Retry-After"] = "60"
    return response


def _method_not_allowed() -> api.ApiError:
    return api.ApiError(405, "not-supported", _("This API is read-only: only GET is allowed."))


def _detail(token: ApiToken, request: HttpRequest) -> str:
    return f"via api token {token.name}: {request.method} {request.get_full_path()}"


def _log_denied(actor: Actor, token: ApiToken, request: HttpRequest) -> None:
    log_access(actor, Action.DENIED, patient=None, detail=_detail(token, request))


def _rate_limited(request: HttpRequest, token: ApiToken) -> bool:
    from django_ratelimit.core import is_ratelimited

    return bool(
        is_ratelimited(
            request,
            group="fhir-api",
            key=lambda _group, _request: f"token:{token.pk}",
            rate=getattr(
                settings, "FHIR_API_RATE", DEFAULT_RATE
            ),  # web/settings.py, env FHIR_API_RATE
            increment=True,
        )
    )


View = Callable[..., HttpResponse]
Endpoint = Callable[..., HttpResponse]


def _guarded(view: Endpoint) -> View:
    """GET only; OperationOutcome for every error; a failure of ours is a 500 OperationOutcome
    (logged), never Django's HTML page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            return _outcome(_method_not_allowed())
        try:
            return view(request, *args, **kwargs)
        except api.ApiError as error:
            return _outcome(error)
        except Exception:
            logger.exception("FHIR API failure at %s", request.path)
            return _outcome(
                api.ApiError(500, "exception", _("The server failed to answer. Try again later."))
            )

    return login_not_required(csrf_exempt(wrapped))


def token_required(view: Endpoint) -> View:
    """The view gets ``(request, actor, token, ...)``: a live token of a clinic, else 401."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        checked = tokens.authenticate(request.headers.get("Authorization", ""))
        if not checked.ok or checked.token is None:
            if checked.token is not None and checked.refusal is tokens.Refusal.REVOKED:
                creator = checked.token.created_by
                if creator.clinic_id == checked.token.clinic_id:
                    # A revoked token still names who made it: the refusal is theirs to see.
                    _log_denied(
                        tokens.actor_of(checked.token, client_ip(request)), checked.token, request
                    )
            raise api.ApiError(
                401,
                "login",
                _("A valid API token is needed: Authorization: Bearer <token>.")
                if checked.refusal is tokens.Refusal.MISSING
                else _("The API token is not valid, or has been revoked."),
            )
        token = checked.token
        if _rate_limited(request, token):
            raise api.ApiError(
                429, "throttled", _("Too many requests with this token; wait a minute.")
            )
        tokens.touch(token)
        return view(request, tokens.actor_of(token, client_ip(request)), token, *args, **kwargs)

    # A mark on the view (a token API view); functions have no typed attributes.
    wrapped.atlaschart_token_api = True  # type: ignore[attr-defined]
    return wrapped


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata").rstrip("/")


def _known_type(resource_type: str) -> None:
    if resource_type not in registry.resource_types():
        raise api.ApiError(
            404,
            "not-supported",
            _("This server has no resource type %(type)s.") % {"type": resource_type[:64]},
        )


def _patients_of(actor: Actor, hits: list[tuple[registry.ResourceSource, Any]]) -> dict[int, Any]:
    from atlaschart.patients.access import patients_of_clinic

    ids = {pid for source, row in hits if (pid := source.patient_id(row)) is not None}
    return patients_of_clinic(actor).in_bulk(ids) if ids else {}


def _patient(patients: dict[int, Any], patient_id: int | None) -> Any:
    """The row's patient among ``patients``; None for a row that names none."""
    return patients.get(patient_id) if patient_id is not None else None


@_guarded
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement. Open without a token, as FHIR clients read it first; it holds no
    patient data."""
    return _json(api.capability_statement(_base_url(request)))


@_guarded
@token_required
def read(
    request: HttpRequest, actor: Actor, token: ApiToken, resource_type: str, fhir_id: str
) -> HttpResponse:
    _known_type(resource_type)
    found = registry.find_row(actor, resource_type, fhir_id)
    if found is None:
        # Another clinic's resource and one that does not exist answer alike; the attempt is
        # logged as refused, as the door does for pages.
        _log_denied(actor, token, request)
        raise api.not_found()
    source, row = found
    resource = source.build(actor, row)
    if resource_type in LOG_ITSELF:
        log_access(actor, Action.VIEW, patient=None, detail=_detail(token, request))
    else:
        patient = _patient(_patients_of(actor, [found]), source.patient_id(row))
        log_access(actor, Action.VIEW, patient=patient, obj=row, detail=_detail(token, request))
    return _json(api._data(resource))


@_guarded
@token_required
def search(request: HttpRequest, actor: Actor, token: ApiToken, resource_type: str) -> HttpResponse:
    from fhir.resources.R4B.bundle import Bundle

    _known_type(resource_type)
    query = api.parse_search(resource_type, request.GET)
    page = api.search_page(actor, query)
    base = _base_url(request)
    here = f"{base}/{resource_type}"
    links = [{"relation": "self", "url": api.link(here, query, query.cursor)}]
    if page.next is not None:
        links.append({"relation": "next", "url": api.link(here, query, page.next)})
    if page.prev is not None:
        links.append({"relation": "previous", "url": api.link(here, query, page.prev)})
    # Each resource was validated by its builder; the Bundle is validated without them and the
    # resources put in after (validating and serialising them a second time, inside the Bundle,
    # doubled the cost of a page of 100).
    entries = [
        {"fullUrl": f"{here}/{hit.source.fhir_id(hit.row)}", "search": {"mode": "match"}}
        for hit in page.hits
    ]
    data = api._data(
        Bundle.model_validate(
            {
                "type": "searchset",
                "timestamp": timezone.now().isoformat(),
                "link": links,
                "entry": entries or None,
            }
        )
    )
    for entry, hit in zip(data.get("entry", []), page.hits, strict=True):
        entry["resource"] = api._data(hit.source.build(actor, hit.row))
    _log_listed(actor, token, request, [(hit.source, hit.row) for hit in page.hits])
    return _json(data)


def _log_listed(
    actor: Actor,
    token: ApiToken,
    request: HttpRequest,
    rows: list[tuple[registry.ResourceSource, Any]],
) -> None:
    """One row per resource handed out, naming its patient; one row for a search that found
    nothing (the use is still a use) or one of the access log itself."""
    detail = _detail(token, request)
    if not rows or any(source.resource_type in LOG_ITSELF for source, _row in rows):
        log_access(actor, Action.LIST, patient=None, detail=detail)
        return
    patients = _patients_of(actor, rows)
    subject = {id(row): _patient(patients, source.patient_id(row)) for source, row in rows}
    # One insert for the page (the chain is sealed once), not one per resource.
    log_records_listed(
        actor, [row for _source, row in rows], detail, patient_of=lambda row: subject[id(row)]
    )


@_guarded
def unknown(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under /fhir/: an OperationOutcome, never the HTML 404 page."""
    raise api.ApiError(404, "not-found", _("No such address in this FHIR API."))
