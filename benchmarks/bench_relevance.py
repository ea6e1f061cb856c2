"""Relevance of fundmatch's ranking on real ground truth, beside BM25 and TF-IDF baselines.

Dataset: cordis-he (Horizon Europe projects → the topic that funded them; see its README).
Every dev query becomes a Profile (title, description, keywords); the pool is every call.
Two modes in the same run: **full** (the whole project abstract and every keyword) and
**short** (what a person writes: the title, the first 40 words of the abstract, at most 3
keywords). Prints Recall@1/5/10, MRR@10 and nDCG@10 per method and mode, then for the short
profiles the trade-off of a minimum score: threshold → share of queries whose funded topic is
still returned, median number of calls returned. ``--h2020`` adds the 3,837 H2020 topics to the
pool as distractors. ``--quick``: every 5th query, pool without H2020 (CI).

With the optional sentence model installed (``fundmatch[meaning]``), **fundmatch+meaning** ranks
with closeness of meaning too (``Matcher(calls, meaning=Meaning())``); its vectors of the pool's
calls are kept in ``benchmarks/meaning/vectors.npz`` (reading the 1,104 calls takes about ten
minutes), so its index time is the index's alone; its query time includes reading the profile
(about 1 s for a whole abstract on two cores: ``--quick`` runs it on the short profiles only).

    python benchmarks/bench_relevance.py [--quick] [--h2020] [--no-meaning] [--dataset PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from fundmatch import Call, ConfigError, Matcher, Meaning, Profile
from fundmatch.vectors import load_vectors, save_vectors

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load(
    dataset: Path, h2020: Path | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    calls = read_jsonl(dataset / "calls.jsonl.gz")
    if h2020 is not None:
        seen = {c["id"] for c in calls}
        calls += [c for c in read_jsonl(h2020 / "calls.jsonl.gz") if c["id"] not in seen]
    queries = read_jsonl(dataset / "queries-dev.jsonl.gz")
    qrels = {}
    for line in (dataset / "qrels-dev.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, topic, _ = line.split()
        qrels[qid] = topic
    return calls, queries, qrels


def shorten(q: dict[str, Any]) -> dict[str, Any]:
    """The profile a person would write: title, first 40 words, at most 3 keywords."""
    words = q["description"].split()[:40]
    return {**q, "description": " ".join(words), "keywords": q["keywords"][:3]}


def query_text(q: dict[str, Any]) -> str:
    return q["title"] + "\n" + q["description"] + "\n" + ", ".join(q["keywords"])


THRESHOLDS = (0.0, 5.0, 7.5, 10.0, 12.5, 13.5, 14.0, 15.0, 20.0, 30.0)
SCORED = 60  # calls scored per query for the threshold trade-off (a list longer counts as 60)


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    def recall(k: int) -> float:
        return float(np.mean([r is not None and r <= k for r in ranks]))

    return {
        "R@1": recall(1),
        "R@5": recall(5),
        "R@10": recall(10),
        "MRR@10": float(np.mean([1 / r if r and r <= 10 else 0.0 for r in ranks])),
        "nDCG@10": float(np.mean([1 / math.log2(r + 1) if r and r <= 10 else 0.0 for r in ranks])),
    }


def rank_of(ids: Sequence[str], target: str) -> int | None:
    return next((k + 1 for k, i in enumerate(ids[:10]) if i == target), None)


def top_ids(scores: np.ndarray, ids: list[str]) -> list[str]:
    order = np.lexsort((np.arange(len(ids)), -scores))[:10]  # ties by id (ids are sorted)
    return [ids[i] for i in order]


def run_fundmatch(
    calls: list[dict[str, Any]],
    queries: list[dict[str, Any]],
    scores: dict[int, list[tuple[str, float]]] | None = None,
    meaning: Meaning | None = None,
) -> Callable[[int], list[str]]:
    models = [
        Call(id=c["id"], title=c["title"] or c["id"], description=c["description"] or "")
        for c in calls
    ]
    matcher = Matcher(models, meaning=meaning)
    profiles = [
        Profile(
            name=q["title"] or q["id"], description=q["description"], keywords=tuple(q["keywords"])
        )
        for q in queries
    ]

    def search(i: int) -> list[str]:
        matches = matcher.rank(
            profiles[i],
            limit=SCORED if scores is not None else 10,
            include_closed=True,
            include_blocked=True,
            min_score=0,
        )
        if scores is not None:
            scores[i] = [(m.call.id, m.score) for m in matches]
        return [m.call.id for m in matches[:10]]

    return search


def run_tfidf(
    calls: list[dict[str, Any]], queries: list[dict[str, Any]]
) -> Callable[[int], list[str]]:
    ids = [c["id"] for c in calls]
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    docs = vec.fit_transform([c["title"] + "\n" + c["description"] for c in calls])

    def search(i: int) -> list[str]:
        q = vec.transform([query_text(queries[i])])
        return top_ids((docs @ q.T).toarray().ravel(), ids)

    return search


def run_bm25(
    calls: list[dict[str, Any]], queries: list[dict[str, Any]]
) -> Callable[[int], list[str]]:
    ids = [c["id"] for c in calls]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(
            [c["title"] + "\n" + c["description"] for c in calls],
            stopwords="en",
            show_progress=False,
        ),
        show_progress=False,
    )

    def search(i: int) -> list[str]:
        tokens = bm25s.tokenize(
            [query_text(queries[i])], stopwords="en", return_ids=False, show_progress=False
        )
        return top_ids(np.asarray(retriever.get_scores(tokens[0])), ids)

    return search


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, default=DATA / "cordis-he")
    parser.add_argument("--h2020-dataset", type=Path, default=DATA / "h2020-topics")
    parser.add_argument("--h2020", action="store_true", help="add the H2020 topics to the pool")
    parser.add_argument("--quick", action="store_true", help="every 5th query, for CI")
    parser.add_argument(
        "--no-meaning", action="store_true", help="leave out fundmatch with the sentence model"
    )
    args = parser.parse_args()
    meaning = None if args.no_meaning else load_meaning()
    calls, queries, qrels = load(args.dataset, args.h2020_dataset if args.h2020 else None)
    if args.quick:
        queries = queries[::5]
    print(
        f"cordis-he dev: {len(queries)} queries, pool {len(calls)} calls"
        + (" (with H2020 topics)" if args.h2020 else "")
    )
    for mode in ("full", "short"):
        mode_queries = queries if mode == "full" else [shorten(q) for q in queries]
        print(f"\n{mode} profiles")
        header = "".join(f"{h:>8s}" for h in ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10"))
        print(f"{'method':19s}{header}{'index s':>9s}{'query ms':>10s}")
        results = {}
        scores: dict[str, dict[int, list[tuple[str, float]]]] = {"fundmatch": {}}

        def kept_for(
            name: str,
            mode: str = mode,
            scores: dict[str, dict[int, list[tuple[str, float]]]] = scores,
        ) -> dict[int, list[tuple[str, float]]] | None:
            return scores[name] if mode == "short" else None  # scores of 60 calls: short only

        methods: list[tuple[str, Builder]] = [
            ("fundmatch", lambda c, q: run_fundmatch(c, q, kept_for("fundmatch"))),
        ]
        if meaning is not None and (mode == "short" or not args.quick):  # quick: short only
            scores[MEANT] = {}
            methods.append((MEANT, lambda c, q: run_fundmatch(c, q, kept_for(MEANT), meaning)))
        methods += [("bm25s", run_bm25), ("tfidf", run_tfidf)]
        for name, build in methods:
            start = time.perf_counter()
            search = build(calls, mode_queries)
            built = time.perf_counter() - start
            start = time.perf_counter()
            ranks = [rank_of(search(i), qrels[q["id"]]) for i, q in enumerate(mode_queries)]
            per_query = (time.perf_counter() - start) / len(mode_queries) * 1000
            m = metrics(ranks)
            results[name] = m
            print(
                f"{name:19s}"
                + "".join(f"{v:8.3f}" for v in m.values())
                + f"{built:9.2f}{per_query:10.1f}"
            )
        for ours in scores:
            for base in ("bm25s", "tfidf"):
                ratios = "  ".join(
                    f"{k} {results[ours][k] / results[base][k]:.3f}" for k in results[base]
                )
                print(f"{ours} / {base}: {ratios}")
        if mode == "full":
            continue
        for ours, kept_scores in scores.items():
            print(f"short profiles, {ours}: minimum score → funded topic returned, median length")
            for t in THRESHOLDS:
                kept = [[c for c, s in kept_scores[i] if s >= t] for i in range(len(mode_queries))]
                found = np.mean(
                    [qrels[q["id"]] in k for q, k in zip(mode_queries, kept, strict=True)]
                )
                length = np.median([len(k) for k in kept])
                print(f"  min_score {t:5.1f}: recall {found:.3f}  median length {length:4.0f}")
    if meaning is not None and meaning.read:
        save_vectors(meaning, VECTORS)
        print(f"\n{meaning.read} call texts read by the sentence model, kept in {VECTORS.name}")


MEANT = "fundmatch+meaning"
VECTORS = Path(__file__).resolve().parent / "meaning" / "vectors.npz"
"""The sentence model's vectors of the pool's calls, kept so that a run reads none again."""


def load_meaning() -> Meaning | None:
    """The sentence model with the pool's kept vectors; None (and a line) without the extra."""
    try:
        meaning = Meaning()
    except ConfigError as exc:
        print(f"fundmatch+meaning left out: {exc}")
        return None
    load_vectors(meaning, VECTORS)
    return meaning


Builder = Callable[[list[dict[str, Any]], list[dict[str, Any]]], Callable[[int], list[str]]]


if __name__ == "__main__":
    main()
