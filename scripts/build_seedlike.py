"""Build ``benchmarks/seedlike/projects.jsonl.gz``: funded projects like fundmatch's users'.

A second development set beside the cordis-he dev split (research projects). Its projects are
the CORDIS Horizon Europe projects (``shared/data/cordis-projects``, provenance in its README)
that:

1. were funded by a topic of the cordis-he pool (``shared/data/cordis-he/calls.jsonl.gz``), so
   the topic is the one relevant call. Topics of 2024 on are withheld in cordis-projects, so
   every topic here is of 2021-2023;
2. count among their participants (any role, not terminated) a public body (activity type
   ``PUB``) or an SME (``sme`` true): a city, a region, an agency or a small company, the
   organisations fundmatch is for;
3. are *about* one of seven themes of its users: their title or their own keywords (never the
   abstract, where a theme is often mentioned in passing) hold one of the theme's words below
   (case-insensitive, whole words, a plural allowed);
4. at most ``PER_THEME`` projects per theme, the first by a hash of their id (a project counts
   for its first theme in the order below), so that no theme fills the set.

Each line: ``{"id", "title", "description", "keywords", "topic", "theme", "types"}``: the
project abstract as CORDIS gives it (cut at 2,000 characters), its keywords, its funding topic,
the theme that selected it and the activity types among its participants (``PUB``, ``SME``,
``HES``, ``REC``, ``PRC``, ``OTH``). Deterministic: sorted by id, gzip without a timestamp.

Usage: python scripts/build_seedlike.py [--projects DIR] [--pool PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
PER_THEME = 45

THEMES: dict[str, str] = {
    "open data and data spaces": r"open data|data spaces?|data sharing|urban data|"
    r"open government|(?:urban|city|local) digital twins?",
    "cities": r"cit(?:y|ies)|urban|municipal\w*|local authorit\w*|neighbou?rhoods?",
    "mobility": r"mobility|public transport|urban transport|sustainable transport|traffic|"
    r"cycling|electromobility|e-mobility|urban logistics",
    "energy": r"energy communit(?:y|ies)|renovation|district heating|positive energy districts?|"
    r"local energy|energy poverty|heat pumps?|building stock|energy transition",
    "climate adaptation": r"climate adaptation|adaptation to climate change|climate resilien\w*|"
    r"climate risks?|floods?|flooding|heat ?waves?|droughts?|nature.based solutions?|urban heat",
    "heritage": r"cultural heritage|heritage|museums?",
    "inclusion": r"social inclusion|digital inclusion|inclusion|inclusive|vulnerable groups?|"
    r"marginali[sz]ed|disadvantaged|digital divide|social innovation|citizen engagement|"
    r"citizen participation",
}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def theme_of(project: dict[str, Any]) -> str | None:
    text = " ".join([project["title"], *project["keywords"]])
    for theme, words in THEMES.items():
        if re.search(rf"\b(?:{words})\b", text, re.IGNORECASE):
            return theme
    return None


def select(
    projects: list[dict[str, Any]], participants: list[dict[str, Any]], pool: set[str]
) -> list[dict[str, Any]]:
    types: dict[str, set[str]] = defaultdict(set)
    for p in participants:
        if p["terminated"]:
            continue
        types[p["project"]].add(p["type"])
        if p["sme"]:
            types[p["project"]].add("SME")
    chosen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    candidates = sorted(
        (p for p in projects if p["topic"] in pool and types[p["id"]] & {"PUB", "SME"}),
        key=lambda p: hashlib.sha256(p["id"].encode()).hexdigest(),
    )
    for p in candidates:
        theme = theme_of(p)
        if theme is not None and len(chosen[theme]) < PER_THEME:
            chosen[theme].append(
                {
                    "id": p["id"],
                    "title": p["title"],
                    "description": p["objective"],
                    "keywords": p["keywords"],
                    "topic": p["topic"],
                    "theme": theme,
                    "types": sorted(types[p["id"]]),
                }
            )
    return sorted((p for ps in chosen.values() for p in ps), key=lambda p: int(p["id"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=Path, default=DATA / "cordis-projects")
    parser.add_argument("--pool", type=Path, default=DATA / "cordis-he" / "calls.jsonl.gz")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "seedlike" / "projects.jsonl.gz"
    )
    args = parser.parse_args()
    pool = {c["id"] for c in read_jsonl(args.pool)}
    rows = select(
        read_jsonl(args.projects / "projects.jsonl.gz"),
        read_jsonl(args.projects / "participants.jsonl.gz"),
        pool,
    )
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(body)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["theme"]] += 1
    print(f"{len(rows)} projects, {len({r['topic'] for r in rows})} topics: {dict(counts)}")


if __name__ == "__main__":
    main()
