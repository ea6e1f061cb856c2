"""The ``fundmatch`` command line: parses arguments, reads the environment and the clock, prints.

Every command calls the library; library errors become one line on stderr and exit code 1,
usage errors exit 2 (argparse). Only this module reads the clock (``--now`` overrides it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeAlias

from fundmatch.errors import FundmatchError
from fundmatch.models import json_schemas

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


# --- entry point ----------------------------------------------------------------------


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
    for setup in _COMMANDS:
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
        print(f"fundmatch: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fundmatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `fundmatch calls | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0
