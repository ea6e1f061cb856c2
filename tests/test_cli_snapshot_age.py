"""The CLI says the data's age when it uses the bundled snapshot; ``calls --stats``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
MARSEILLE = ROOT / "calls" / "profiles" / "marseille-open-data-sme.toml"
NOW = "2026-11-27T12:00:00+00:00"
AGE = "bundled snapshot of 17 Aug 2026, 102 days old; run `fundmatch update`"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_match_on_an_empty_store_says_the_snapshots_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "empty.sqlite")
    code, out, err = run(["match", "--db", db, "--now", NOW, "--profile", str(MARSEILLE)], capsys)

    assert code == 0 and out
    assert f"fundmatch: the store is empty: using the {AGE}\n" in err
    assert err.count(AGE) == 1


def test_report_on_an_empty_store_says_it_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "empty.sqlite")
    out_file = tmp_path / "report.html"
    args = ["report", "--db", db, "--now", NOW, "--profile", str(MARSEILLE), "--out", str(out_file)]
    code, _, err = run(args, capsys)

    assert code == 0
    assert AGE in err


def test_a_store_holding_only_the_snapshot_says_its_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "offline.sqlite"
    with fm.Store(db) as store:
        fm.update(store, [], now=datetime(2026, 11, 27, tzinfo=UTC), offline=True)

    _, _, err = run(["match", "--db", str(db), "--now", NOW, "--profile", str(MARSEILLE)], capsys)

    assert f"fundmatch: the store holds only the {AGE}\n" in err


def test_a_store_read_from_the_sources_says_nothing_of_the_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "live.sqlite"
    with fm.Store(db) as store:
        call = fm.Call(id="X-1", title="Open data for smart cities", programme="Horizon Europe")
        store.upsert([call], source="ftportal", now=datetime(2026, 11, 27, tzinfo=UTC))

    _, _, err = run(["match", "--db", str(db), "--now", NOW, "--profile", str(MARSEILLE)], capsys)

    assert "snapshot" not in err


def test_calls_stats_prints_the_coverage_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "empty.sqlite")
    code, out, err = run(["calls", "--stats", "--db", db, "--now", NOW], capsys)

    assert code == 0
    facts, by_kind = out.split("\n\n")
    lines = facts.splitlines()
    total = len(fm.load_snapshot())
    assert lines[0].split()[:4] == ["fact", "all", "calls", f"({total})"]
    assert [line.split("  ")[0] for line in lines[1:]] == [
        "eligible countries",
        "organisation types",
        "regions",
        "minimum partners",
        "opening date",
        "budget",
        "co-financing rate",
    ]
    rows = {line.split("  ")[0]: line.split() for line in by_kind.splitlines()}
    assert rows["kind"] == ["kind", "open", "forthcoming", "closed", "unknown", "all"]
    assert set(rows) == {
        "kind",
        "topic",
        "call for proposals",
        "cascade funding",
        "other (feeds, transcribed)",
        "all",
    }
    assert rows["all"][-1] == str(total)
    assert int(rows["cascade funding"][-1]) >= 50
    assert AGE in err


def test_calls_stats_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.sqlite"
    with fm.Store(db) as store:
        calls = [
            fm.Call(id="A", title="a", countries=["FR"]),
            fm.Call(id="interreg-x-1", title="b", programme="Interreg Euro-MED", regions=["FRL"]),
        ]
        store.upsert(calls, source="test", now=datetime(2026, 11, 27, tzinfo=UTC))

    code, out, _ = run(["calls", "--stats", "--json", "--db", str(db), "--now", NOW], capsys)

    assert code == 0
    stats = json.loads(out)
    everything, interreg = stats["coverage"]
    assert everything["calls"] == 2 and everything["counts"]["countries"] == 1
    assert interreg["label"] == "Interreg" and interreg["counts"]["regions"] == 1
    assert stats["kinds"]["other (feeds, transcribed)"]["unknown"] == 2
    assert stats["kinds"]["cascade funding"] == dict.fromkeys(
        ("open", "forthcoming", "closed", "unknown"), 0
    )


def test_calls_stats_does_not_mix_with_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["calls", "show", "X", "--stats", "--db", str(tmp_path / "s.sqlite")], capsys
    )
    assert code == 1 and "--stats" in err


def test_a_digest_made_from_the_snapshot_says_its_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = ROOT / "calls" / "digest.example.toml"
    db = str(tmp_path / "store.sqlite")
    args = ["digest", "--config", str(example), "--offline", "--db", db, "--now", NOW]
    code, _, err = run([*args, "--outbox", str(tmp_path / "out")], capsys)

    assert code == 0
    assert f"fundmatch: the digest is made from the {AGE}\n" in err


def test_calls_show_names_where_each_fact_was_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "offline.sqlite"
    with fm.Store(db) as store:
        fm.update(store, [], now=datetime(2026, 11, 27, tzinfo=UTC), offline=True)
    call_id = "interreg-alcotra-simple-projects-call-4"

    code, out, _ = run(["calls", "show", call_id, "--db", str(db), "--now", NOW], capsys)

    assert code == 0
    facts = [line.strip() for line in out.splitlines() if line.strip().startswith("facts ")]
    assert facts and all("http" in line and "(read 2026-" in line for line in facts)
    assert any("regions" in line for line in facts)
