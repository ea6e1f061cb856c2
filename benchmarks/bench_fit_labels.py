"""The share of right calls per score band: the measure behind the plain labels of a score
(strong / good / weak fit, ``fundmatch.display.FIT_LABELS``; docs/matching.md).

Dataset: cordis-he (Horizon Europe projects → the topic that funded them; see its README). Each
dev project becomes a *short* profile (what a person writes: the title, the first 40 words of
the abstract, at most 3 keywords), ranked against every call of the pool with closed and
ruled-out calls included and no minimum; the 60 best scored of each count. Per band it prints
how many of the calls scored in it are the right one (and the ratio to the share over every
band, the baseline of the same run), and of the lists whose first call scores in the band, how
often that call is the right one. ``--quick``: every 5th query (CI).

    python benchmarks/bench_fit_labels.py [--quick] [--dataset PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path
from typing import Any

from fundmatch import Call, Matcher, Profile
from fundmatch.display import FIT_LABELS

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BANDS = (0.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0)
"""Lower bounds of the bands printed beside the labels' own (the last band is open)."""
SCORED = 60


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, default=DATA / "cordis-he")
    parser.add_argument("--quick", action="store_true", help="every 5th query, for CI")
    args = parser.parse_args()
    calls = read_jsonl(args.dataset / "calls.jsonl.gz")
    queries = read_jsonl(args.dataset / "queries-dev.jsonl.gz")
    right = {}
    for line in (args.dataset / "qrels-dev.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, topic, _ = line.split()
        right[qid] = topic
    if args.quick:
        queries = queries[::5]
    matcher = Matcher(
        [Call(id=c["id"], title=c["title"] or c["id"], description=c["description"] or "")
         for c in calls]
    )  # fmt: skip
    start = time.perf_counter()
    ranked = []
    for q in queries:
        profile = Profile(
            name=q["title"] or q["id"],
            description=" ".join(q["description"].split()[:40]),
            keywords=tuple(q["keywords"][:3]),
        )
        matches = matcher.rank(
            profile, limit=SCORED, include_closed=True, include_blocked=True, min_score=0
        )
        ranked.append((right[q["id"]], [(m.call.id, m.score) for m in matches]))
    took = time.perf_counter() - start
    print(
        f"cordis-he dev short profiles: {len(queries)} queries, pool {len(calls)} calls, "
        f"{took / len(queries) * 1000:.1f} ms a query"
    )
    every = sum(len(scores) for _, scores in ranked)
    base = sum(call == target for target, scores in ranked for call, _ in scores) / every
    print(f"every band: {base:.2%} of the scored calls right (the baseline)")
    labels = dict(FIT_LABELS)
    bounds = sorted({*BANDS, *labels})
    for low, high in zip(bounds, [*bounds[1:], 101.0], strict=True):
        inside = found = firsts = first_right = 0
        for target, scores in ranked:
            for k, (call, score) in enumerate(scores):
                if low <= score < high:
                    inside += 1
                    found += call == target
                    if k == 0:
                        firsts += 1
                        first_right += call == target
        share = found / inside if inside else 0.0
        first = first_right / firsts if firsts else 0.0
        label = f"  ← {labels[low]}" if low in labels else ""
        print(
            f"  {low:5.1f}-{high:5.1f}: {found:5d} of {inside:6d} calls right ({share:6.1%},"
            f" {share / base if base else 0:5.1f}x the baseline); first call right"
            f" {first_right:4d} of {firsts:4d} ({first:6.1%}){label}"
        )


if __name__ == "__main__":
    main()
