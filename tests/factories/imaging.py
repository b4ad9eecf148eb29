"""Imaging records made through ``atlaschart.imaging_studies.services``: a study imported by the
import service (the same ``importing`` the web upload's job runs), an upper-cervical analysis by
``save_analysis``. Each call acts as the given user (``Actor.system``) and writes the access-log
rows the service writes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atlaschart.imaging_studies import services
from atlaschart.imaging_studies.forms import flat_to_core
from atlaschart.imaging_studies.models import Instance, UCAnalysis
from atlaschart.lib.actor import Actor
from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL


def imported_study(
    user: Any, patient: Any, *files: bytes | tuple[str, bytes], confirm: bool = True
) -> services.Imported | services.NeedsConfirmation:
    """Import ``files`` (bytes, named ``0.dcm``, ``1.dcm``, ...; or ``(name, bytes)``) into
    ``patient``'s chart as ``user``. Files that name another patient are staged for the identity
    step and, with ``confirm``, confirmed at once as the clinician would."""
    actor = Actor.system(user, via="test")
    items = [f if isinstance(f, tuple) else (f"{i}.dcm", f) for i, f in enumerate(files)]
    outcome = services.receive_upload(actor, patient, items)
    if confirm and isinstance(outcome, services.NeedsConfirmation):
        confirmed = services.import_staged(actor, patient, outcome.token)
        assert confirmed is not None
        return confirmed
    return outcome


def uc_analysis(
    user: Any,
    inst: Instance,
    points: Mapping[str, Any],
    *,
    view: str = "nasium",
    listing: str = "",
    vector: str = "",
) -> UCAnalysis:
    """An analysis of ``inst`` from editor-style points (``skull_pairs.1.right``, ``apl_left``,
    ...; image pixels), computed and stored as the analysis page's save does, with the clinic's
    active listing table for the view."""
    actor = Actor.system(user, via="test")
    analysis, _outcome = services.save_analysis(
        actor,
        inst,
        view=view,
        profile=GENERIC_ORTHOGONAL,
        points=flat_to_core(dict(points), (inst.columns, inst.rows)),
        listing=listing,
        vector=vector,
        listing_table=services.active_listing_table(actor, view),
    )
    return analysis
