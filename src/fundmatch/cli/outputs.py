"""The ``export`` and ``report`` commands: calls or matches written as files."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from fundmatch.cli.common import (
    EXPORT_FORMATS,
    STATUSES,
    Subparsers,
    command,
    count,
    formatter,
    matcher_dated,
    meaning_option,
    now_from,
    score,
    selected_calls,
    write_output,
)
from fundmatch.models import Call, Match, Matches, Partners, Profile
from fundmatch.ranking import DEFAULT_MIN_SCORE


@command
def _export(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "export",
        parents=[common],
        formatter_class=formatter,
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
        "--min-score",
        type=score,
        default=DEFAULT_MIN_SCORE,
        help=f"with --profile: only matches scoring at least this (default: {DEFAULT_MIN_SCORE:g})",
    )
    meaning_option(parser)
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
    data: list[Call] | Matches
    if profile is None:
        data = selected_calls(args, now, quiet=True)  # exports are for scripts: quiet in pipes
    else:
        # for scripts: quiet in pipes
        matcher, read_on = matcher_dated(args, now, profile, quiet=True)
        ranked = matcher.rank(profile, now=now, limit=args.limit, min_score=args.min_score)
        data = Matches(ranked, now=now, profile=profile, data_date=read_on)
    if args.format == "json":
        text = export.export_json(data)
    elif args.format == "jsonl":
        text = export.export_jsonl(data)
    elif args.format == "csv":
        text = export.export_csv(data, now=now)
    elif args.format == "ics":
        text = export.export_ics(data, now=now, alarm_days=args.alarm_days)
    else:
        from fundmatch.store import Store

        with Store(args.db) as store:
            first_seen = store.first_seen()
        text = export.export_commongrants(data, now=now, first_seen=first_seen)
    write_output(text, args.out)
    return 0


@command
def _report(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "report",
        parents=[common],
        formatter_class=formatter,
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
    parser.add_argument(
        "--min-score",
        type=score,
        default=DEFAULT_MIN_SCORE,
        help=f"only matches scoring at least this (default: {DEFAULT_MIN_SCORE:g})",
    )
    parser.add_argument("--title", help="page title (default: Funding calls for <profile>)")
    parser.add_argument(
        "--no-partners",
        action="store_true",
        help="leave out the candidate partners under calls whose partnership is not met yet",
    )
    meaning_option(parser)
    parser.set_defaults(func=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from fundmatch.config import load_profile
    from fundmatch.ranking import report_matches
    from fundmatch.report import render_report

    now = now_from(args)
    profile = load_profile(args.profile)
    matcher, read_on = matcher_dated(args, now, profile)
    shown = report_matches(
        matcher,
        profile,
        now=now,
        limit=args.limit,
        ruled_out=args.ruled_out,
        min_score=args.min_score,
        data_date=read_on,
    )
    needs = None if args.no_partners else _missing_partners(args, shown, profile)
    report = render_report(shown, profile=profile, now=now, title=args.title, partners=needs)
    write_output(report, args.out)
    return 0


def _missing_partners(
    args: argparse.Namespace, shown: Sequence[Match], profile: Profile
) -> dict[str, dict[str, Partners]]:
    from fundmatch.cli.partners import projects_path
    from fundmatch.partners import missing_partners

    return missing_partners((m.call for m in shown), profile, projects=projects_path(args))
