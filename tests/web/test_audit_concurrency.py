"""Concurrent appends keep the chain linear on PostgreSQL (the advisory lock of
atlaschart.audit.chain.lock_chain); SQLite serialises writers itself."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from atlaschart.audit.models import AccessLogEntry
from atlaschart.audit.services import log_access, log_listing
from atlaschart.audit.verify import verify_chain
from atlaschart.lib.actor import Actor

THREADS = 6
EACH = 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_chain(personas) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def append(n: int) -> None:
        try:
            start.wait(timeout=10)
            actor = Actor(personas.clinician, f"192.0.2.{n}")
            for i in range(EACH):
                if i % 4 == 3:
                    log_listing(actor, [personas.patient, personas.patient], detail="list")
                else:
                    log_access(actor, "view", patient=personas.patient, detail=f"{n}/{i}")
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    expected = THREADS * (EACH + EACH // 4)  # a listing writes two rows
    seqs = list(AccessLogEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))
    report = verify_chain()
    assert report.ok, report.problem
