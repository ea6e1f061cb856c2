"""The agency set-up page's commands, run as written against a live PostgreSQL server, give what
they give on SQLite (docs/agency.md)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from fundmatch.cli import build_parser, main
from fundmatch.cli.common import beside_store
from support.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "postgresql://fundmatch@db.agency.example/fundmatch"
NOW = "2026-09-01T07:00:00+00:00"


def documented_commands() -> list[list[str]]:
    """The commands of the page's block marked ``agency-commands``, split as a shell would."""
    text = (ROOT / "docs" / "agency.md").read_text()
    block = re.search(r"<!-- agency-commands[^>]*-->\s*```sh\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/agency.md lost its agency-commands block"
    return [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.mark.postgresql
def test_the_documented_commands_work_on_postgresql_as_on_sqlite(
    postgres: PostgresServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # the page's paths are the checkout's
    monkeypatch.delenv("FUNDMATCH_DB", raising=False)
    commands = documented_commands()
    assert [c[1] for c in commands] == ["update", "calls", "changes", "match", "digest"]
    outputs: dict[str, list[str]] = {}
    for backend, address in (("postgresql", postgres.address()), ("sqlite", str(tmp_path / "s"))):
        for command in commands:
            argv = [address if a == EXAMPLE else a for a in command[1:]]
            argv = [str(tmp_path / backend) if a == "digests" else a for a in argv]
            code, out = run([*argv, "--now", NOW], capsys)
            assert code == 0, (backend, argv, out)
            outputs.setdefault(backend, []).append(out.replace(str(tmp_path / backend), "OUT"))
    assert outputs["postgresql"] == outputs["sqlite"]
    _update, calls, changes, match, digest = outputs["postgresql"]
    assert len(calls.splitlines()) > 100 and "new" in changes
    assert match.strip() and "written" in digest
    eml = sorted(p.name for p in (tmp_path / "postgresql").iterdir())
    assert eml and eml == sorted(p.name for p in (tmp_path / "sqlite").iterdir())


def test_files_beside_the_store_only_for_an_sqlite_file() -> None:
    parser = build_parser()

    def beside(db: str) -> Path | None:
        return beside_store(parser.parse_args(["calls", "--db", db]), ".projects.json.gz")

    assert beside(EXAMPLE) is None and beside(":memory:") is None
    assert beside("sqlite:///stores/a.sqlite") == Path("stores/a.sqlite.projects.json.gz")
    assert beside("a.sqlite") == Path("a.sqlite.projects.json.gz")
