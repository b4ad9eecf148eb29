"""The hash chain: every entry links to the one before; ``atlaschart audit verify`` names the
first entry that was changed, removed, put in out of order, or cut off after the last anchor.

Tampering is simulated as an attacker with the owner's rights would do it: drop the guard
triggers (atlaschart.audit.guard.remove), then raw SQL.
"""

from __future__ import annotations

import itertools
import json

import pytest
from django.db import connection

from atlaschart.audit import guard
from atlaschart.audit.chain import GENESIS, entry_hash
from atlaschart.audit.models import AccessLogAnchor, AccessLogEntry
from atlaschart.audit.services import log_access, log_listing
from atlaschart.cli import main
from atlaschart.lib.actor import Actor


def verify(capsys) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def five(personas) -> list[AccessLogEntry]:
    actor = Actor(personas.clinician, "192.0.2.1")
    for n in range(5):
        log_access(actor, "view", patient=personas.patient, detail=f"visit {n}")
    return list(AccessLogEntry.objects.order_by("seq"))


def raw(sql: str, params: list | None = None) -> None:
    guard.remove(connection)  # the attacker drops the triggers first
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_entries_link_to_the_one_before(five) -> None:
    assert [e.seq for e in five] == [1, 2, 3, 4, 5]
    assert five[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(five):
        assert after.prev_hash == before.row_hash
    for e in five:
        assert e.row_hash == entry_hash(e.chain_values(), e.prev_hash)


def test_listing_bulk_inserts_chain_too(personas, five) -> None:
    log_listing(Actor(personas.desk), [personas.patient, personas.patient], detail="search: 김")
    last_two = list(AccessLogEntry.objects.order_by("seq"))[-2:]
    assert [e.seq for e in last_two] == [6, 7]
    assert last_two[0].prev_hash == five[-1].row_hash
    assert last_two[1].prev_hash == last_two[0].row_hash


def test_a_whole_chain_verifies(five, capsys) -> None:
    AccessLogAnchor.of_chain_head(made_by="test", via="cli")
    code, report = verify(capsys)
    assert code == 0
    assert report == {
        "ok": True,
        "entries_checked": 5,
        "anchors_checked": 1,
        "last_seq": 5,
        "last_hash": five[-1].row_hash,
        "last_anchor_seq": 5,
        "problems_found": 0,
        "first_problem": None,
    }


def test_an_empty_log_verifies(db, capsys) -> None:
    AccessLogAnchor.of_chain_head(made_by="test", via="cli")
    assert verify(capsys)[0] == 0


def test_a_changed_entry_is_named(five, capsys) -> None:
    raw("UPDATE audit_accesslogentry SET client_ip = '10.9.9.9' WHERE id = %s", [five[2].pk])
    code, report = verify(capsys)
    assert code == 1
    assert report["first_problem"]["kind"] == "changed"
    assert report["first_problem"]["entry_id"] == five[2].pk
    assert report["first_problem"]["seq"] == 3
    assert report["problems_found"] == 1


def test_a_changed_entry_with_its_hash_rewritten_is_named(five, capsys) -> None:
    forged = five[1].chain_values() | {"detail": "nothing to see"}
    new_hash = entry_hash(forged, five[1].prev_hash)
    raw(
        "UPDATE audit_accesslogentry SET detail = %s, row_hash = %s WHERE id = %s",
        ["nothing to see", new_hash, five[1].pk],
    )
    code, report = verify(capsys)
    assert code == 1
    assert report["first_problem"]["kind"] == "rewritten"
    assert report["first_problem"]["entry_id"] == five[1].pk


def test_relinking_the_next_entry_as_well_is_still_caught(five, capsys) -> None:
    """Each hash covers the previous hash, so a forger must rewrite every entry to the end."""
    forged = five[1].chain_values() | {"detail": "nothing to see"}
    new_hash = entry_hash(forged, five[1].prev_hash)
    raw(
        "UPDATE audit_accesslogentry SET detail = %s, row_hash = %s WHERE id = %s",
        ["nothing to see", new_hash, five[1].pk],
    )
    raw("UPDATE audit_accesslogentry SET prev_hash = %s WHERE id = %s", [new_hash, five[2].pk])
    code, report = verify(capsys)
    assert code == 1
    problem = report["first_problem"]
    assert (problem["kind"], problem["entry_id"]) == ("changed", five[2].pk)


def test_a_removed_entry_is_named(five, capsys) -> None:
    raw("DELETE FROM audit_accesslogentry WHERE id = %s", [five[1].pk])
    code, report = verify(capsys)
    assert code == 1
    problem = report["first_problem"]
    assert (problem["kind"], problem["entry_id"], problem["seq"]) == ("removed", five[2].pk, 3)
    assert "place 2 missing" in problem["message"]


def test_a_truncated_tail_is_caught_by_the_anchor(five, capsys) -> None:
    AccessLogAnchor.of_chain_head(made_by="review", via="review")
    raw("DELETE FROM audit_accesslogentry WHERE seq >= 4")
    code, report = verify(capsys)
    assert code == 1
    problem = report["first_problem"]
    assert (problem["kind"], problem["seq"]) == ("truncated", 5)
    assert "ends at place 3" in problem["message"]


def test_a_chain_rewritten_past_an_anchor_is_caught(five, capsys) -> None:
    AccessLogAnchor.of_chain_head(made_by="review", via="review")
    # Rewrite the last entry completely, hash and all: only the anchor knows.
    forged = five[4].chain_values() | {"client_ip": "10.9.9.9"}
    raw(
        "UPDATE audit_accesslogentry SET client_ip = '10.9.9.9', row_hash = %s WHERE id = %s",
        [entry_hash(forged, five[4].prev_hash), five[4].pk],
    )
    code, report = verify(capsys)
    assert code == 1
    assert report["first_problem"]["kind"] == "anchor_mismatch"
    assert report["first_problem"]["entry_id"] == five[4].pk


def test_an_entry_put_in_out_of_order_is_named(five, capsys) -> None:
    head = five[-1]
    values = head.chain_values() | {"seq": 6, "detail": "forged"}
    AccessLogEntry._base_manager.bulk_create(
        [
            AccessLogEntry(
                id=five[0].pk - 1,
                **{k: v for k, v in values.items() if k not in {"clinic_id", "user_id"}},
                clinic_id=values["clinic_id"],
                user_id=values["user_id"],
                prev_hash=head.row_hash,
                row_hash=entry_hash(values, head.row_hash),
            )
        ]
    )
    code, report = verify(capsys)
    assert code == 1
    assert report["first_problem"]["kind"] == "out_of_order"
    assert report["first_problem"]["entry_id"] == five[0].pk - 1


def test_an_entry_without_a_place_is_named(five, capsys) -> None:
    AccessLogEntry._base_manager.bulk_create(
        [AccessLogEntry(clinic_id=five[0].clinic_id, action="view", detail="past the app")]
    )
    code, report = verify(capsys)
    assert code == 1
    assert report["first_problem"]["kind"] == "unchained"


def test_verify_in_words(five, capsys) -> None:
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    assert "ok: the chain is whole" in capsys.readouterr().out
    raw("DELETE FROM audit_accesslogentry WHERE id = %s", [five[0].pk])
    assert main(["audit", "verify"]) == 1
    assert "BROKEN (removed)" in capsys.readouterr().out


def test_anchor_command_records_the_head(five, capsys) -> None:
    capsys.readouterr()
    assert main(["audit", "anchor", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    anchor = AccessLogAnchor.objects.get()
    assert (printed["seq"], printed["row_hash"]) == (5, five[-1].row_hash)
    assert (anchor.seq, anchor.row_hash, anchor.via) == (5, five[-1].row_hash, "cli")
