"""The ``schema`` command: the JSON Schema of the models."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fundmatch.cli.common import Subparsers, command, formatter, print_json
from fundmatch.models import json_schemas


@command
def _schema(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "schema",
        parents=[common],
        formatter_class=formatter,
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
