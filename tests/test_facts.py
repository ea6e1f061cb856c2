"""Facts carry their source: ``Call.fact_sources`` validates, serialises and is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

import fundmatch as fm

PAGE = fm.FactSource(
    url="https://interreg-euro-med.eu/en/call-5",
    read_on=date(2026, 11, 27),
    facts=("deadlines", "regions", "budget"),
    note="stored copy of the page dated 2025-09-30",
)


def sourced_call() -> fm.Call:
    return fm.Call(
        id="interreg-euro-med-call-5",
        title="Interreg Euro-MED – fifth call",
        regions=["FRL", "ITC3"],
        fact_sources=[PAGE],
    )


def test_a_fact_source_names_call_fields_a_page_and_a_day() -> None:
    assert sourced_call().fact_sources == (PAGE,)
    with pytest.raises(ValidationError, match="facts name no Call field: area"):
        fm.Call(id="x", title="t", fact_sources=[{**PAGE.model_dump(), "facts": ["area"]}])
    with pytest.raises(ValidationError, match="http"):
        fm.FactSource(url="ftp://example.eu", read_on=date(2026, 1, 1), facts=("title",))
    with pytest.raises(ValidationError):
        fm.FactSource(url="https://example.eu", read_on=date(2026, 1, 1), facts=())


def test_fact_sources_survive_json() -> None:
    call = sourced_call()
    assert fm.Call.model_validate_json(call.model_dump_json()) == call


def test_the_store_keeps_fact_sources_and_records_their_change(tmp_path: Path) -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    with fm.Store(tmp_path / "s.sqlite") as store:
        store.upsert([sourced_call()], source="snapshot", now=now)
        stored = store.get("interreg-euro-med-call-5")
        assert stored is not None and stored.call == sourced_call()

        newer = PAGE.model_copy(update={"read_on": date(2026, 11, 28)})
        changes = store.upsert(
            [sourced_call().model_copy(update={"fact_sources": (newer,)})],
            source="snapshot",
            now=now,
        )
    assert [f.field for c in changes for f in c.fields] == ["fact_sources"]


def test_the_schema_documents_fact_sources() -> None:
    schema = fm.json_schemas()["call"]
    assert "fact_sources" in schema["properties"]
    assert "FactSource" in schema["$defs"]
