"""The ``update`` and ``sources`` commands: reading the sources into the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fundmatch.cli.common import (
    Subparsers,
    allow_local_option,
    command,
    formatter,
    guard_from,
    load_registry,
    meaning_option,
    now_from,
    print_json,
    print_table,
    progress,
    report_update,
)
from fundmatch.errors import FundmatchError

if TYPE_CHECKING:
    from fundmatch.store import Store
    from fundmatch.update import SourceResult


@command
def _update(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "update",
        parents=[common],
        formatter_class=formatter,
        help="read the sources into the store",
        description=(
            "Fetch every source of the registry (Funding & Tenders Portal queries, programme\n"
            "feeds), store their calls and print one summary row per source. A source that\n"
            "fails is reported and the others go on. --offline loads the bundled snapshot of\n"
            "real calls instead, without network. Exit code 0 when at least one source was\n"
            "read (a warning names those that failed), 1 when every source failed."
        ),
        epilog="examples:\n  fundmatch update\n  fundmatch update --offline\n"
        "  fundmatch update --source euro-med-feed --json",
    )
    parser.add_argument("--offline", action="store_true", help="load the bundled snapshot")
    parser.add_argument(
        "--registry",
        type=Path,
        help="a sources TOML file (default: $FUNDMATCH_REGISTRY, else the bundled registry)",
    )
    parser.add_argument(
        "--source", action="append", metavar="NAME", help="update only this source (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--projects",
        action="store_true",
        help="also refresh the funded projects of partners and precedents from CORDIS's bulk "
        "data (kept beside the store; without it, the packaged extract)",
    )
    allow_local_option(parser)
    meaning_option(parser)
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
    from fundmatch.store import Store
    from fundmatch.update import update

    sources = load_registry(args)
    if args.source:
        known = {s.name for s in sources}
        unknown = sorted(set(args.source) - known)
        if unknown:
            raise FundmatchError(f"unknown source: {', '.join(unknown)}")
        sources = [s for s in sources if s.name in args.source]
    with Store(args.db) as store:
        results = update(
            store,
            sources,
            now=now_from(args),
            offline=args.offline,
            progress=_progress_bar,
            guard=guard_from(args),
        )
        _read_meaning(args, store, results)
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
                _status(r),
            )
            for r in results
        ]
        print_table(header, rows)
    status = report_update(results, each=False)
    if args.projects:
        status = max(status, _update_projects(args))
    return status


def _read_meaning(args: argparse.Namespace, store: Store, results: list[SourceResult]) -> None:
    """The sentence model reads the new and changed calls now (kept for the store), so that
    ``match`` and the digest find their vectors ready; not with ``--no-meaning`` or
    ``FUNDMATCH_MEANING=off``, nor for an in-memory store, which keeps none."""
    from fundmatch.ranking import kept_vectors, meaning_default, read_meaning

    wanted = meaning_default() if args.meaning is None else args.meaning
    changed = any(r.new or r.updated for r in results)
    if wanted and changed and kept_vectors(args.db) is not None:
        read_meaning(store.calls(), store=args.db, say=progress)


def _update_projects(args: argparse.Namespace) -> int:
    """Refresh the funded projects from CORDIS into ``<store>.projects.json.gz``."""
    from fundmatch.cli.common import error, notice
    from fundmatch.cli.partners import projects_file
    from fundmatch.partners.cordis import refresh_projects
    from fundmatch.partners.projects import read_projects
    from fundmatch.sources.http import Limits, Request, Response, fetch

    if args.offline:
        notice("--offline: the funded projects were not refreshed")
        return 0
    target = projects_file(args)
    if target is None:
        notice(
            "an in-memory or PostgreSQL store keeps no projects file beside it: "
            "the funded projects were not refreshed"
        )
        return 0
    limits = Limits(max_bytes=512 * 1024 * 1024, total_timeout=900.0)  # the zip is large

    def get(request: Request) -> Response:
        return fetch(request, limits=limits, source="cordis")

    try:
        data = refresh_projects(get)
    except FundmatchError as exc:
        error(f"the funded projects were not refreshed: {exc}")
        return 1
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)  # a reader sees the old file or the new one, never half of one
    found = read_projects(data)
    notice(
        f"funded projects refreshed from CORDIS: {len(found.projects):,} projects, "
        f"{len(found.organisations):,} organisations in {target}"
    )
    return 0


def _status(result: SourceResult) -> str:
    if result.error:
        return f"error: {result.error}"
    if result.not_modified:
        return "not modified"
    status = "ok" if result.complete else "ok (partial)"
    details = (result.details_fetched, result.details_cached, len(result.details_failed))
    if any(details):
        status += "; topic details: {} fetched, {} kept, {} failed".format(*details)
    return status


@command
def _sources(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "sources",
        parents=[common],
        formatter_class=formatter,
        help="list the sources with their last success and error",
        description="List the registry's sources and what the store knows of each.",
        epilog="examples:\n  fundmatch sources\n  fundmatch sources --json",
    )
    parser.add_argument(
        "--registry",
        type=Path,
        help="a sources TOML file (default: $FUNDMATCH_REGISTRY, else the bundled registry)",
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(func=_run_sources)


def _run_sources(args: argparse.Namespace) -> int:
    from fundmatch.store import Store

    sources = load_registry(args)
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
    print_table(("source", "kind", "calls", "last success", "last error"), rows)
    return 0
