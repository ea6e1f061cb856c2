"""Read the bundled snapshot's calls with the sentence model and keep their vectors beside it.

    python scripts/build_meaning.py

Writes ``calls/snapshot/meaning.npz`` (the sentence model is a dependency); run it after the
snapshot is rebuilt. The texts the file already holds are not read again, and the vectors of
texts no call has any more are dropped. ``fundmatch match`` then reads no bundled call again.
"""

from __future__ import annotations

from pathlib import Path

from fundmatch import load_snapshot
from fundmatch.match import Meaning
from fundmatch.vectors import load_vectors, save_vectors

OUT = Path(__file__).resolve().parents[1] / "calls" / "snapshot" / "meaning.npz"


def main() -> None:
    meaning = Meaning()
    load_vectors(meaning, OUT)
    calls = load_snapshot()
    meaning.calls(calls)
    meaning.keep_only(calls)
    save_vectors(meaning, OUT)
    print(f"{meaning.read} calls read, vectors kept in {OUT.name}")


if __name__ == "__main__":
    main()
