"""The JSON Schemas in docs/schema/ are current, and carry the field docstrings."""

from __future__ import annotations

import json
from pathlib import Path

import fundmatch as fm
from fundmatch.cli import main

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schema"


def test_docs_schema_files_are_current() -> None:
    for name, schema in fm.json_schemas().items():
        path = SCHEMA_DIR / f"{name}.schema.json"
        assert path.exists(), f"run: fundmatch schema --out docs/schema ({path.name} missing)"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, (
            f"{path.name} is stale: run `fundmatch schema --out docs/schema`"
        )


def test_field_docstrings_flow_into_the_schema() -> None:
    call = fm.json_schemas()["call"]
    assert "fraction from 0 to 1" in call["properties"]["co_financing_rate"]["description"]
    assert "Deadline" in call["$defs"]


def test_schema_command_writes_files(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.schema.json" for n in fm.json_schemas()
    )


def test_every_schema_names_its_dialect_and_itself() -> None:
    for name, schema in fm.json_schemas().items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"urn:fundmatch:schema:{name}"
