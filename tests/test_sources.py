"""The calls/ registry: bundled sources and programme facts, and clear errors for bad files."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.cli import main
from fundmatch.sources.ftportal import search_request
from fundmatch.sources.registry import calls_path, load_programmes

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_registry_loads_and_names_are_unique() -> None:
    sources = fm.load_sources()
    names = [s.name for s in sources]
    assert len(names) == len(set(names)) >= 15
    assert {s.kind for s in sources} == {"ftportal", "feed", "wp-json"}
    # Nothing in the registry was fetched while writing it: every entry says so.
    assert all(not s.verified for s in sources)


def test_every_feed_programme_has_facts() -> None:
    programmes = load_programmes()
    for source in fm.load_sources():
        if source.programme is not None:
            assert source.programme in programmes, source.name


@pytest.mark.parametrize(
    "key", ["euro-med", "next-med", "interreg-europe", "alcotra", "italy-france-maritime"]
)
def test_programme_facts_name_their_documents(key: str) -> None:
    programme = load_programmes()[key]
    assert programme.documents and all("http" in doc for doc in programme.documents)
    assert programme.co_financing_rate is not None
    assert programme.countries or programme.regions


def test_programme_facts_read_as_published() -> None:
    programmes = load_programmes()
    assert programmes["next-med"].co_financing_rate == Decimal("0.89")
    assert programmes["next-med"].min_countries == 3
    assert "FRL03" in programmes["italy-france-maritime"].regions  # Alpes-Maritimes
    assert "ITC11" in programmes["alcotra"].regions  # Torino


def test_portal_sources_build_post_requests() -> None:
    source = next(s for s in fm.load_sources() if s.kind == "ftportal")
    request = search_request(source, 2)
    assert request.method == "POST"
    assert "pageNumber=2" in request.url and "pageSize=100" in request.url
    assert b'name="query"' in (request.body or b"")


def test_a_bad_registry_names_file_field_and_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://a.example.org/feed"\n\n'
        '[[sources]]\nname = "b"\nkind = "gopher"\nurl = "https://b.example.org/"\n',
        encoding="utf-8",
    )
    with pytest.raises(fm.ConfigError) as caught:
        fm.load_sources(path)
    assert caught.value.path == str(path)
    assert "kind" in str(caught.value)


def test_refused_urls_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[[sources]]\nname = "a"\nkind = "feed"\nurl = "ftp://example.org/feed"\n')
    with pytest.raises(fm.ConfigError, match="http"):
        fm.load_sources(path)
    # A file URL is a local feed: it loads, but is fetched only when asked (--allow-local).
    path.write_text('[[sources]]\nname = "a"\nkind = "feed"\nurl = "file:///etc/passwd"\n')
    (local,) = fm.load_sources(path)
    with fm.Store(":memory:") as store:
        (result,) = fm.update(store, [local], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert result.error is not None and "--allow-local" in result.error
    twice = '[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://a.example.org/"\n' * 2
    path.write_text(twice)
    with pytest.raises(fm.ConfigError, match="unique"):
        fm.load_sources(path)


def test_registry_files_ship_in_the_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["calls"] == "fundmatch/calls"
    assert calls_path("sources.toml").is_file()


def test_snapshot_is_real_and_well_formed() -> None:
    calls = fm.load_snapshot()
    assert len(calls) > 600
    assert len({c.id for c in calls}) == len(calls)
    portal = [c for c in calls if c.topic_id]
    assert all(d.timezone == "Europe/Brussels" for c in portal for d in c.deadlines)
    assert all("â€" not in c.description and "â€" not in c.title for c in calls)
    transcribed = [c for c in calls if c.id.startswith("interreg-")]
    # Each transcribed call names the pages its facts were read from, with the day read.
    assert transcribed and all(c.fact_sources for c in transcribed)
    assert all(s.url.startswith("http") for c in transcribed for s in c.fact_sources)


def test_a_damaged_snapshot_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl.gz"
    path.write_bytes(b"not gzip")
    with pytest.raises(fm.ConfigError):
        fm.load_snapshot(path)


def test_fundmatch_registry_names_a_registry_of_ones_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "sources.toml"
    own.write_text(
        '[[sources]]\nname = "my-feed"\nkind = "feed"\nurl = "https://example.org/feed"\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "store.sqlite")

    def listed(*args: str) -> list[str]:
        assert main(["sources", "--json", "--db", db, *args]) == 0
        return [s["name"] for s in json.loads(capsys.readouterr().out)]

    monkeypatch.setenv("FUNDMATCH_REGISTRY", str(own))
    assert listed() == ["my-feed"]
    assert len(listed("--registry", str(calls_path("sources.toml")))) > 1  # the option wins
    monkeypatch.delenv("FUNDMATCH_REGISTRY")
    assert len(listed()) > 1
