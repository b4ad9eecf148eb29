"""``atlaschart audit``: check the access log's hash chain, and anchor its head.

``verify`` recomputes the chain and checks it against every anchor; exit 0 when whole, 1 when
broken (the first problem is named). ``--json`` prints the report in the stable format of
docs/cli.md. ``anchor`` records the chain head now, so a later cut-off of the newest entries is
detectable; run it from cron (daily) besides the monthly review sign-offs.
"""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from atlaschart.commands._common import print_json
from atlaschart.commands._django import setup_django


def run_verify(args: argparse.Namespace) -> int:
    setup_django()
    from atlaschart.audit.verify import verify_chain

    report = verify_chain()
    if args.json:
        print_json(report.as_json())
    else:
        print(
            f"access log: {report.entries_checked} entries, {report.anchors_checked} anchors "
            f"checked; chain head at place {report.last_seq} ({report.last_hash[:16]})"
        )
        if report.problem is None:
            print("ok: the chain is whole")
        else:
            print(f"BROKEN ({report.problem.kind}): {report.problem.message}")
            if report.problems_found > 1:
                print(f"{report.problems_found - 1} more problem(s) after this one")
    return 0 if report.ok else 1


def run_anchor(args: argparse.Namespace) -> int:
    setup_django()
    from atlaschart.audit.models import AccessLogAnchor

    anchor = AccessLogAnchor.of_chain_head(made_by=_operator(), via="cli")
    if args.json:
        print_json(
            {
                "anchor_id": anchor.pk,
                "at": anchor.at.isoformat(),
                "seq": anchor.seq,
                "row_hash": anchor.row_hash,
            }
        )
    else:
        print(f"anchored place {anchor.seq}: {anchor.row_hash}")
    return 0


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="verify the access log's hash chain, or anchor its head",
        description="Tamper evidence for the access log (docs/audit.md).",
    )
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="recompute the hash chain; exit 1 and name the first broken entry if any",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(handler=run_verify)
    anchor = actions.add_parser("anchor", help="record the chain head now (for cron)")
    anchor.add_argument("--json", action="store_true", help="print the anchor as JSON")
    anchor.set_defaults(handler=run_anchor)
