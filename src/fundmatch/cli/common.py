"""What every command shares: the command registry, the common options' parsers, the clock,
output helpers, and the profile → calls → matcher preamble."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeAlias

from fundmatch.models import Call, Profile

if TYPE_CHECKING:
    from fundmatch.match import Matcher
    from fundmatch.netguard import Guard
    from fundmatch.sources.registry import Source
    from fundmatch.update import SourceResult

Handler = Callable[[argparse.Namespace], int]
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Setup = Callable[[Subparsers, argparse.ArgumentParser], None]
COMMANDS: list[Setup] = []


def command(setup: Setup) -> Setup:
    """Register a function that adds one sub-command (it receives the common options parser)."""
    COMMANDS.append(setup)
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


def score(value: str) -> float:
    """An argument that is a score, 0 to 100 (``--min-score``)."""
    try:
        number = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from exc
    if not 0 <= number <= 100:
        raise argparse.ArgumentTypeError(f"a score is from 0 to 100: {value!r}")
    return number


def min_score_option(parser: argparse.ArgumentParser, default: float) -> None:
    """``--min-score N``: leave out calls scoring below N (``default``: the ranking's minimum)."""
    parser.add_argument(
        "--min-score",
        type=score,
        default=default,
        metavar="N",
        help=f"leave out calls scoring below N, 0-100 (default: {default:g}, the ranking's "
        "minimum; 0 keeps every call that shares a word; see docs/matching.md)",
    )


def meaning_option(parser: argparse.ArgumentParser) -> None:
    """``--meaning`` / ``--no-meaning``: count closeness of meaning beside the words (the
    default, unless ``$FUNDMATCH_MEANING`` is ``off``) or rank by words alone."""
    parser.add_argument(
        "--meaning",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="count closeness of meaning beside the words, by a multilingual sentence model "
        "that runs on this machine (the default); --no-meaning, or FUNDMATCH_MEANING=off, "
        "ranks by words alone (see docs/matching.md)",
    )


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    return not os.environ.get("NO_COLOR") and stream.isatty()


def progress(message: str) -> None:
    """A progress line on stderr when it is a terminal; silent in pipes, files and cron."""
    if sys.stderr.isatty():
        print(f"fundmatch: {message}", file=sys.stderr, flush=True)


def notice(message: str) -> None:
    """One line on stderr that matters even in pipes and cron (e.g. the data is old)."""
    print(f"fundmatch: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    """One error line on stderr (``fundmatch: error: ...``), red on a colour terminal."""
    prefix = "fundmatch: error:"
    if use_color(sys.stderr):
        prefix = f"\033[31m{prefix}\033[0m"
    print(f"{prefix} {message}", file=sys.stderr)


def load_registry(args: argparse.Namespace) -> list[Source]:
    """The sources: ``--registry``, else ``$FUNDMATCH_REGISTRY``, else the bundled registry."""
    from fundmatch.sources.registry import load_sources

    return load_sources(args.registry or os.environ.get("FUNDMATCH_REGISTRY") or None)


def warn(message: str) -> None:
    """One warning line on stderr (``fundmatch: warning: ...``): the command still succeeded."""
    prefix = "fundmatch: warning:"
    if use_color(sys.stderr):
        prefix = f"\033[33m{prefix}\033[0m"
    print(f"{prefix} {message}", file=sys.stderr)


def report_update(results: Sequence[SourceResult], *, each: bool) -> int:
    """Tell on stderr how the update went, in as few lines as it takes; return the exit code.

    Some sources failed: one warning line naming them (exit 0). Every source failed: with
    ``each``, one line per source and its error, then one error line, with a hint about
    ``--offline`` when the network is down (exit 1).
    """
    from fundmatch.update import all_failed, failure_summary

    summary = failure_summary(results)
    if summary is None:
        return 0
    if not all_failed(results):
        warn(summary)
        return 0
    if each:
        for result in results:
            print(f"fundmatch: {result.source}: {result.error}", file=sys.stderr)
    error(summary)
    return 1


def formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


EXPORT_FORMATS = ("json", "jsonl", "csv", "ics", "commongrants")
STATUSES = ("forthcoming", "open", "closed", "unknown")


def write_output(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out`` (exactly, line ends included) or to stdout."""
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    progress(f"wrote {out}")


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip())


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


def selected_calls(args: argparse.Namespace, now: datetime, *, quiet: bool = False) -> list[Call]:
    """The store's calls, filtered by ``--status`` and ``--programme``; the bundled snapshot
    when the store is empty. When the calls are the snapshot's, one line on stderr says its
    date and age (``quiet``: only on a terminal, as progress)."""
    return selected_calls_dated(args, now, quiet=quiet)[0]


def selected_calls_dated(
    args: argparse.Namespace, now: datetime, *, quiet: bool = False
) -> tuple[list[Call], date | None]:
    """:func:`selected_calls` and the day they were read (:func:`fundmatch.ranking.data_date`)."""
    from fundmatch.ranking import calls_or_snapshot, data_date, snapshot_line, snapshot_only
    from fundmatch.store import Store

    with Store(args.db) as store:
        calls, from_snapshot = calls_or_snapshot(
            store,
            now=now,
            status=getattr(args, "status", None),
            programme=getattr(args, "programme", None),
        )
        stored_snapshot = not from_snapshot and snapshot_only(store)
        read_on = data_date(store, from_snapshot=from_snapshot)
    say = progress if quiet else notice
    if from_snapshot:
        say(f"the store is empty: using the {snapshot_line(now)}")
    elif stored_snapshot:
        say(f"the store holds only the {snapshot_line(now)}")
    return calls, read_on


def matcher_dated(
    args: argparse.Namespace, now: datetime, profile: Profile, *, quiet: bool = False
) -> tuple[Matcher, date | None]:
    """The selected calls (:func:`selected_calls_dated`) ready to rank for ``profile``
    (:func:`fundmatch.ranking.build_matcher`: with meaning unless ``--no-meaning``), and the
    day they were read."""
    calls, read_on = selected_calls_dated(args, now, quiet=quiet)
    return _matcher(args, calls, profile), read_on


def _matcher(args: argparse.Namespace, calls: list[Call], profile: Profile) -> Matcher:
    from fundmatch.ranking import build_matcher

    progress(f"ranking {len(calls)} calls for {profile.name}")
    meaning: bool | None = getattr(args, "meaning", None)
    return build_matcher(calls, meaning=meaning, store=args.db, say=progress)


def allow_local_option(parser: argparse.ArgumentParser) -> None:
    """``--allow-local``: testing against a local feed (never the default)."""
    parser.add_argument(
        "--allow-local",
        action="store_true",
        help="also fetch local feeds: file:// URLs and loopback or private addresses on any"
        " port (for testing a feed; see docs/sources.md)",
    )


def guard_from(args: argparse.Namespace) -> Guard | None:
    """The fetch guard the options ask for: ``Guard.local()`` with ``--allow-local``, else
    None (the safe default)."""
    if not getattr(args, "allow_local", False):
        return None
    from fundmatch.netguard import Guard

    return Guard.local()


def beside_store(args: argparse.Namespace, suffix: str) -> Path | None:
    """``<store><suffix>`` beside the ``--db`` store's SQLite file (see
    :func:`fundmatch.store.beside`)."""
    from fundmatch.store import beside

    return beside(args.db, suffix)
