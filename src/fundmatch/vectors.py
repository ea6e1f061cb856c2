"""The sentence model's vectors kept in a file, so that a call's text is read once.

One ``.npz`` per store (``<store>.meaning.npz``) and one beside the bundled snapshot
(``calls/snapshot/meaning.npz``): the model's name, the digests of the texts, the vectors
(float16).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from fundmatch.errors import ConfigError
from fundmatch.match.meaning import Meaning

__all__ = ["load_vectors", "save_vectors"]


def load_vectors(meaning: Meaning, path: str | Path) -> int:
    """Give ``meaning`` the vectors kept in ``path``; a missing file or one of another model
    gives none. Returns how many were new; ConfigError naming the file if it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != meaning.model:
                return 0
            digests, vectors = data["digests"], data["vectors"]
    except FileNotFoundError:
        return 0
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read the kept vectors: {exc}", path=path) from exc
    return meaning.add([str(d) for d in digests.tolist()], vectors)


def save_vectors(meaning: Meaning, path: str | Path) -> None:
    """Keep every vector ``meaning`` knows in ``path`` (written whole, then moved into place)."""
    path = Path(path)
    digests, vectors = meaning.known()
    handle, scratch = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez_compressed(
                out,
                model=np.array(meaning.model),
                digests=np.array(digests, dtype=str),
                vectors=vectors.astype(np.float16),
            )
        Path(scratch).replace(path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
