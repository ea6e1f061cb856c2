"""The ``calls`` and ``changes`` commands: what the store holds and what changed."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fundmatch.cli.common import (
    STATUSES,
    Subparsers,
    command,
    formatter,
    now_from,
    parse_since,
    print_json,
    print_table,
    progress,
    selected_calls,
)
from fundmatch.display import minute, shorten
from fundmatch.errors import FundmatchError

if TYPE_CHECKING:
    from fundmatch.models import Call
    from fundmatch.store import StoredCall


@command
def _calls(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "calls",
        parents=[common],
        formatter_class=formatter,
        help="list, show or search the calls in the store",
        description=(
            "List the stored calls (withdrawn ones left out unless --withdrawn), show one call\n"
            "with every source that reported it, or search their text. Filters combine."
        ),
        epilog="examples:\n  fundmatch calls --status open --programme horizon\n"
        "  fundmatch calls --stats\n"
        "  fundmatch calls show HORIZON-CL5-2026-10-D6-07\n"
        '  fundmatch calls search "open data" --source euro-med-feed --json',
    )
    parser.add_argument(
        "action",
        nargs="?",
        choices=("list", "show", "search"),
        default="list",
        help="list (default), show ID, or search TEXT",
    )
    parser.add_argument("value", nargs="?", metavar="ID|TEXT", help="the call id or the text")
    parser.add_argument("--status", choices=STATUSES, help="only calls with this status now")
    parser.add_argument("--programme", help="only calls whose programme contains this text")
    parser.add_argument("--source", help="only calls this source reported")
    parser.add_argument("--withdrawn", action="store_true", help="include withdrawn calls")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--stats",
        action="store_true",
        help="print how many calls state each eligibility fact (countries, regions, partners, "
        "opening, budget, ...): all calls and Interreg calls",
    )
    parser.set_defaults(func=_run_calls)


def _run_calls(args: argparse.Namespace) -> int:
    from fundmatch.store import Store

    if args.action in ("show", "search") and not args.value:
        raise FundmatchError(f"`fundmatch calls {args.action}` needs a value (see --help)")
    if args.action == "list" and args.value:
        raise FundmatchError(f"unexpected {args.value!r}: use `calls show ID` or `calls search`")
    now = now_from(args)
    if args.stats:
        return _print_stats(args, now)
    with Store(args.db) as store:
        if args.action == "show":
            stored = store.get(args.value)
            if stored is None:
                raise FundmatchError(f"no call {args.value!r} in the store {store.path}")
            if args.json:
                print_json(stored.model_dump(mode="json"))
            else:
                _print_stored(stored, now)
            return 0
        found = store.calls(
            status=args.status,
            now=now,
            programme=args.programme,
            source=args.source,
            text=args.value if args.action == "search" else None,
            include_withdrawn=args.withdrawn,
        )
        in_store = len(found) if found else len(store.calls(include_withdrawn=True))
    if args.json:
        print_json([c.model_dump(mode="json") for c in found])
        return 0
    rows = []
    for found_call in found:
        nxt = found_call.next_deadline(now)
        rows.append(
            (
                found_call.status(now),
                minute(nxt.local()) if nxt else "-",
                found_call.id,
                shorten(found_call.title, 70),
            )
        )
    if rows:
        print_table(("status", "next deadline", "id", "title"), rows)
    elif in_store == 0:
        print(
            "fundmatch: the store is empty: `fundmatch update` fills it from the sources,"
            " `fundmatch update --offline` from the bundled snapshot of real calls",
            file=sys.stderr,
        )
    else:
        print(f"fundmatch: no call matches ({in_store} calls in the store)", file=sys.stderr)
    progress(f"{len(found)} calls")
    return 0


def _print_stats(args: argparse.Namespace, now: datetime) -> int:
    """The coverage table of the listed calls (the bundled snapshot when the store is empty),
    then their count by kind and status at ``now``."""
    from fundmatch.coverage import coverage, coverage_table, is_interreg, kinds, kinds_table
    from fundmatch.store import Store

    if args.action != "list" or args.value:
        raise FundmatchError("--stats counts the listed calls: use it without show or search")
    if args.source or args.withdrawn:
        with Store(args.db) as store:
            found = store.calls(
                status=args.status,
                now=now,
                programme=args.programme,
                source=args.source,
                include_withdrawn=args.withdrawn,
            )
    else:
        found = selected_calls(args, now)
    groups = [
        coverage(found, label="all calls"),
        coverage([c for c in found if is_interreg(c)], label="Interreg"),
    ]
    by_kind = kinds(found, now=now)
    if args.json:
        print_json(
            {"coverage": [group.model_dump(mode="json") for group in groups], "kinds": by_kind}
        )
    else:
        print(coverage_table(groups))
        print()
        print(kinds_table(by_kind))
    return 0


def _budget(call: Call) -> str:
    """``total EUR 12,000,000, EUR 500,000 to EUR 2,000,000 per project, 6 grants expected``."""
    from fundmatch.digest.render import budget_line

    parts = [budget_line(call) or "not stated"]
    if call.budget.expected_grants is not None:
        count = call.budget.expected_grants
        parts.append(f"{count} grant{'s' if count != 1 else ''} expected")
    return ", ".join(parts)


def _print_stored(stored: StoredCall, now: datetime) -> None:
    call = stored.call
    print(f"{call.id}: {call.title}")
    lines = [
        ("status", f"{call.status(now)} (reported: {call.reported_status})"),
        ("programme", call.programme or "-"),
        ("kind", call.kind or "-"),
        ("deadlines", ", ".join(d.local().isoformat(" ", "minutes") for d in call.deadlines)),
        ("budget", _budget(call)),
        ("url", call.url or "-"),
        ("first seen", stored.first_seen.isoformat(" ", "seconds")),
        ("last seen", stored.last_seen.isoformat(" ", "seconds")),
    ]
    if call.parent is not None:
        parent = f"{call.parent.id}: {call.parent.title}" if call.parent.title else call.parent.id
        lines.insert(3, ("parent", parent))
    if stored.withdrawn_at:
        lines.append(("withdrawn", stored.withdrawn_at.isoformat(" ", "seconds")))
    for label, value in lines:
        print(f"  {label + ':':<12}{value or '-'}")
    for fact in call.fact_sources:
        print(f"  facts {', '.join(fact.facts)}: {fact.url} (read {fact.read_on.isoformat()})")
    for prov in stored.provenance:
        gone = f", gone {prov.gone_at:%Y-%m-%d}" if prov.gone_at else ""
        dates = ", ".join(minute(d.local()) for d in prov.deadlines) or "no deadline"
        print(f"  source {prov.source}: {prov.source_call_id} ({dates}{gone})")
    if call.description:
        print()
        print(call.description[:600])


@command
def _changes(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "changes",
        parents=[common],
        formatter_class=formatter,
        help="what is new, changed or withdrawn in the store",
        description=(
            "List what the store recorded since a moment: new calls, changed fields (old →\n"
            "new) and withdrawn calls, oldest first."
        ),
        epilog="examples:\n  fundmatch changes --since 7d\n"
        "  fundmatch changes --since 2026-03-01 --json",
    )
    parser.add_argument(
        "--since",
        type=parse_since,
        default=timedelta(days=7),
        help="a span back from now (7d, 12h, 2w) or an ISO date (default: 7d)",
    )
    parser.add_argument("--call", metavar="ID", help="only the changes of this call")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_run_changes)


def _run_changes(args: argparse.Namespace) -> int:
    from fundmatch.store import Store

    since = now_from(args) - args.since if isinstance(args.since, timedelta) else args.since
    with Store(args.db) as store:
        found = store.changes(since=since, call_id=args.call)
    if args.json:
        print_json([c.model_dump(mode="json") for c in found])
        return 0
    for change in found:
        what = "; ".join(
            f"{f.field}: {shorten(f.old, 30)} → {shorten(f.new, 30)}" for f in change.fields
        )
        print(f"{change.at:%Y-%m-%d %H:%M}  {change.kind:<9}  {change.call_id}  {what}".rstrip())
    progress(f"{len(found)} changes since {since:%Y-%m-%d %H:%M}")
    return 0
