"""Build ``src/fundmatch/data/crosslang.tsv.gz``: words of eight languages → English stems.

Source: the EuroVoc thesaurus labels (``shared/data/eurovoc/labels.jsonl.gz``, provenance in its
README) plus the theme vocabulary shipped in ``src/fundmatch/data/themes.toml``. Each concept
gives parallel labels (``données ouvertes`` ↔ ``open data``). Stems that co-occur across many
parallel labels are aligned by the Dice coefficient; one-word labels align directly.

Usage: python scripts/build_crosslang.py [--eurovoc PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz import fuzz

from fundmatch.text import analyse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EUROVOC = ROOT.parent / "shared" / "data" / "eurovoc" / "labels.jsonl.gz"
DEFAULT_OUT = ROOT / "src" / "fundmatch" / "data" / "crosslang.tsv.gz"
LANGS = ("fr", "it", "es", "el", "pt", "hr", "sl", "de")
MIN_DICE = 0.3


def pairs(eurovoc: Path) -> dict[str, list[tuple[list[str], list[str]]]]:
    """lang → parallel (stems in lang, English stems) label pairs."""
    out: dict[str, list[tuple[list[str], list[str]]]] = defaultdict(list)
    with gzip.open(eurovoc, "rt", encoding="utf-8") as handle:
        for line in handle:
            concept = json.loads(line)
            labels = concept["labels"]
            if concept.get("deprecated") or "en" not in labels:
                continue
            en = analyse(labels["en"]["pref"], "en")
            for lang in LANGS:
                if lang in labels:
                    out[lang].append((analyse(labels[lang]["pref"], lang), en))
            for alt in labels["en"]["alt"]:
                alt_en = analyse(alt, "en")
                if len(alt_en) == 1 and len(en) == 1:  # town [city]: "città" is also "city"
                    for lang in LANGS:
                        if lang in labels:
                            out[lang].append((analyse(labels[lang]["pref"], lang), alt_en))
            for alt_en, alt_fr in zip(
                labels["en"]["alt"], labels.get("fr", {}).get("alt", []), strict=False
            ):
                out["fr"].append((analyse(alt_fr, "fr"), analyse(alt_en, "en")))
    themes = tomllib.loads((ROOT / "src" / "fundmatch" / "data" / "themes.toml").read_text("utf-8"))
    for theme in themes["theme"]:
        english = [analyse(label, "en") for label in theme["labels"]["en"]]
        for lang in LANGS:
            for i, label in enumerate(theme["labels"].get(lang, [])):
                out[lang].append((analyse(label, lang), english[min(i, len(english) - 1)]))
    return out


def align(parallel: list[tuple[list[str], list[str]]]) -> dict[str, list[str]]:
    """source stem → English stems, by Dice over the label pairs (one-word pairs count double)."""
    src_n: Counter[str] = Counter()
    tgt_n: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for src, tgt in parallel:
        weight = 2 if len(src) == 1 and len(tgt) == 1 else 1
        for s in set(src):
            src_n[s] += weight
            for t in set(tgt):
                both[s, t] += weight
        for t in set(tgt):
            tgt_n[t] += weight
    best: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (s, t), n in both.items():
        dice = 2 * n / (src_n[s] + tgt_n[t])
        # Cognates (metano/methan, desalacion/desalin) win over chance co-occurrence.
        similar = fuzz.ratio(s, t) / 100
        score = dice + (0.5 * similar if similar >= 0.7 else 0.0)
        if score >= MIN_DICE and (n >= 2 or similar >= 0.7 or dice >= 0.5):
            best[s].append((score, t))
    table = {}
    for s, options in best.items():
        options.sort(key=lambda o: (-o[0], o[1]))
        top = options[0][0]
        table[s] = [t for d, t in options[:2] if d >= 0.8 * top]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eurovoc", type=Path, default=DEFAULT_EUROVOC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    rows = ["# lang\tstem\tEnglish stems (scripts/build_crosslang.py: EuroVoc + themes.toml)"]
    for lang, parallel in sorted(pairs(args.eurovoc).items()):
        for s, targets in sorted(align(parallel).items()):
            if targets != [s]:
                rows.append(f"{lang}\t{s}\t{' '.join(targets)}")
    data = ("\n".join(rows) + "\n").encode("utf-8")
    args.out.write_bytes(gzip.compress(data, mtime=0))
    print(f"{len(rows) - 1} rows → {args.out}")


if __name__ == "__main__":
    main()
