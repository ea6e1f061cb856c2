"""The four example profiles' full rankings of the bundled snapshot, pinned.

Every call that scores, blocked and closed ones included, with its score and its reasons,
at a fixed moment: a change to the ranking code that should leave rankings alone (a
restructuring, a speed-up) shows here as a diff. A change meant to move rankings regenerates
the files (``python tests/test_rank_golden.py --regenerate``) and says what moved.
"""

import gzip
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import fundmatch as fm
from fundmatch.config import load_profile
from fundmatch.sources.snapshot import load_snapshot

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).parents[1]
PROFILES = sorted((ROOT / "calls" / "profiles").glob("*.toml"))
EXPECTED = Path(__file__).parent / "data" / "rankings"


@pytest.fixture(scope="module")
def matcher() -> fm.Matcher:
    return fm.Matcher(load_snapshot())


def _ranking(matcher: fm.Matcher, profile: fm.Profile) -> list[dict[str, Any]]:
    found = matcher.rank(
        profile, now=NOW, limit=None, include_closed=True, include_blocked=True, min_score=0
    )
    return [
        {
            "id": m.call.id,
            "score": m.score,
            "reasons": [[r.factor, r.points, r.evidence] for r in m.reasons],
            "blockers": [c.message for c in m.blockers],
        }
        for m in found
    ]


def _expected(path: Path) -> list[dict[str, Any]]:
    with gzip.open(EXPECTED / f"{path.stem}.json.gz", "rt", encoding="utf-8") as handle:
        found: list[dict[str, Any]] = json.load(handle)
    return found


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_an_example_profile_ranks_the_snapshot_as_pinned(matcher: fm.Matcher, path: Path) -> None:
    got = _ranking(matcher, load_profile(path))
    expected = _expected(path)
    assert [m["id"] for m in got] == [m["id"] for m in expected]
    for mine, pinned in zip(got, expected, strict=True):
        assert mine["score"] == pytest.approx(pinned["score"], abs=1e-9), mine["id"]
        assert mine["reasons"] == [
            [factor, pytest.approx(points, abs=1e-9), evidence]
            for factor, points, evidence in pinned["reasons"]
        ], mine["id"]
        assert mine["blockers"] == pinned["blockers"], mine["id"]


def _regenerate() -> None:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    matcher = fm.Matcher(load_snapshot())
    for path in PROFILES:
        text = json.dumps(_ranking(matcher, load_profile(path)), indent=1, ensure_ascii=False)
        with gzip.GzipFile(EXPECTED / f"{path.stem}.json.gz", "wb", mtime=0) as handle:
            handle.write(text.encode("utf-8") + b"\n")


if __name__ == "__main__" and "--regenerate" in sys.argv:
    _regenerate()
