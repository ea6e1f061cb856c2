"""Hand-judged lists: the top 10 of profiles like fundmatch's users, on the bundled snapshot.

Profiles: the dozen of ``benchmarks/judged/profiles/`` (open-data SME, port authority,
civic-tech association, heritage digitisation, mobility sensors, heat islands, digital
inclusion, … in English, French, Italian, Spanish, Greek and German) and the four examples of
``calls/profiles/``. Each is ranked as ``fundmatch match`` ranks it (its gates, the default
minimum score, ``limit=10``) on the snapshot's calls, at the snapshot's own date.

Judgments: ``benchmarks/judged/judgments.toml``, one ``[[judged]]`` per (profile, call):
``relevant`` (a call its author would apply to or read closely), ``partly`` (on its subject
but for another kind of organisation or only a side of the project) or ``off`` (off-topic), with
a one-line reason; how they were made is written at the top of that file. Prints per profile
nDCG@10 (gains 2 / 1 / 0; the ideal list is the best of every call judged for the profile) and
the off-topic calls in its top 10, then their means. A call in a top 10 that nobody judged yet
counts as off-topic and is listed as **unjudged** (judge it, then run again).

    python benchmarks/bench_judged.py [--quick] [--no-meaning] [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import math
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from bench_relevance import load_meaning, weights_from
from fundmatch import Matcher, Profile, load_profile, load_snapshot
from fundmatch.vectors import load_vectors

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GAIN = {"relevant": 2, "partly": 1, "off": 0}
NOW = datetime(2026, 8, 17, 12, 0, tzinfo=UTC)
"""The snapshot's own date (``calls/snapshot/snapshot.json``): its calls are open then."""


def profiles() -> dict[str, Profile]:
    paths = sorted((HERE / "judged" / "profiles").glob("*.toml"))
    paths += sorted((ROOT / "calls" / "profiles").glob("*.toml"))
    return {path.stem: load_profile(path) for path in paths}


def judgments(path: Path) -> dict[str, dict[str, str]]:
    """profile → call → grade."""
    out: dict[str, dict[str, str]] = {}
    for row in tomllib.loads(path.read_text(encoding="utf-8")).get("judged", []):
        if row["grade"] not in GAIN:
            raise SystemExit(f"unknown grade {row['grade']!r} for {row['call']}")
        out.setdefault(row["profile"], {})[row["call"]] = row["grade"]
    return out


def ndcg(top: list[str], judged: dict[str, str]) -> float:
    gains = [GAIN.get(judged.get(call, "off"), 0) for call in top]
    ideal = sorted((GAIN[g] for g in judged.values()), reverse=True)[: len(top) or 10]
    best = sum(g / math.log2(k + 2) for k, g in enumerate(ideal))
    got = sum(g / math.log2(k + 2) for k, g in enumerate(gains))
    return got / best if best else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--judgments", type=Path, default=HERE / "judged" / "judgments.toml")
    parser.add_argument("--quick", action="store_true", help="the same run (it is small), for CI")
    parser.add_argument("--no-meaning", action="store_true", help="rank by words alone")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a Weights field"
    )
    args = parser.parse_args()
    calls = load_snapshot()
    meaning = None if args.no_meaning else load_meaning()
    if meaning is not None:
        load_vectors(meaning, ROOT / "calls" / "snapshot" / "meaning.npz")
    weights = weights_from(args.set)
    matcher = Matcher(calls, weights=weights, meaning=meaning)
    titles = {call.id: call.title for call in calls}
    judged = judgments(args.judgments)
    method = "words" if meaning is None or weights.meaning == 0 else "words+meaning"
    print(f"hand-judged profiles, {method}, {len(calls)} snapshot calls at {NOW:%Y-%m-%d}")
    print(f"{'profile':40s}{'nDCG@10':>9s}{'off-topic':>11s}{'listed':>8s}{'unjudged':>10s}")
    scores, offs, unjudged = [], [], []
    for name, profile in profiles().items():
        top = [m.call.id for m in matcher.rank(profile, now=NOW, limit=10)]
        mine = judged.get(name, {})
        missing = [call for call in top if call not in mine]
        unjudged += [(name, call) for call in missing]
        off = sum(mine.get(call, "off") == "off" for call in top)
        scores.append(ndcg(top, mine))
        offs.append(off)
        print(f"{name:40s}{scores[-1]:9.3f}{off:11d}{len(top):8d}{len(missing):10d}")
    print(
        f"{'mean':40s}{sum(scores) / len(scores):9.3f}{sum(offs) / len(offs):11.2f}"
        f"{'':8s}{len(unjudged):10d}"
    )
    for name, call in unjudged:
        print(f"unjudged: {name} {call} {titles[call]}")


if __name__ == "__main__":
    main()
