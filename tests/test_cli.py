"""The command line's conventions (help, --json, exit codes, progress, NO_COLOR) and the
``export`` and ``report`` commands, run against a real SQLite store."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest

import fundmatch as fm
from fundmatch.cli import build_parser, main

NOW = "2024-06-01T09:00:00+00:00"
BRUSSELS = "Europe/Brussels"
LISTING = {"calls", "changes", "sources", "match", "export"}
"""Commands that print a list; each takes --json (export: --format json)."""


def commands() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)  # type: ignore[arg-type]


def store_calls() -> list[fm.Call]:
    return [
        fm.Call(
            id="HORIZON-CL5-2024-D4-02-01",
            title="Open data platforms for smart cities",
            description="Municipal open data, data spaces and digital twins for cities.",
            programme="Horizon Europe",
            url="https://ec.europa.eu/x",
            instrument="grant",
            deadlines=[
                fm.Deadline(at=datetime(2024, 9, 17, 17), timezone=BRUSSELS),
                fm.Deadline(at=datetime(2025, 2, 18, 17), timezone=BRUSSELS),
            ],
            deadline_model="two-stage",
            budget=fm.Budget(per_project_max=Decimal(2_000_000)),
        ),
        fm.Call(
            id="EMED-OPEN-DATA",
            title="Open data for Mediterranean coastal cities",
            description="Open data, smart city services and citizen dashboards.",
            programme="Interreg Euro-MED",
            instrument="grant",
            deadlines=[fm.Deadline(at=datetime(2024, 10, 3, 13), timezone="Europe/Paris")],
        ),
        fm.Call(
            id="LIFE-CLOSED",
            title="Nature restoration of wetlands",
            programme="LIFE",
            instrument="grant",
            deadlines=[fm.Deadline(at=datetime(2024, 3, 1, 17), timezone=BRUSSELS)],
        ),
    ]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    with fm.Store(path) as store:
        store.upsert(store_calls(), source="test", now=datetime(2024, 5, 1, tzinfo=UTC))
    return path


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(
        'name = "Marseille open data SME"\n'
        'description = "Open data platforms and dashboards for smart cities"\n'
        'keywords = ["open data", "smart city"]\n'
        'region = "FRL04"\n'
        'organisation_type = "sme"\n',
        encoding="utf-8",
    )
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# --- conventions ----------------------------------------------------------------------


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for name in commands():
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0, name
        out = capsys.readouterr().out
        assert "example" in out and f"fundmatch {name}" in out, name


def test_listing_commands_take_json() -> None:
    found = commands()
    for name in LISTING & set(found):
        options = {o for a in found[name]._actions for o in a.option_strings}  # type: ignore[attr-defined]
        assert "--json" in options or "--format" in options, name


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "xlsx"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xlsx'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--alarm-days", "-3"])
    assert exit_info.value.code == 2


def test_user_error_is_one_line_and_exit_1(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    code, out, err = run(["export", "--db", str(db), "--profile", str(missing)], capsys)
    assert code == 1 and out == ""
    assert err == f"fundmatch: error: {missing}: file not found\n"
    code, _, err = run(
        ["export", "--db", str(db), "--out", str(tmp_path / "no" / "x.json")], capsys
    )
    assert code == 1
    assert err.startswith("fundmatch: error: No such file or directory: ")
    assert len(err.splitlines()) == 1


def cli(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env
    return subprocess.run(
        [sys.executable, "-m", "fundmatch", *args],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )


def on_a_terminal(args: list[str], **env: str) -> str:
    """Run the CLI with stderr on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env
    with subprocess.Popen(
        [sys.executable, "-m", "fundmatch", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=environment,
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.slow
def test_no_traceback_and_no_colour_in_pipes(db: Path, tmp_path: Path) -> None:
    result = cli(["report", "--db", str(db), "--profile", str(tmp_path / "missing.toml")])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "\033[" not in result.stderr


@pytest.mark.slow
def test_colour_and_progress_only_on_a_terminal_and_never_with_no_color(
    db: Path, profile: Path, tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.toml")
    assert "\033[31m" in on_a_terminal(["report", "--db", str(db), "--profile", missing])
    plain = on_a_terminal(["report", "--db", str(db), "--profile", missing], NO_COLOR="1")
    assert plain.startswith("fundmatch: error:") and "\033[" not in plain
    args = ["export", "--db", str(db), "--now", NOW, "--profile", str(profile)]
    assert "ranking 3 calls" in on_a_terminal(args)
    quiet = cli(args)
    assert quiet.returncode == 0 and quiet.stderr == ""
    fresh = str(tmp_path / "fresh.sqlite")
    assert "] 1/1 snapshot" in on_a_terminal(["update", "--offline", "--db", fresh])
    assert cli(["update", "--offline", "--db", fresh]).stderr == ""


# --- export ---------------------------------------------------------------------------


def export(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(["export", "--db", str(db), "--now", NOW, *args], capsys)
    assert (code, err) == (0, "")
    return out


def ids_in(text: str, fmt: str) -> list[str]:
    """The call ids an export holds, read back with the format's own reader."""
    if fmt == "json":
        return [item.get("id") or item["call"]["id"] for item in json.loads(text)]
    if fmt == "jsonl":
        items = [json.loads(line) for line in text.splitlines()]
        return [item.get("id") or item["call"]["id"] for item in items]
    if fmt == "csv":
        return [row["id"] for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))]
    if fmt == "commongrants":
        return [o["customFields"]["fundmatchId"]["value"] for o in json.loads(text)]
    calendar = icalendar.Calendar.from_ical(text)
    uids = [str(e["uid"]).split("-deadline-")[0] for e in calendar.events]
    return list(dict.fromkeys(uids))


FORMATS = ["json", "jsonl", "csv", "ics", "commongrants"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_without_filters_is_every_call(
    fmt: str, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = export(db, capsys, "--format", fmt)
    assert sorted(ids_in(text, fmt)) == sorted(c.id for c in store_calls())


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_filters_apply_alike_to_every_format(
    fmt: str, db: Path, profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = export(db, capsys, "--format", fmt, "--status", "open", "--programme", "horizon")
    assert ids_in(text, fmt) == ["HORIZON-CL5-2024-D4-02-01"]
    ranked = ids_in(export(db, capsys, "--format", fmt, "--profile", str(profile)), fmt)
    assert ranked[:2] == ["EMED-OPEN-DATA", "HORIZON-CL5-2024-D4-02-01"] or ranked[:2] == [
        "HORIZON-CL5-2024-D4-02-01",
        "EMED-OPEN-DATA",
    ]
    assert "LIFE-CLOSED" not in ranked


def test_export_of_matches_carries_scores(
    db: Path, profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matches = json.loads(export(db, capsys, "--profile", str(profile)))
    assert [fm.Match.model_validate(m).score for m in matches] == sorted(
        (m["score"] for m in matches), reverse=True
    )


def test_export_to_a_file(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "calls.csv"
    assert export(db, capsys, "--format", "csv", "--out", str(out)) == ""
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 4  # header + 3 rows


def test_csv_export_gives_the_status_at_now_beside_the_reported_one(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = export(db, capsys, "--format", "csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))}
    for call in store_calls():
        row = rows[call.id]
        assert row["status"] == call.status(datetime.fromisoformat(NOW))
        assert (row["reported_status"], row["status_at"]) == (call.reported_status, NOW)


# --- report ---------------------------------------------------------------------------


def test_report_writes_one_page(
    db: Path, profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    args = ["report", "--db", str(db), "--now", NOW, "--profile", str(profile), "--out", str(out)]
    code, stdout, err = run(args, capsys)
    assert (code, stdout, err) == (0, "", "")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Marseille open data SME" in page and "<svg" in page
    assert "Open data platforms for smart cities" in page
    assert "<script" not in page


def test_an_empty_store_exports_the_bundled_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.sqlite"
    lines = export(empty, capsys, "--format", "jsonl").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [c.id for c in fm.load_snapshot()]


def test_calls_on_an_empty_store_says_so_and_how_to_fill_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["calls", "--db", str(tmp_path / "empty.sqlite")], capsys)
    assert code == 0 and out == ""
    assert err.strip() == (
        "fundmatch: the store is empty: `fundmatch update` fills it from the sources,"
        " `fundmatch update --offline` from the bundled snapshot of real calls"
    )


def test_calls_that_match_nothing_say_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["calls", "--programme", "nothing", "--db", str(db)], capsys)
    assert (code, out) == (0, "")
    assert err.strip() == "fundmatch: no call matches (3 calls in the store)"


def test_calls_show_prints_the_budget_readably(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["calls", "show", "HORIZON-CL5-2024-D4-02-01", "--db", str(db)], capsys)
    assert code == 0
    budget = next(line for line in out.splitlines() if line.strip().startswith("budget:"))
    assert budget.split(":", 1)[1].strip() == "EUR 2,000,000 per project"
    assert "{" not in out.split("\n\n")[0] and "per_project_max" not in out
    with fm.Store(db) as store:
        store.upsert(
            [
                store_calls()[1].model_copy(
                    update={
                        "budget": fm.Budget(
                            total=Decimal(12_000_000),
                            per_project_min=Decimal(500_000),
                            per_project_max=Decimal(2_000_000),
                            expected_grants=6,
                        ),
                        "co_financing_rate": Decimal("0.8"),
                    }
                )
            ],
            source="test",
            now=datetime(2024, 5, 2, tzinfo=UTC),
        )
    _, out, _ = run(["calls", "show", "EMED-OPEN-DATA", "--db", str(db)], capsys)
    assert "  budget:     total EUR 12,000,000, EUR 500,000 to EUR 2,000,000 per project," in out
    assert "co-financing 80 %, 6 grants expected" in out
