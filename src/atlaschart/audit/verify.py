"""Recompute the access log's hash chain and compare it with its anchors.

The first problem found is named, by the entry's id and place in the chain:

``changed``       the entry's content no longer gives its stored hash;
``rewritten``     the entry was changed and its hash recomputed to hide it: the next entry's
                  stored ``prev_hash`` no longer matches;
``removed``       places in the chain are missing before this entry;
``out_of_order``  the entry's id is smaller than the one before it in the chain (put in later,
                  past the app, into an unused id);
``unchained``     the entry has no place in the chain at all (inserted past the app);
``truncated``     an anchor names a place beyond the end of the log: the newest entries are gone;
``anchor_mismatch`` the entry an anchor names has another hash now (the chain was rewritten).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from atlaschart.audit.chain import GENESIS, HASHED_FIELDS, entry_hash
from atlaschart.audit.models import AccessLogAnchor, AccessLogEntry

CHUNK = 5000


@dataclass(frozen=True)
class Problem:
    kind: str
    entry_id: int | None
    seq: int | None
    message: str


@dataclass
class Report:
    entries_checked: int = 0
    anchors_checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    last_anchor_seq: int | None = None
    problem: Problem | None = None
    problems_found: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None

    def note(self, problem: Problem) -> None:
        self.problems_found += 1
        if self.problem is None:
            self.problem = problem

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries_checked": self.entries_checked,
            "anchors_checked": self.anchors_checked,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "last_anchor_seq": self.last_anchor_seq,
            "problems_found": self.problems_found,
            "first_problem": asdict(self.problem) if self.problem else None,
        }


def verify_chain() -> Report:
    """Walk the chain in order, checking anchors on the way and at the end, then find any entry
    without a place."""
    report = Report()
    anchors: dict[int, list[AccessLogAnchor]] = {}
    for anchor in AccessLogAnchor.objects.order_by("id"):
        anchors.setdefault(anchor.seq, []).append(anchor)
        report.anchors_checked += 1
        report.last_anchor_seq = anchor.seq
    fields = ("id", "prev_hash", "row_hash", *HASHED_FIELDS)
    chained = AccessLogEntry.objects.filter(seq__isnull=False).order_by("seq")
    expected_seq, prev_hash, prev_id = 1, GENESIS, 0
    for row in chained.values(*fields).iterator(chunk_size=CHUNK):
        report.entries_checked += 1
        _check_entry(report, row, expected_seq, prev_hash, prev_id)
        seq = row["seq"]
        for anchor in anchors.get(seq, ()):
            if anchor.row_hash != row["row_hash"]:
                report.note(
                    Problem(
                        "anchor_mismatch",
                        row["id"],
                        seq,
                        f"entry {row['id']} (place {seq}) has another hash than anchor "
                        f"{anchor.pk} of {anchor.at:%Y-%m-%d %H:%M} recorded: the chain was "
                        "rewritten",
                    )
                )
        expected_seq, prev_hash, prev_id = seq + 1, row["row_hash"], row["id"]
        report.last_seq, report.last_hash = seq, row["row_hash"]
    unchained = AccessLogEntry.objects.filter(seq__isnull=True).order_by("id")
    for entry_id in unchained.values_list("id", flat=True).iterator(chunk_size=CHUNK):
        report.entries_checked += 1
        report.note(
            Problem("unchained", entry_id, None, f"entry {entry_id} has no place in the chain")
        )
    for seq in sorted(s for s in anchors if s > report.last_seq):
        anchor = anchors[seq][0]
        report.note(
            Problem(
                "truncated",
                None,
                seq,
                f"anchor {anchor.pk} of {anchor.at:%Y-%m-%d %H:%M} names place {seq}, but the "
                f"log ends at place {report.last_seq}: the newest entries were removed",
            )
        )
    return report


def _check_entry(
    report: Report, row: dict[str, Any], expected_seq: int, prev_hash: str, prev_id: int
) -> None:
    entry_id, seq = row["id"], row["seq"]
    if seq > expected_seq:
        gap = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}-{seq - 1}"
        report.note(
            Problem("removed", entry_id, seq, f"place {gap} missing before entry {entry_id}")
        )
    elif entry_id < prev_id:
        # Appends take ids in chain order (both under the chain lock), so a smaller id than the
        # entry before it means this one was put in later, past the app.
        report.note(
            Problem(
                "out_of_order",
                entry_id,
                seq,
                f"entry {entry_id} (place {seq}) was inserted out of order, after entry {prev_id}",
            )
        )
    elif row["prev_hash"] != prev_hash:
        report.note(
            Problem(
                "rewritten",
                prev_id,
                seq - 1,
                f"entry {prev_id} (place {seq - 1}) was changed and its hash rewritten: entry "
                f"{entry_id} no longer follows it",
            )
        )
    if entry_hash(row, row["prev_hash"]) != row["row_hash"]:
        report.note(
            Problem("changed", entry_id, seq, f"entry {entry_id} (place {seq}) was changed")
        )
