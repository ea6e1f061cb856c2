"""The ``partners`` and ``precedents`` commands: funded projects like a profile, and the
organisations that ran them as candidate partners."""

from __future__ import annotations

import argparse
import sys
from itertools import pairwise
from pathlib import Path

from fundmatch.cli.common import Subparsers, command, count, formatter, now_from, print_json
from fundmatch.display import shorten
from fundmatch.errors import MatchError
from fundmatch.models import Call, Profile
from fundmatch.models.partners import Partners, Precedents


def projects_file(args: argparse.Namespace) -> Path | None:
    """Where ``update --projects`` keeps the funded projects: ``<store>.projects.json.gz``
    beside the store (None for an in-memory or a PostgreSQL store)."""
    from fundmatch.cli.common import beside_store

    return beside_store(args, ".projects.json.gz")


def projects_path(args: argparse.Namespace) -> Path | None:
    """The projects refreshed by ``update --projects``, when there are any; None: the
    packaged extract."""
    kept = projects_file(args)
    return kept if kept is not None and kept.is_file() else None


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", type=Path, required=True, help="the profile TOML file")
    parser.add_argument(
        "--call",
        metavar="ID",
        help="a call in the store (or the bundled snapshot): "
        + "its partnership rule decides what is missing",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output (default: text)"
    )


@command
def _partners(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "partners",
        parents=[common],
        formatter_class=formatter,
        help="organisations that ran funded projects like the profile: candidate partners",
        description=(
            "Rank the organisations whose funded Horizon Europe projects (CORDIS) are most like\n"
            "the profile, each with the projects that make the case. With --call, candidates\n"
            "from the countries the call's partnership rule still needs come first. The\n"
            "profile's own organisation and its partner_names are left out."
        ),
        epilog=(
            "examples:\n"
            "  fundmatch partners --profile calls/profiles/marseille-open-data-sme.toml"
            " --country GR --country HR\n"
            "  fundmatch partners --profile calls/profiles/odeon-open-data-cluster.toml"
            " --type public --format json"
        ),
    )
    _common(parser)
    parser.add_argument(
        "--country",
        action="append",
        metavar="CC",
        help="only organisations of this country (EL or GR for Greece); repeat for more",
    )
    parser.add_argument(
        "--type",
        action="append",
        metavar="TYPE",
        help="only this type: public, company, research, university, other "
        "(or PUB, PRC, REC, HES, OTH); repeat for more",
    )
    parser.add_argument(
        "--region", action="append", metavar="NUTS", help="only addresses in this NUTS region"
    )
    parser.add_argument(
        "--exclude", action="append", metavar="NAME", default=[], help="leave out this name"
    )
    parser.add_argument("--limit", type=count, default=20, help="how many (default: 20)")
    parser.set_defaults(func=_run_partners)


@command
def _precedents(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "precedents",
        parents=[common],
        formatter_class=formatter,
        help="funded projects most like the profile, with the words they share",
        description=(
            "List the funded Horizon Europe projects (CORDIS) most like the profile: title,\n"
            "years, EU contribution, the topic that funded them, the coordinator, and the\n"
            "words they share with the profile. With --call, the projects funded under its\n"
            "topic (or one of the same name in an earlier year) come first."
        ),
        epilog=(
            "example:\n"
            "  fundmatch precedents --profile"
            " calls/profiles/greek-municipality-climate-adaptation.toml"
        ),
    )
    _common(parser)
    parser.add_argument("--limit", type=count, default=10, help="how many (default: 10)")
    parser.set_defaults(func=_run_precedents)


def _call(args: argparse.Namespace) -> Call | None:
    if not args.call:
        return None
    from fundmatch.cli.common import selected_calls

    for call in selected_calls(args, now_from(args), quiet=True):
        if args.call in (call.id, call.topic_id):
            return call
    raise MatchError(f"no call {args.call!r} in the store or the bundled snapshot")


def _run_partners(args: argparse.Namespace) -> int:
    from fundmatch.config import load_profile
    from fundmatch.partners import eu_country, partners

    profile = load_profile(args.profile)
    for code in args.country or ():
        eu_country(code)  # an unknown code fails before the index is built
    found = partners(
        profile,
        call=_call(args),
        countries=args.country,
        types=args.type,
        regions=args.region,
        exclude=args.exclude,
        limit=args.limit,
        projects=projects_path(args),
    )
    if args.format == "json":
        print_json([p.model_dump(mode="json") for p in found])
    else:
        print_partners(found)
    return 0


def print_partners(found: Partners, indent: str = "") -> None:
    """The candidates as people read them: one block each, with the projects behind it."""
    if found.needs:
        print(f"{indent}{found.needs}")
    if not found.partners:
        print(f"{indent}no candidate partner: {found.note}")
        return
    if any(a.score < b.score for a, b in pairwise(found.partners)):
        print(f"{indent}in turns by country: the best of each country before the second of any")
    for k, p in enumerate(found, 1):
        kind = p.type + (" SME" if p.sme else "")
        where = " ".join(x for x in (p.country, p.region) if x)
        print(f"{indent}{k:2d}. {shorten(p.name, 70)}  [{where}, {kind}]  score {p.score:.3f}")
        if p.words:
            print(f"{indent}    shared words: {', '.join(p.words)}")
        for e in p.evidence:
            amount = f", EUR {e.eu_contribution:,.0f}" if e.eu_contribution else ""
            year = (e.start or "")[:4]
            print(f"{indent}    {e.acronym} ({year}, {e.role}{amount}): {shorten(e.title, 70)}")


def _run_precedents(args: argparse.Namespace) -> int:
    from fundmatch.config import load_profile
    from fundmatch.partners import precedents

    profile = load_profile(args.profile)
    found = precedents(profile, call=_call(args), limit=args.limit, projects=projects_path(args))
    if args.format == "json":
        print_json([p.model_dump(mode="json") for p in found])
    else:
        _print_precedents(found)
    return 0


def _print_precedents(found: Precedents) -> None:
    if not found.precedents:
        print(f"no precedent: {found.note}")
        return
    for k, p in enumerate(found, 1):
        years = f"{(p.start or '?')[:4]}-{(p.end or '?')[:4]}"
        amount = f"EUR {p.eu_contribution:,.0f}" if p.eu_contribution else "amount unknown"
        print(f"{k:2d}. {p.acronym} ({years}, {amount}): {shorten(p.title, 80)}")
        lead = f"{p.coordinator} ({p.coordinator_country})" if p.coordinator else "unknown"
        topic = p.topic or "withheld"
        under = f" (funded under {p.funded_under})" if p.funded_under else ""
        print(f"    topic {topic}{under}; coordinator {lead}; {p.partners} partners")
        if p.words:
            print(f"    shared words: {', '.join(p.words)}; similarity {p.score:.3f}")
    sys.stdout.flush()


def print_missing_partners(args: argparse.Namespace, call: Call, profile: Profile) -> None:
    """Under ``match --explain``: for a call whose partnership the profile does not meet yet,
    the three best candidate partners per missing country."""
    from fundmatch.partners import missing_partners

    needs = missing_partners([call], profile, projects=projects_path(args)).get(call.id)
    if not needs:
        return
    first = next(iter(needs.values()))
    print(f"partnership: {first.needs}; organisations that ran funded projects like this one:")
    for country, found in needs.items():
        print(f"  {country or '?'}:")
        for p in found:
            projects = ", ".join(e.acronym for e in p.evidence)
            print(f"    {shorten(p.name, 60)} ({p.type}, {p.region or '-'}): {projects}")
