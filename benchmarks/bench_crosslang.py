"""Cross-language retrieval: the same project described in EN, FR, IT, ES and EL, one real call.

Profiles: ``benchmarks/crosslang/profiles.toml`` (24 calls × 5 languages, written for this
benchmark). Pool: every call of cordis-he. Prints R@1/R@10/MRR@10 per language for fundmatch
and for plain TF-IDF (scikit-learn, ``sublinear_tf``, no stemming) in the same run; with the
optional sentence model installed, also for fundmatch+meaning (the pool's vectors are those
kept by ``bench_relevance.py``).

``--set NAME=VALUE`` (repeatable) ranks fundmatch+meaning with another ``Weights`` field, e.g.
``--set meaning_other=0.07``.

``--query-vectors FILE`` keeps the profiles' vectors from one run to the next.

    python benchmarks/bench_crosslang.py [--quick] [--no-meaning] [--set NAME=VALUE]
        [--query-vectors FILE] [--dataset PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bench_relevance import MEANT, load_meaning, save_queries, weights_from
from fundmatch import Call, Matcher, Profile
from fundmatch.match import MIN_SCORE

HERE = Path(__file__).resolve().parent
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LANGS = ("en", "fr", "it", "es", "el")


def metrics(ranks: list[int | None]) -> tuple[float, float, float]:
    r1 = float(np.mean([r == 1 for r in ranks]))
    r10 = float(np.mean([r is not None and r <= 10 for r in ranks]))
    mrr = float(np.mean([1 / r if r and r <= 10 else 0.0 for r in ranks]))
    return r1, r10, mrr


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, default=DATA / "cordis-he")
    parser.add_argument("--profiles", type=Path, default=HERE / "crosslang" / "profiles.toml")
    parser.add_argument("--quick", action="store_true", help="same run (it is small), for CI")
    parser.add_argument(
        "--no-meaning", action="store_true", help="leave out fundmatch with the sentence model"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a Weights field"
    )
    parser.add_argument(
        "--query-vectors", type=Path, help="keep the profiles' vectors in this file (.npz)"
    )
    args = parser.parse_args()
    meaning = None if args.no_meaning else load_meaning(args.query_vectors)
    with gzip.open(args.dataset / "calls.jsonl.gz", "rt", encoding="utf-8") as handle:
        raw: list[dict[str, Any]] = [json.loads(line) for line in handle]
    cases = tomllib.loads(args.profiles.read_text(encoding="utf-8"))["case"]
    ids = [c["id"] for c in raw]
    missing = [case["call"] for case in cases if case["call"] not in set(ids)]
    if missing:
        raise SystemExit(f"calls not in the pool: {missing}")

    start = time.perf_counter()
    matcher = Matcher(
        Call(id=c["id"], title=c["title"] or c["id"], description=c["description"] or "")
        for c in raw
    )
    built = time.perf_counter() - start
    weights = weights_from(args.set)
    meant = (
        Matcher(matcher.calls, weights=weights, meaning=meaning) if meaning is not None else None
    )
    vectorizer = TfidfVectorizer(sublinear_tf=True)
    docs = vectorizer.fit_transform([c["title"] + "\n" + c["description"] for c in raw])

    print(f"cross-language: {len(cases)} calls × {len(LANGS)} languages, pool {len(raw)} calls")
    print(f"fundmatch index built in {built:.2f} s")
    if args.set:
        print("weights changed (fundmatch+meaning): " + ", ".join(args.set))
    print(
        f"{'lang':5s} {'method':18s} {'R@1':>6s} {'R@10':>6s} {'MRR@10':>7s} {'≥ min score':>12s}"
    )
    rankers = [("fundmatch", matcher)] + ([(MEANT, meant)] if meant is not None else [])
    for lang in LANGS:
        ranks: dict[str, list[int | None]] = {name: [] for name, _ in rankers}
        shown = dict.fromkeys(ranks, 0)  # the call is returned by the default minimum score too
        plain: list[int | None] = []
        for case in cases:
            description, keywords = case[lang]
            profile = Profile(
                name=description.split(";")[0][:80],
                description=description,
                keywords=tuple(k.strip() for k in keywords.split(",")),
            )
            for name, ranker in rankers:
                ranked = ranker.rank(profile, limit=10, include_blocked=True, min_score=0)
                found = [m.call.id for m in ranked]
                ranks[name].append(found.index(case["call"]) + 1 if case["call"] in found else None)
                shown[name] += any(
                    m.call.id == case["call"] and m.score >= MIN_SCORE for m in ranked
                )
            query = vectorizer.transform([description + "\n" + keywords])
            scores = (docs @ query.T).toarray().ravel()
            top = [ids[i] for i in np.lexsort((np.arange(len(ids)), -scores))[:10]]
            plain.append(top.index(case["call"]) + 1 if case["call"] in top else None)
        for name, found_at in (*ranks.items(), ("tfidf", plain)):
            r1, r10, mrr = metrics(found_at)
            extra = f" {shown[name] / len(cases):12.3f}" if name in shown else ""
            print(f"{lang:5s} {name:18s} {r1:6.3f} {r10:6.3f} {mrr:7.3f}{extra}")
    if args.query_vectors is not None and meaning is not None:
        save_queries(args.query_vectors)


if __name__ == "__main__":
    main()
