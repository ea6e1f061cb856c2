"""The ``fundmatch`` command line: parses arguments, reads the environment and the clock, prints.

Every command calls the library; library errors become one line on stderr and exit code 1,
usage errors exit 2 (argparse). Only this module reads the clock (``--now`` overrides it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import SMTP
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeAlias

from fundmatch.display import minute, shorten, stamp
from fundmatch.errors import FundmatchError
from fundmatch.models import Call, Check, Match, Matches, json_schemas

if TYPE_CHECKING:
    from fundmatch.store import StoredCall

Handler = Callable[[argparse.Namespace], int]
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Setup = Callable[[Subparsers, argparse.ArgumentParser], None]
_COMMANDS: list[Setup] = []


def command(setup: Setup) -> Setup:
    """Register a function that adds one sub-command (it receives the common options parser)."""
    _COMMANDS.append(setup)
    return setup


def parse_now(value: str) -> datetime:
    """``--now`` value: an ISO 8601 datetime; naive means UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 datetime: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def now_from(args: argparse.Namespace) -> datetime:
    """The moment the command acts at: ``--now`` if given, else the clock."""
    given: datetime | None = getattr(args, "now", None)
    return given or datetime.now(UTC)


def print_json(data: object) -> None:
    """Print ``data`` as indented JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def count(value: str) -> int:
    """An argument that is a whole number, zero or more (``--limit``, ``--alarm-days``)."""
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from exc
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more: {value!r}")
    return number


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    return not os.environ.get("NO_COLOR") and stream.isatty()


def progress(message: str) -> None:
    """A progress line on stderr when it is a terminal; silent in pipes, files and cron."""
    if sys.stderr.isatty():
        print(f"fundmatch: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    """One error line on stderr (``fundmatch: error: ...``), red on a colour terminal."""
    prefix = "fundmatch: error:"
    if use_color(sys.stderr):
        prefix = f"\033[31m{prefix}\033[0m"
    print(f"{prefix} {message}", file=sys.stderr)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


# --- commands -------------------------------------------------------------------------


@command
def _schema(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "schema",
        parents=[common],
        formatter_class=_formatter,
        help="print or write the JSON Schema of the models",
        description="Print the JSON Schema of Call, Profile and Match, or write one file each.",
        epilog="example:\n  fundmatch schema --out docs/schema",
    )
    parser.add_argument("--out", type=Path, help="folder to write <name>.schema.json files into")
    parser.set_defaults(func=_run_schema)


def _run_schema(args: argparse.Namespace) -> int:
    schemas = json_schemas()
    if args.out is None:
        print_json(schemas)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        text = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (args.out / f"{name}.schema.json").write_text(text, encoding="utf-8")
    return 0


# --- interfaces commands: export, report ------------------------------------------------

EXPORT_FORMATS = ("json", "jsonl", "csv", "ics", "commongrants")
STATUSES = ("forthcoming", "open", "closed", "unknown")


def _write_output(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out`` (exactly, line ends included) or to stdout."""
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    progress(f"wrote {out}")


def _selected_calls(args: argparse.Namespace, now: datetime) -> list[Call]:
    """The store's calls, filtered; the bundled snapshot when the store is empty."""
    from fundmatch.store import Store

    status = getattr(args, "status", None)
    programme = getattr(args, "programme", None)
    with Store(args.db) as store:
        found = store.calls(status=status, now=now, programme=programme)
        if found or ((status or programme) and store.calls()):
            return found
    from fundmatch.sources.snapshot import load_snapshot

    progress("the store is empty: using the bundled snapshot (run `fundmatch update`)")
    calls = load_snapshot()
    if status is not None:
        calls = [c for c in calls if c.status(now) == status]
    if programme:
        calls = [c for c in calls if programme.casefold() in (c.programme or "").casefold()]
    return calls


