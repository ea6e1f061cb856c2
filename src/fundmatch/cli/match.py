"""The ``match`` command: rank the calls for a profile, or explain one call."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from fundmatch.application import application
from fundmatch.cli.common import (
    Subparsers,
    command,
    count,
    formatter,
    matcher_dated,
    meaning_option,
    min_score_option,
    now_from,
    print_table,
)
from fundmatch.cli.partners import print_missing_partners
from fundmatch.display import country_code, fit_label, shorten, stamp
from fundmatch.models import Call, Check, Match, Matches, Profile
from fundmatch.ranking import DEFAULT_MIN_SCORE, shortlist


@command
def _match(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "match",
        parents=[common],
        formatter_class=formatter,
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
            "  fundmatch match --profile calls/profiles/odeon-open-data-cluster.toml --limit 20"
            " --include-blocked\n"
            "  fundmatch match --profile calls/profiles/marseille-open-data-sme.toml"
            " --explain HORIZON-CL5-2026-10-D6-07"
            "\n  fundmatch match --profile"
            " calls/profiles/greek-municipality-climate-adaptation.toml --meaning"
        ),
    )
    parser.add_argument("--profile", type=Path, required=True, help="the profile TOML file")
    parser.add_argument("--limit", type=count, default=10, help="how many calls (default: 10)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the matches as JSON")
    output.add_argument("--csv", action="store_true", help="print the matches as CSV")
    output.add_argument("--explain", metavar="ID", help="show the full breakdown for one call")
    min_score_option(parser, DEFAULT_MIN_SCORE)
    meaning_option(parser)
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

    now = now_from(args)
    profile = load_profile(args.profile)
    matcher, read_on = matcher_dated(args, now, profile)
    if args.explain:
        from fundmatch.match import checks

        match = matcher.explain(args.explain, profile, now=now, include_closed=True)
        ruled_in = [
            c
            for c in checks(match.call, profile, now=now, include_closed=True)
            if c.outcome == "pass"
        ]
        _print_explanation(match, profile, now, ruled_in, read_on)
        print_missing_partners(args, match.call, profile)
        return 0
    matches = shortlist(
        matcher,
        profile,
        now=now,
        limit=args.limit,
        include_closed=args.include_closed,
        include_blocked=args.include_blocked,
        min_score=args.min_score,
        data_date=read_on,
    )
    if args.json:
        sys.stdout.write(export.export_json(matches))
    elif args.csv:
        sys.stdout.write(export.export_csv(matches, bom=False))
    else:
        if not matches:
            print(f"no call scores {args.min_score:g} or more for this profile")
        else:
            _print_matches(matches, now)
        _print_footer(matches)
    return 0


def _print_footer(matches: Matches) -> None:
    """Under the list: what it leaves out and how to see it, then the data's date and age."""
    print()
    if matches.left_out is not None:
        print(matches.left_out.sentence())
    age = matches.data_age()
    if age:
        print(age)


def _when(call: Call, now: datetime) -> tuple[str, str]:
    """The next deadline in the user's local time and in the call's own zone."""
    nxt = call.next_deadline(now) or (call.deadlines[-1] if call.deadlines else None)
    if nxt is None:
        return "unknown", ""
    mine = stamp(nxt.at.astimezone())
    own = stamp(nxt.local())
    return mine, ("" if own == mine else own)


def _print_matches(matches: Matches, now: datetime) -> None:
    from fundmatch.match import reason_text

    header = ["score", "fit", "call", "programme", "deadline (yours)", "(call's)", "status",
              "title"]  # fmt: skip
    rows, reasons = [], []
    for m in matches:
        mine, own = _when(m.call, now)
        status = m.call.status(now) + (" BLOCKED" if m.blockers else "")
        rows.append(
            [f"{m.score:5.1f}", fit_label(m.score).removesuffix(" fit"), m.call.id,
             shorten(m.call.programme or "-", 20), mine, own, status, shorten(m.call.title, 60)]
        )  # fmt: skip
        top = sorted(m.reasons, key=lambda r: -abs(r.points))[:3]
        lines = [f"application: {application(m.call, matches.profile)}"]
        lines += [reason_text(r, 100) for r in top]
        blocked = "; ".join(f"{b.gate}: {b.message}" for b in m.blockers)
        if blocked:
            lines.append(f"blocked by {blocked}")
        reasons.append("\n        ".join(lines))
    print_table(header, rows)
    print()
    for m, line in zip(matches, reasons, strict=True):
        print(f"{m.call.id}\n        {line}")


def _print_explanation(
    match: Match, profile: Profile, now: datetime, ruled_in: list[Check], read_on: date | None
) -> None:
    from fundmatch.match import reason_text

    call = match.call
    mine, own = _when(call, now)
    print(f"{call.id}  {call.title}")
    print(f"programme: {call.programme or '-'}   status: {call.status(now)}")
    print(f"next deadline: {mine}" + (f" ({own})" if own else ""))
    if call.countries:
        print(f"countries: {', '.join(country_code(c) for c in call.countries)}")
    print(f"application: {application(call, profile)}")
    if not match.reasons:
        print("score: 0 (no word of the profile found in this call)")
    else:
        print(f"score: {match.score:.1f} of 100 ({fit_label(match.score)}), made of")
        for r in match.reasons:
            print(f"  {r.points:+7.2f}  {reason_text(r)}")
    sections = (("blocked by", match.blockers), ("ruled in by", ruled_in), ("notes", match.notes))
    for title, items in sections:
        if items:
            print(f"{title}:")
            for c in items:
                print(f"  {c.gate:12s} {c.outcome:8s} {c.message}")
    if not match.blockers:
        print("no blocker: the profile may apply")
    if read_on is not None:
        print(Matches(now=now, data_date=read_on).data_age())
