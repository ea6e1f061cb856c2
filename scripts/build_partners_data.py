"""Build the packaged extract of funded projects (``src/fundmatch/data/cordis-projects.json.gz``).

Reads the CORDIS extract (``projects.jsonl.gz`` and ``participants.jsonl.gz``, built by its own
``build_cordis_projects.py``; see its README) and keeps the projects run by at least two
organisations, with their participations and organisations. Deterministic: a rebuild from the
same extract gives the same bytes.

    python scripts/build_partners_data.py --dataset ../shared/data/cordis-projects
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fundmatch.partners.projects import DATA_FILE, compact, read_projects

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (
    "CORDIS Horizon Europe projects started before 2025-01-01 (x3ro/cordis-horizon-projects-xml"
    " b68902429258f65e5e2d3ce6f555912939c3eb9f, 2025-12-06); Source: CORDIS, © European Union,"
    " reuse under Commission Decision 2011/833/EU"
)


def rows(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dataset",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "cordis-projects",
        help="folder of projects.jsonl.gz and participants.jsonl.gz",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "fundmatch" / "data" / DATA_FILE)
    args = parser.parse_args()
    data = compact(
        rows(args.dataset / "projects.jsonl.gz"),
        rows(args.dataset / "participants.jsonl.gz"),
        source=SOURCE,
    )
    args.out.write_bytes(data)
    start = time.perf_counter()
    projects = read_projects(data)
    seconds = time.perf_counter() - start
    print(
        f"{args.out.name}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}; "
        f"{len(projects.projects):,} projects, {len(projects.organisations):,} organisations, "
        f"{sum(len(p.participations) for p in projects.projects):,} participations; "
        f"read in {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
