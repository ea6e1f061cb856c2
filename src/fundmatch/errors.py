"""The exceptions fundmatch raises; every one derives from :class:`FundmatchError`.

::

    FundmatchError
     ├── ConfigError          a profile, registry or subscription file is wrong
     ├── SourceError          one source could not be read (carries the source name)
     │    ├── FetchError      the network part: refused URL, timeout, HTTP error, size cap
     │    └── ParseError      the bytes are not a feed / Portal payload we can read
     ├── StoreError           the SQLite store cannot be opened, read or written
     └── MailError            a digest could not be sent

Model validation keeps pydantic's own ``ValidationError`` (a ``ValueError``), which names
the field; files are loaded through :class:`ConfigError`, which adds the file and the line.
Foreign exceptions are translated at one boundary each and chained with ``from``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class FundmatchError(Exception):
    """Base class of every error fundmatch raises on purpose."""


class ConfigError(FundmatchError, ValueError):
    """A configuration file (profile, source registry, subscriptions) is invalid.

    ``path``, ``field`` and ``line`` say where, when they are known. A file with several
    mistakes gives one error listing them all: ``problems`` holds one ConfigError per mistake
    (in line order), and ``message``, ``field`` and ``line`` are those of the first.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
        problems: Sequence[ConfigError] = (),
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.field = field
        self.line = line
        self.problems: tuple[ConfigError, ...] = tuple(problems) or (self,)
        super().__init__(str(self))

    def _one(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where += f":{self.line}"
        parts = [p for p in (where, self.field and f"field {self.field!r}", self.message) if p]
        return ": ".join(parts)

    def __str__(self) -> str:
        if len(self.problems) <= 1:
            return self._one()
        head = f"{self.path}: " if self.path else ""
        lines = [f"{head}{len(self.problems)} mistakes"]
        lines += [f"  {problem._one()}" for problem in self.problems]
        return "\n".join(lines)


class SourceError(FundmatchError):
    """One source failed; ``source`` names it (the others go on)."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class FetchError(SourceError):
    """The source could not be fetched: refused URL, timeout, HTTP error or size cap."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(message, source=source)


class ParseError(SourceError):
    """The fetched bytes could not be read as a feed or a Portal payload."""


class StoreError(FundmatchError):
    """The store could not be opened, read or written; nothing stored before is lost."""


class MailError(FundmatchError):
    """A digest message could not be sent (connection, authentication, refusal)."""


class MatchError(FundmatchError, LookupError):
    """A call asked for by id is not among the calls being ranked."""
