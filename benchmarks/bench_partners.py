"""Partners and precedents: who ran the projects that started in 2024, found from the projects'
own title and abstract by an index of the projects that started before; and the speed.

Ground truth: for each project of the CORDIS extract that started in 2024 and has at least three
organisations, its partners (coordinator excluded) that took part in an indexed project. The
index holds the projects started before 2024, cut as the packaged extract is (at least two
organisations, the abstract's first 1,000 characters). Each method ranks organisations from the
project's title and abstract; the coordinator is left out of every ranking (it is the asker).

Methods, in the same run:
- ``fundmatch``: :class:`fundmatch.partners.ProjectIndex` (the profile query of the call ranking,
  the closest projects vote for their organisations);
- ``popularity``: organisations by the number of indexed projects they took part in;
- ``tf-idf max``: scikit-learn TF-IDF over title + abstract, an organisation scored by its best
  project's cosine.

Figures: recall@20 and MRR (the first actual partner's reciprocal rank) over all partners, and
over the partners abroad (not in the coordinator's country) alone. Speed: the index build, its
memory, and the median partner and precedent search for the example profiles on the packaged
extract.

    python benchmarks/bench_partners.py [--quick] [--dataset PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from fundmatch.config import load_profile
from fundmatch.models import Profile
from fundmatch.partners import ProjectIndex, load_projects
from fundmatch.partners.projects import compact, read_projects

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT.parent / "shared" / "data" / "cordis-projects"
PROFILES = sorted((ROOT / "calls" / "profiles").glob("*.toml"))
K = 20


def rows(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def rss_mb() -> float:
    try:
        with Path("/proc/self/statm").open(encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
    except OSError:
        return float("nan")
    return pages * resource.getpagesize() / 2**20


def measure(ranked: list[int], truth: set[int]) -> tuple[float, float]:
    """(recall@K, reciprocal rank of the first hit) of one ranking."""
    if not truth:
        return float("nan"), float("nan")
    hits = len(truth & set(ranked[:K])) / len(truth)
    first = next((k for k, org in enumerate(ranked) if org in truth), None)
    return hits, (0.0 if first is None else 1.0 / (first + 1))


def top(scores: np.ndarray, leave_out: int | None, n: int = 200) -> list[int]:
    if leave_out is not None:
        scores = scores.copy()
        scores[leave_out] = -np.inf
    n = min(n, len(scores))
    best = np.argpartition(-scores, n - 1)[:n]
    return sorted(best.tolist(), key=lambda o: (-scores[o], o))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 query projects, one round")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--queries", type=int, default=None, help="at most this many queries")
    args = parser.parse_args()
    limit = args.queries or (150 if args.quick else None)

    projects = rows(args.dataset / "projects.jsonl.gz")
    participants = rows(args.dataset / "participants.jsonl.gz")
    before = read_projects(compact(projects, participants, source="benchmark", before="2024-01-01"))
    start, mb = time.perf_counter(), rss_mb()
    index = ProjectIndex(before)
    build_s, build_mb = time.perf_counter() - start, rss_mb() - mb
    number = {o.id: k for k, o in enumerate(before.organisations)}
    countries = [o.country for o in before.organisations]

    by_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in participants:
        by_project[r["project"]].append(r)
    queries = []
    for p in projects:
        if not (p["start"] or "").startswith("2024"):
            continue
        parts = by_project[p["id"]]
        if len({r["org"] for r in parts}) < 3:
            continue
        lead = next(r for r in parts if r["role"] == "coordinator")
        truth = {number[r["org"]] for r in parts if r["org"] != lead["org"] and r["org"] in number}
        if truth:
            queries.append((p, number.get(lead["org"]), lead["country"], truth))
    if limit:
        step = max(1, len(queries) // limit)  # an even spread over the year, not its start
        queries = queries[::step][:limit]

    # Baselines: popularity, and TF-IDF max over an organisation's projects.
    from sklearn.feature_extraction.text import TfidfVectorizer

    popularity = np.asarray(index._members.astype(bool).sum(axis=0), dtype=np.float64).ravel()
    popularity += 1e-9 * np.arange(len(popularity))[::-1]  # ties: by organisation order
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    docs = vectorizer.fit_transform([f"{p.title}\n{p.objective}" for p in index.projects])
    members = sparse.csc_matrix(index._members.astype(bool).astype(np.float32))

    results: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    times = []
    for p, lead, lead_country, truth in queries:
        abroad = {o for o in truth if countries[o] != lead_country}
        profile = Profile(name=p["title"], description=p["objective"])
        t = time.perf_counter()
        cos = index.cosines(profile)
        ours = top(index.scores(cos), lead)
        times.append(time.perf_counter() - t)
        sims = np.asarray((docs @ vectorizer.transform([f"{p['title']}\n{p['objective']}"]).T)
                          .todense()).ravel()  # fmt: skip
        best = members.multiply(sims[:, None]).tocsc().max(axis=0).toarray().ravel()
        rankings = {
            "fundmatch": ours,
            "popularity": top(popularity, lead),
            "tf-idf max": top(best, lead),
        }
        for name, ranked in rankings.items():
            results[name].append((*measure(ranked, truth), *measure(ranked, abroad)))

    print(
        f"index: {len(index):,} projects started before 2024 ({len(before.organisations):,} "
        f"organisations), built in {build_s:.1f} s, {build_mb:.0f} MB resident"
    )
    print(f"queries: {len(queries):,} projects started in 2024 with 3+ organisations")
    print(f"{'method':12s} {'recall@20':>10s} {'MRR':>7s} {'abroad R@20':>12s} {'abroad MRR':>11s}")
    table = {}
    for name, values in results.items():
        cols = np.array(values, dtype=np.float64)
        means = [float(np.nanmean(cols[:, k])) for k in range(4)]
        table[name] = means
        print(f"{name:12s} {means[0]:10.3f} {means[1]:7.3f} {means[2]:12.3f} {means[3]:11.3f}")
    for base in ("popularity", "tf-idf max"):
        ours, theirs = table["fundmatch"], table[base]
        print(
            f"fundmatch / {base}: recall@20 x{ours[0] / theirs[0]:.2f}, "
            f"MRR x{ours[1] / theirs[1]:.2f}"
            f", abroad recall@20 x{ours[2] / theirs[2]:.2f}, abroad MRR x{ours[3] / theirs[3]:.2f}"
        )
    print(f"ranking one 2024 project (index above): median {statistics.median(times) * 1e3:.0f} ms")

    # Speed on the packaged extract: load, build, one search per example profile.
    start = time.perf_counter()
    shipped = load_projects()
    load_s = time.perf_counter() - start
    start, mb = time.perf_counter(), rss_mb()
    full = ProjectIndex(shipped)
    full_s, full_mb = time.perf_counter() - start, rss_mb() - mb
    profiles = [load_profile(path) for path in PROFILES]
    found, precedent = [], []
    for _ in range(1 if args.quick else 5):
        for profile in profiles:
            t = time.perf_counter()
            full.partners(profile, limit=20)
            found.append(time.perf_counter() - t)
            t = time.perf_counter()
            full.precedents(profile, limit=10)
            precedent.append(time.perf_counter() - t)
    print(
        f"packaged extract: {len(full):,} projects, read in {load_s:.2f} s, indexed in "
        f"{full_s:.1f} s ({full_mb:.0f} MB resident); per profile, median partners "
        f"{statistics.median(found) * 1e3:.0f} ms, precedents "
        f"{statistics.median(precedent) * 1e3:.0f} ms"
    )


if __name__ == "__main__":
    main()
