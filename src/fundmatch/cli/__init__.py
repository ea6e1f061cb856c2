"""The ``fundmatch`` command line: parses arguments, reads the environment and the clock, prints.

Every command calls the library; library errors become one line on stderr and exit code 1,
usage errors exit 2 (argparse). Only this package reads the clock (``--now`` overrides it).
Each command lives in a module of its own and registers itself with ``@command``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fundmatch.cli import calls, digest, ingest, match, outputs, partners, schema
from fundmatch.cli.common import COMMANDS, Handler, Setup, error, formatter, parse_now
from fundmatch.errors import FundmatchError

__all__ = ["build_parser", "main"]

_MODULES = (calls, digest, ingest, match, outputs, partners, schema)  # each registers its commands


_HELP_ORDER = (
    "update",
    "sources",
    "calls",
    "changes",
    "match",
    "partners",
    "precedents",
    "report",
    "export",
    "digest",
)


def _help_order(setup: Setup) -> int:
    """Commands in the order a newcomer uses them; any other (``schema``) last."""
    name = setup.__name__.strip("_")
    return _HELP_ORDER.index(name) if name in _HELP_ORDER else len(_HELP_ORDER)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="ADDRESS",
        help="the store: an SQLite file, or postgresql://user@host/db "
        "(default: $FUNDMATCH_DB, else a file in the user data folder)",
    )
    common.add_argument(
        "--now",
        type=parse_now,
        help="act as if it were this ISO 8601 moment (default: the clock)",
    )
    parser = argparse.ArgumentParser(
        prog="fundmatch",
        formatter_class=formatter,
        description="Find the EU and Interreg funding calls that fit a project.",
        epilog="example:\n  fundmatch match --profile calls/profiles/marseille-open-data-sme.toml",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for setup in sorted(COMMANDS, key=_help_order):
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
