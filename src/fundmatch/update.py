"""Updating the store from the sources: fetch, parse, upsert, one result per source.

Orchestration only: fetching is ``sources.http`` (or any ``fetch`` callable), parsing is
``sources.ftportal`` / ``sources.feeds``, storing is :class:`~fundmatch.store.Store`. A source
that fails is recorded as failed and the others go on; bugs still raise.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from pydantic import Field

from fundmatch.errors import SourceError
from fundmatch.models import Call, Change, FundmatchModel
from fundmatch.netguard import Guard
from fundmatch.sources import http
from fundmatch.sources.feeds import parse_feed_result
from fundmatch.sources.ftportal import parse_ftportal_page, search_request
from fundmatch.sources.registry import Source, programme_facts
from fundmatch.sources.snapshot import SNAPSHOT_SOURCE, load_snapshot
from fundmatch.store import Store

__all__ = ["Progress", "SourceResult", "update"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, source_name)`` before each source and once at the end."""


class SourceResult(FundmatchModel):
    """What one update did with one source."""

    source: str
    """The source's name."""
    calls: int = 0
    """Calls the source listed this time."""
    new: int = 0
    """Calls the store had never seen."""
    updated: int = 0
    """Calls whose fields changed."""
    unchanged: int = 0
    """Calls listed again without change."""
    withdrawn: int = 0
    """Calls gone from a complete listing."""
    skipped: tuple[str, ...] = ()
    """Entries that could not become calls, each with the reason."""
    not_modified: bool = False
    """The source answered 304 Not Modified: nothing to read."""
    complete: bool = True
    """False when the listing was partial (page cap, ill-formed feed): nothing is withdrawn."""
    error: str | None = None
    """Why the source failed; None when it was read."""
    changes: tuple[Change, ...] = Field(default=(), repr=False)
    """The store's changes from this source."""

    @property
    def ok(self) -> bool:
        """True when the source was read."""
        return self.error is None


def update(
    store: Store,
    sources: Iterable[Source],
    *,
    now: datetime,
    fetch: http.Fetch | None = None,
    guard: Guard | None = None,
    offline: bool = False,
    progress: Progress | None = None,
) -> list[SourceResult]:
    """Read every enabled source into ``store`` at ``now``; one :class:`SourceResult` each.

    ``offline=True`` reads nothing from the network: the bundled snapshot is loaded instead
    (one result, source ``snapshot``). A source that fails (fetch or parse) is recorded with
    :meth:`Store.record_failure` and the others go on. ``fetch`` defaults to
    :func:`fundmatch.sources.http.fetch` behind ``guard`` (None: the safe default ``Guard()``).
    """
    if fetch is None:
        fetch = functools.partial(http.fetch, guard=guard or Guard())
    if offline:
        if progress:
            progress(0, 1, SNAPSHOT_SOURCE)
        result = _store(store, SNAPSHOT_SOURCE, load_snapshot(), now=now, complete=True)
        if progress:
            progress(1, 1, SNAPSHOT_SOURCE)
        return [result]
    chosen = [source for source in sources if source.enabled]
    results: list[SourceResult] = []
    for done, source in enumerate(chosen):
        if progress:
            progress(done, len(chosen), source.name)
        try:
            if source.kind == "ftportal":
                results.append(_portal(store, source, now, fetch))
            else:
                results.append(_feed(store, source, now, fetch))
        except SourceError as exc:
            logger.warning("%s failed: %s", source.name, exc)
            message = exc.message
            store.record_failure(source.name, now=now, error=message)
            results.append(SourceResult(source=source.name, error=message, complete=False))
    if progress:
        progress(len(chosen), len(chosen), "")
    return results


def _portal(store: Store, source: Source, now: datetime, fetch: http.Fetch) -> SourceResult:
    calls: list[Call] = []
    skipped: list[str] = []
    complete = False
    for number in range(1, source.max_pages + 1):
        response = fetch(search_request(source, number))
        page = parse_ftportal_page(response.body, source=source.name)
        calls.extend(page.calls)
        skipped.extend(f"page {number}, {reason}" for reason in page.skipped)
        results_on_page = len(page.calls) + len(page.skipped)
        total = page.total_results
        if results_on_page == 0 or (total is not None and number * source.page_size >= total):
            complete = True
            break
    if skipped:
        complete = False  # a result we could not read may be a call still listed
    return _store(store, source.name, calls, now=now, complete=complete, skipped=skipped)


def _feed(store: Store, source: Source, now: datetime, fetch: http.Fetch) -> SourceResult:
    assert source.url is not None  # the registry requires it
    state = store.source_state(source.name)
    response = fetch(
        http.Request(
            url=source.url,
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
        )
    )
    if response.not_modified:
        # Record the success without withdrawing anything: the listing was not read.
        store.upsert(
            [],
            source=source.name,
            now=now,
            complete=False,
            etag=response.etag or (state.etag if state else None),
            last_modified=response.last_modified or (state.last_modified if state else None),
        )
        return SourceResult(source=source.name, not_modified=True, complete=False)
    parsed = parse_feed_result(response.body, source=source, programme=programme_facts(source))
    complete = parsed.bozo is None and not parsed.skipped
    # A partial read (truncated, ill-formed) keeps the old validators: with the new ones the
    # next run would get 304 Not Modified and never read the entries missed this time.
    return _store(
        store,
        source.name,
        parsed.calls,
        now=now,
        complete=complete,
        skipped=parsed.skipped,
        etag=response.etag if complete else (state.etag if state else None),
        last_modified=response.last_modified
        if complete
        else (state.last_modified if state else None),
    )


def _store(
    store: Store,
    name: str,
    calls: list[Call],
    *,
    now: datetime,
    complete: bool,
    skipped: Iterable[str] = (),
    etag: str | None = None,
    last_modified: str | None = None,
) -> SourceResult:
    changes = store.upsert(
        calls, source=name, now=now, complete=complete, etag=etag, last_modified=last_modified
    )
    new = sum(1 for c in changes if c.kind == "new")
    updated = sum(1 for c in changes if c.kind == "changed")
    withdrawn = sum(1 for c in changes if c.kind == "withdrawn")
    listed = len({call.id for call in calls})
    return SourceResult(
        source=name,
        calls=listed,
        new=new,
        updated=updated,
        unchanged=max(0, listed - new - updated),
        withdrawn=withdrawn,
        skipped=tuple(skipped),
        complete=complete,
        changes=tuple(changes),
    )