@command
def _export(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "export",
        parents=[common],
        formatter_class=_formatter,
        help="export calls (or a profile's matches) as JSON, CSV, iCalendar or CommonGrants",
        description=(
            "Export every call in the store (the bundled snapshot when the store is empty), or\n"
            "with --profile the matches of a profile. Filters apply alike to every format."
        ),
        epilog=(
            "examples:\n"
            "  fundmatch export --format csv --out calls.csv\n"
            "  fundmatch export --format ics --status open --out deadlines.ics\n"
            "  fundmatch export --format json --profile calls/profiles/marseille-open-data-sme.toml"
        ),
    )
    parser.add_argument(
        "--format", choices=EXPORT_FORMATS, default="json", help="output format (default: json)"
    )
    parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
    parser.add_argument("--status", choices=STATUSES, help="only calls with this status now")
    parser.add_argument("--programme", help="only calls whose programme contains this text")
    parser.add_argument(
        "--profile", type=Path, help="export this profile's matches (with scores) instead"
    )
    parser.add_argument(
        "--limit", type=count, help="with --profile: at most this many matches (default: all)"
    )
    parser.add_argument(
        "--alarm-days",
        type=count,
        default=7,
        help="ics: reminder this many days before each deadline (default: 7)",
    )
    parser.set_defaults(func=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from fundmatch import export
    from fundmatch.config import load_profile

    now = now_from(args)
    profile = None if args.profile is None else load_profile(args.profile)
    calls = _selected_calls(args, now)
    data: list[Call] | Matches = calls
    if profile is not None:
        from fundmatch.match import Matcher

        progress(f"ranking {len(calls)} calls for {profile.name}")
        ranked = Matcher(calls).rank(profile, now=now, limit=args.limit)
        data = Matches(ranked, now=now, profile=profile)
    if args.format == "json":
        text = export.export_json(data)
    elif args.format == "jsonl":
        text = export.export_jsonl(data)
    elif args.format == "csv":
        text = export.export_csv(data)
    elif args.format == "ics":
        text = export.export_ics(data, now=now, alarm_days=args.alarm_days)
    else:
        text = export.export_commongrants(data, now=now)
    _write_output(text, args.out)
    return 0


@command
def _report(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "report",
        parents=[common],
        formatter_class=_formatter,
        help="write a self-contained HTML report of a profile's matches",
        description=(
            "Rank the calls for a profile and write one HTML page: the profile, a timeline\n"
            "of deadlines, the ranked calls with their reasons, and close fits that are\n"
            "ruled out with their blockers. No scripts, no network requests."
        ),
        epilog=(
            "example:\n"
            "  fundmatch report --profile calls/profiles/marseille-open-data-sme.toml "
            "--out report.html"
        ),
    )
    parser.add_argument("--profile", type=Path, required=True, help="the profile (TOML)")
    parser.add_argument("--out", type=Path, help="HTML file to write (default: stdout)")
    parser.add_argument(
        "--limit", type=count, default=15, help="how many ranked calls to show (default: 15)"
    )
    parser.add_argument(
        "--ruled-out",
        type=count,
        default=5,
        help="how many open calls ruled out by a gate to show (default: 5)",
    )
    parser.add_argument("--title", help="page title (default: Funding calls for <profile>)")
    parser.set_defaults(func=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from fundmatch.config import load_profile
    from fundmatch.match import Matcher
    from fundmatch.report import render_report

    now = now_from(args)
    profile = load_profile(args.profile)
    calls = _selected_calls(args, now)
    progress(f"ranking {len(calls)} calls for {profile.name}")
    matcher = Matcher(calls)
    fits = matcher.rank(profile, now=now, limit=args.limit)
    # Close fits a gate rules out are worth seeing, but not the calls that simply closed.
    blocked = [
        m
        for m in matcher.rank(profile, now=now, limit=None, include_blocked=True)
        if m.blockers and m.call.status(now) != "closed"
    ]
    shown = Matches([*fits, *blocked[: args.ruled_out]], now=now, profile=profile)
    _write_output(render_report(shown, profile=profile, now=now, title=args.title), args.out)
    return 0


# --- digest commands ----------------------------------------------------------------------

CRASH_HOOK = "FUNDMATCH_TEST_CRASH_AT"
"""Test hook: the digest run kills itself (SIGKILL) when it reaches the named step."""


@command
def _digest(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "digest",
        parents=[common],
        formatter_class=_formatter,
        help="e-mail each subscriber the new and changed calls that match (dry run by default)",
        description=(
            "Update the store, then for each due subscription select the calls first seen since\n"
            "its last digest, the changes to calls already sent and the deadline reminders, and\n"
            "render one message per recipient. Without --send the messages are written as .eml\n"
            "files and nothing is sent or recorded. SMTP settings and credentials come from\n"
            "FUNDMATCH_SMTP_HOST, _PORT, _USER, _PASSWORD, _SECURITY and FUNDMATCH_MAIL_FROM.\n"
            "Exit code 1 when a message could not be delivered (it is retried on a later run)."
        ),
        epilog=(
            "examples:\n"
            "  fundmatch digest --config calls/digest.example.toml --no-update\n"
            "  fundmatch digest --config digest.toml --send      # from cron, once a day"
        ),
    )
    parser.add_argument("--config", type=Path, required=True, help="subscriptions TOML file")
    parser.add_argument("--send", action="store_true", help="send over SMTP and record it")
    parser.add_argument(
        "--outbox",
        type=Path,
        default=Path("digest-outbox"),
        help="folder for the .eml files of a dry run (default: ./digest-outbox)",
    )
    parser.add_argument("--no-update", action="store_true", help="do not update the store first")
    parser.add_argument(
        "--offline", action="store_true", help="update from the bundled snapshot, not the network"
    )
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.set_defaults(func=_run_digest)


def _crash_hook() -> Callable[[str], None] | None:
    step = os.environ.get(CRASH_HOOK)
    if not step:
        return None

    def checkpoint(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

    return checkpoint


def _run_digest(args: argparse.Namespace) -> int:
    from fundmatch.digest import load_subscriptions, plan_digests, run_digests
    from fundmatch.mail import SmtpMailer, SmtpSettings, write_eml
    from fundmatch.store import Store

    now = now_from(args)
    subscriptions = load_subscriptions(args.config)
    sender = os.environ.get("FUNDMATCH_MAIL_FROM") or ""
    settings = None
    if args.send:
        if not sender:
            raise FundmatchError("FUNDMATCH_MAIL_FROM is not set: the sender address is needed")
        settings = SmtpSettings.from_env(os.environ)
    checkpoint = _crash_hook() or (lambda step: None)
    with Store(args.db) as store:
        if not args.no_update:
            from fundmatch.sources.registry import load_sources
            from fundmatch.update import update

            for result in update(store, load_sources(), now=now, offline=args.offline):
                progress(str(result))
        checkpoint("after-update")
        if settings is None:
            dry_sender = sender or "digest@fundmatch.invalid"
            planned = plan_digests(store, subscriptions, sender=dry_sender, now=now)
            written = [
                write_eml(args.outbox, message_from_bytes(p.message, policy=SMTP))
                for p in planned
                if p.message is not None
            ]
            if args.json:
                print_json({"dry_run": True, "written": [str(p) for p in written]})
            else:
                for path in written:
                    print(f"written  {path}")
                print(f"{len(written)} message(s) written to {args.outbox}; nothing sent")
            return 0
        mailer = SmtpMailer(settings)
        run = run_digests(
            store, subscriptions, mailer, sender=sender, now=now, checkpoint=checkpoint
        )
    if args.json:
        print_json(run.model_dump(mode="json"))
    else:
        for r in run.results:
            print(f"{r.state:<8} {r.recipient}  {r.subject}  ({r.delivery.reply})")
        print(f"{len(run.queued)} message(s) queued, {run.sent} sent, {run.failed} not sent")
    if run.stopped:
        error(f"stopped sending: {run.stopped}")
    return 1 if run.failed or run.stopped else 0


# --- ingest commands: update, sources ------------------------------------------------


@command
def _update(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "update",
        parents=[common],
        formatter_class=_formatter,
        help="read the sources into the store",
        description=(
            "Fetch every source of the registry (Funding & Tenders Portal queries, programme\n"
            "feeds), store their calls and print one summary row per source. A source that\n"
            "fails is reported and the others go on. --offline loads the bundled snapshot of\n"
            "real calls instead, without network."
        ),
        epilog="examples:\n  fundmatch update\n  fundmatch update --offline\n"
        "  fundmatch update --source euro-med-feed --json",
    )
    parser.add_argument("--offline", action="store_true", help="load the bundled snapshot")
    parser.add_argument(
        "--registry", type=Path, help="a sources TOML file (default: the bundled registry)"
    )
    parser.add_argument(
        "--source", action="append", metavar="NAME", help="update only this source (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=_run_update)


def _progress_bar(done: int, total: int, name: str) -> None:
    if not sys.stderr.isatty() or total == 0:
        return
    width = 24
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {done}/{total} {name[:40]:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _run_update(args: argparse.Namespace) -> int:
    from fundmatch.sources.registry import load_sources
    from fundmatch.store import Store
    from fundmatch.update import update

    sources = load_sources(args.registry)
    if args.source:
        known = {s.name for s in sources}
        unknown = sorted(set(args.source) - known)
        if unknown:
            raise FundmatchError(f"unknown source: {', '.join(unknown)}")
        sources = [s for s in sources if s.name in args.source]
    with Store(args.db) as store:
        results = update(
            store, sources, now=now_from(args), offline=args.offline, progress=_progress_bar
        )
    if args.json:
        print_json([r.model_dump(mode="json", exclude={"changes"}) for r in results])
    else:
        header = ("source", "calls", "new", "updated", "same", "gone", "skipped", "status")
        rows = [
            (
                r.source,
                str(r.calls),
                str(r.new),
                str(r.updated),
                str(r.unchanged),
                str(r.withdrawn),
                str(len(r.skipped)),
                f"error: {r.error}"
                if r.error
                else "not modified"
                if r.not_modified
                else "ok"
                if r.complete
                else "ok (partial)",
            )
            for r in results
        ]
        _print_table(header, rows)
    return 0 if all(r.ok for r in results) else 1


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip())


@command
def _sources(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "sources",
        parents=[common],
        formatter_class=_formatter,
        help="list the sources with their last success and error",
        description="List the registry's sources and what the store knows of each.",
        epilog="examples:\n  fundmatch sources\n  fundmatch sources --json",
    )
    parser.add_argument(
        "--registry", type=Path, help="a sources TOML file (default: the bundled registry)"
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(func=_run_sources)


def _run_sources(args: argparse.Namespace) -> int:
    from fundmatch.sources.registry import load_sources
    from fundmatch.store import Store

    sources = load_sources(args.registry)
    with Store(args.db) as store:
        states = {state.name: state for state in store.source_states()}
    names = [s.name for s in sources] + sorted(set(states) - {s.name for s in sources})
    kinds = {s.name: s for s in sources}
    listing = []
    for name in names:
        state = states.get(name)
        source = kinds.get(name)
        listing.append(
            {
                "name": name,
                "kind": source.kind if source else "stored",
                "url": source.url if source else None,
                "verified": source.verified if source else None,
                "enabled": source.enabled if source else None,
                "calls": state.calls if state else 0,
                "last_success": state.last_success.isoformat()
                if state and state.last_success
                else None,
                "last_error": state.last_error if state else None,
            }
        )
    if args.json:
        print_json(listing)
        return 0
    rows = [
        (
            str(item["name"]),
            str(item["kind"]),
            str(item["calls"]),
            str(item["last_success"] or "never")[:19],
            f"error: {item['last_error']}" if item["last_error"] else "",
        )
        for item in listing
    ]
    _print_table(("source", "kind", "calls", "last success", "last error"), rows)
    return 0


# --- store commands: calls, changes ----------------------------------------------------

_SPANS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str) -> datetime | timedelta:
    """``--since`` value: a span back from now (``30m``, ``12h``, ``7d``, ``2w``) or an ISO date."""
    text = value.strip().lower()
    if len(text) > 1 and text[-1] in _SPANS and text[:-1].isdigit():
        return timedelta(seconds=int(text[:-1]) * _SPANS[text[-1]])
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"not a span like 7d / 12h / 2w nor an ISO date: {value!r}"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@command
def _calls(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "calls",
        parents=[common],
        formatter_class=_formatter,
        help="list, show or search the calls in the store",
        description=(
            "List the stored calls (withdrawn ones left out unless --withdrawn), show one call\n"
            "with every source that reported it, or search their text. Filters combine."
        ),
        epilog="examples:\n  fundmatch calls --status open --programme horizon\n"
        "  fundmatch calls show HORIZON-CL5-2026-01-01\n"
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
    parser.set_defaults(func=_run_calls)


def _run_calls(args: argparse.Namespace) -> int:
    from fundmatch.store import Store

    if args.action in ("show", "search") and not args.value:
        raise FundmatchError(f"`fundmatch calls {args.action}` needs a value (see --help)")
    if args.action == "list" and args.value:
        raise FundmatchError(f"unexpected {args.value!r}: use `calls show ID` or `calls search`")
    now = now_from(args)
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
        _print_table(("status", "next deadline", "id", "title"), rows)
    progress(f"{len(found)} calls")
    return 0


def _print_stored(stored: StoredCall, now: datetime) -> None:
    call = stored.call
    print(f"{call.id}: {call.title}")
    lines = [
        ("status", f"{call.status(now)} (reported: {call.reported_status})"),
        ("programme", call.programme or "-"),
        ("deadlines", ", ".join(d.local().isoformat(" ", "minutes") for d in call.deadlines)),
        ("budget", shorten(call.budget.model_dump(mode="json", exclude_none=True), 70)),
        ("url", call.url or "-"),
        ("first seen", stored.first_seen.isoformat(" ", "seconds")),
        ("last seen", stored.last_seen.isoformat(" ", "seconds")),
    ]
    if stored.withdrawn_at:
        lines.append(("withdrawn", stored.withdrawn_at.isoformat(" ", "seconds")))
    for label, value in lines:
        print(f"  {label + ':':<12}{value or '-'}")
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
        formatter_class=_formatter,
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


# --- ranking commands: match ------------------------------------------------------------


@command
def _match(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "match",
        parents=[common],
        formatter_class=_formatter,
        help="rank the calls for a project profile, with the reasons for each place",
        description=(
            "Rank the calls in the store (the bundled snapshot when the store is empty) for a\n"
            "profile: score 0-100, next deadline in your time and in the call's own, status and\n"
            "the strongest reasons. Calls the profile cannot apply to are left out unless\n"
            "--include-blocked; closed calls unless --include-closed."
        ),
        epilog=(
            "examples:\n"
            "  fundmatch match --profile calls/profiles/marseille-open-data-sme.toml\n"
            "  fundmatch match --profile my.toml --limit 20 --include-blocked\n"
            "  fundmatch match --profile my.toml --explain HORIZON-CL5-2024-D4-02-01"
        ),
    )
    parser.add_argument("--profile", type=Path, required=True, help="the profile TOML file")
    parser.add_argument("--limit", type=count, default=10, help="how many calls (default: 10)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the matches as JSON")
    output.add_argument("--csv", action="store_true", help="print the matches as CSV")
    output.add_argument("--explain", metavar="ID", help="show the full breakdown for one call")
    parser.add_argument(
        "--include-closed", action="store_true", help="also rank calls whose deadline has passed"
    )
    parser.add_argument(
        "--include-blocked",
        action="store_true",
        help="also show calls the profile cannot apply to, with the reason",
    )
    parser.set_defaults(func=_run_match)


def _run_match(args: argparse.Namespace) -> int:
    from fundmatch import export
    from fundmatch.config import load_profile
    from fundmatch.match import Matcher, gates

    now = now_from(args)
    profile = load_profile(args.profile)
    calls = _selected_calls(args, now)
    progress(f"ranking {len(calls)} calls for {profile.name}")
    matcher = Matcher(calls)
    if args.explain:
        found = matcher.rank(
            profile, now=now, limit=None, include_closed=True, include_blocked=True
        )
        match = next((m for m in found if m.call.id == args.explain), None)
        call = next((c for c in matcher.calls if c.id == args.explain), None)
        if call is None:
            raise FundmatchError(f"no call with id {args.explain!r} among {len(calls)} calls")
        _print_explanation(call, match, gates(call, profile, now=now), now)
        return 0
    matches = matcher.rank(
        profile,
        now=now,
        limit=args.limit,
        include_closed=args.include_closed,
        include_blocked=args.include_blocked,
    )
    if args.json:
        sys.stdout.write(export.export_json(matches))
    elif args.csv:
        sys.stdout.write(export.export_csv(matches, bom=False))
    elif not matches:
        print("no call matches this profile (try --include-blocked or --include-closed)")
    else:
        _print_matches(matches, now)
    return 0


def _when(call: Call, now: datetime) -> tuple[str, str]:
    """The next deadline in the user's local time and in the call's own zone."""
    nxt = call.next_deadline(now) or (call.deadlines[-1] if call.deadlines else None)
    if nxt is None:
        return "unknown", ""
    mine = stamp(nxt.at.astimezone())
    own = stamp(nxt.local())
    return mine, ("" if own == mine else own)


def _print_matches(matches: Matches, now: datetime) -> None:
    header = ["score", "call", "programme", "deadline (yours)", "(call's)", "status", "title"]
    rows, reasons = [], []
    for m in matches:
        mine, own = _when(m.call, now)
        status = m.call.status(now) + (" BLOCKED" if m.blockers else "")
        rows.append(
            [f"{m.score:5.1f}", m.call.id, shorten(m.call.programme or "-", 20), mine, own, status,
             shorten(m.call.title, 60)]
        )  # fmt: skip
        top = sorted(m.reasons, key=lambda r: -abs(r.points))[:3]
        line = "; ".join(f"{r.factor} {r.points:+.1f}: {shorten(r.evidence, 70)}" for r in top)
        blocked = "; ".join(f"{b.gate}: {b.message}" for b in m.blockers)
        reasons.append(line + (f"\n        blocked by {blocked}" if blocked else ""))
    _print_table(header, rows)
    print()
    for m, line in zip(matches, reasons, strict=True):
        print(f"{m.call.id}\n        {line}")


def _print_explanation(
    call: Call, match: Match | None, checks: tuple[list[Check], list[Check]], now: datetime
) -> None:
    mine, own = _when(call, now)
    print(f"{call.id}  {call.title}")
    print(f"programme: {call.programme or '-'}   status: {call.status(now)}")
    print(f"next deadline: {mine}" + (f" ({own})" if own else ""))
    if match is None:
        print("score: 0 (no word of the profile found in this call)")
    else:
        print(f"score: {match.score:.1f} =")
        for r in match.reasons:
            print(f"  {r.points:+7.2f}  {r.factor:13s} {r.evidence}")
    blockers, notes = checks
    for title, items in (("blocked by", blockers), ("notes", notes)):
        if items:
            print(f"{title}:")
            for c in items:
                print(f"  {c.gate:12s} {c.outcome:8s} {c.message}")
    if not blockers:
        print("no blocker: the profile may apply")


# --- entry point ----------------------------------------------------------------------


_HELP_ORDER = ("update", "sources", "calls", "changes", "match", "report", "export", "digest")


def _help_order(setup: Setup) -> int:
    """Commands in the order a newcomer uses them; any other (``schema``) last."""
    name = setup.__name__.strip("_")
    return _HELP_ORDER.index(name) if name in _HELP_ORDER else len(_HELP_ORDER)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        type=Path,
        default=os.environ.get("FUNDMATCH_DB") or None,
        help="the store's SQLite file (default: $FUNDMATCH_DB, else the user data folder)",
    )
    common.add_argument(
        "--now",
        type=parse_now,
        help="act as if it were this ISO 8601 moment (default: the clock)",
    )
    parser = argparse.ArgumentParser(
        prog="fundmatch",
        formatter_class=_formatter,
        description="Find the EU and Interreg funding calls that fit a project.",
        epilog="example:\n  fundmatch match --profile calls/profiles/marseille-open-data-sme.toml",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for setup in sorted(_COMMANDS, key=_help_order):
        setup(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.func
    try:
        return handler(args)
    except FundmatchError as exc:
        error(str(exc))
        return 1
    except KeyboardInterrupt:
        print("fundmatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `fundmatch calls | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0
    except OSError as exc:
        # A file the user named cannot be read or written (--out in a missing folder, ...).
        error(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return 1
