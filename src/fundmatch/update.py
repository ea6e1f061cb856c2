"""Updating the store from the sources: fetch, parse, upsert, one result per source.

Orchestration only: fetching is ``sources.http`` (or any ``fetch`` callable), parsing is
``sources.ftportal`` / ``sources.feeds``, programme rules are ``sources.rules`` (every call
inherits its programme's general eligibility rules before it is stored), storing is
:class:`~fundmatch.store.Store`. A source that fails is recorded as failed and the others go
on; bugs still raise.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import Field

from fundmatch.detailscache import (
    CachedDetails,
    DetailsCache,
    DirectoryDetailsCache,
    MemoryDetailsCache,
)
from fundmatch.errors import SourceError
from fundmatch.models import Call, Change, FundmatchModel
from fundmatch.netguard import Guard
from fundmatch.sources import http
from fundmatch.sources.feeds import parse_feed_result
from fundmatch.sources.ftportal import parse_ftportal_page, parse_topic_details, search_request
from fundmatch.sources.registry import Programme, Source, load_programmes, programme_facts
from fundmatch.sources.rules import inherit_rules
from fundmatch.sources.snapshot import SNAPSHOT_SOURCE, load_snapshot
from fundmatch.sources.topicdetails import details_url, merge_details
from fundmatch.sources.wpjson import parse_wp_posts
from fundmatch.store import Store

__all__ = ["DETAILS_AT_ONCE", "Progress", "SourceResult", "all_failed", "failure_summary", "update"]

logger = logging.getLogger(__name__)

DETAILS_AT_ONCE = 2
"""The most topicDetails documents fetched at the same time (politeness to the Portal)."""

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
    details_fetched: int = 0
    """Portal topics whose topicDetails document was downloaded this time."""
    details_cached: int = 0
    """Portal topics whose details came from the cache (unchanged topic, or 304)."""
    details_failed: tuple[str, ...] = ()
    """Portal topics whose details could not be read, each with the reason (their search
    facts were stored)."""

    @property
    def ok(self) -> bool:
        """True when the source was read."""
        return self.error is None


_NETWORK_DOWN = (
    "cannot resolve host",
    "has no address",
    "connection refused",
    "network is unreachable",
    "no route to host",
    "timed out",
    "took longer than",
)
"""Error texts that mean the network (or DNS) is not there, rather than one source's fault."""


def all_failed(results: Sequence[SourceResult]) -> bool:
    """True when there were sources to read and not one of them was read."""
    return bool(results) and not any(r.ok for r in results)


def failure_summary(results: Sequence[SourceResult]) -> str | None:
    """One line about the sources that failed, or None when none did.

    Some failed: which, and that the others were read. Every one failed: say so, and when
    every error is the network's (no DNS, refused, timed out) suggest ``--offline``.
    """
    failed = [r for r in results if not r.ok]
    if not failed:
        return None
    names = ", ".join(r.source for r in failed[:5]) + (", ..." if len(failed) > 5 else "")
    if len(failed) < len(results):
        return (
            f"{len(failed)} of {len(results)} sources failed ({names}); the others were read"
            " (`fundmatch sources` shows each one's last error)"
        )
    line = f"every source failed ({len(failed)} of {len(results)}); nothing was read"
    if all(any(text in (r.error or "").lower() for text in _NETWORK_DOWN) for r in failed):
        line += ": no network? --offline loads the bundled snapshot of real calls instead"
    return line


def update(
    store: Store,
    sources: Iterable[Source],
    *,
    now: datetime,
    fetch: http.Fetch | None = None,
    guard: Guard | None = None,
    offline: bool = False,
    progress: Progress | None = None,
    details_cache: DetailsCache | None = None,
    programmes: Mapping[str, Programme] | None = None,
) -> list[SourceResult]:
    """Read every enabled source into ``store`` at ``now``; one :class:`SourceResult` each.

    ``offline=True`` reads nothing from the network: the bundled snapshot is loaded instead
    (one result, source ``snapshot``). A source that fails (fetch or parse) is recorded with
    :meth:`Store.record_failure` and the others go on. ``fetch`` defaults to
    :func:`fundmatch.sources.http.fetch` behind ``guard`` (None: the safe default ``Guard()``).

    For a Portal source with a ``details_url``, the topicDetails document of every new or
    changed topic is fetched too (at most :data:`DETAILS_AT_ONCE` at a time, conditional GET)
    and merged over its search facts; a topic whose details fail keeps its search facts.
    ``details_cache`` keeps the documents between updates; None: a folder beside a store
    file (``<store>.details/``), or memory for an in-memory or a PostgreSQL store.

    Every call inherits the general rules of its programme from ``programmes`` (default: the
    bundled ``calls/programmes.toml``) where it states none of its own (after its details).
    """
    rules = load_programmes() if programmes is None else programmes
    if fetch is None:
        fetch = functools.partial(http.fetch, guard=guard or Guard())
    if details_cache is None:
        details_cache = _default_cache(store)
    if offline:
        if progress:
            progress(0, 1, SNAPSHOT_SOURCE)
        result = _store(
            store, SNAPSHOT_SOURCE, load_snapshot(), now=now, complete=True, rules=rules
        )
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
                results.append(_portal(store, source, now, fetch, details_cache, rules))
            else:
                results.append(_feed(store, source, now, fetch, rules))
        except SourceError as exc:
            # Logged at info: the failure is in the result, which the caller reports once.
            logger.info("%s failed: %s", source.name, exc)
            message = exc.message
            store.record_failure(source.name, now=now, error=message)
            results.append(SourceResult(source=source.name, error=message, complete=False))
    if progress:
        progress(len(chosen), len(chosen), "")
    return results


def _default_cache(store: Store) -> DetailsCache:
    path = getattr(store, "path", None)
    if isinstance(path, Path):
        return DirectoryDetailsCache(path.with_name(path.name + ".details"))
    return MemoryDetailsCache()


def _portal(
    store: Store,
    source: Source,
    now: datetime,
    fetch: http.Fetch,
    cache: DetailsCache,
    rules: Mapping[str, Programme],
) -> SourceResult:
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
    details = _Details()
    if source.details_url:
        calls, details = _with_details(calls, source, fetch, cache)
    result = _store(
        store, source.name, calls, now=now, complete=complete, skipped=skipped, rules=rules
    )
    return result.model_copy(
        update={
            "details_fetched": details.fetched,
            "details_cached": details.cached,
            "details_failed": tuple(details.failed),
        }
    )


@dataclass
class _Details:
    fetched: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)


def _fingerprint(call: Call) -> str:
    return hashlib.sha256(call.model_dump_json().encode()).hexdigest()


def _with_details(
    calls: list[Call], source: Source, fetch: http.Fetch, cache: DetailsCache
) -> tuple[list[Call], _Details]:
    """Each call merged with its topicDetails; fetched for new or changed topics only."""
    assert source.details_url is not None

    def one(call: Call) -> tuple[Call, str, str | None]:
        """The merged call, how its details were had (fetched/cached/failed), why it failed."""
        if call.kind == "cascade":
            return call, "none", None  # no topic of its own: its parent's details are not its
        topic = call.topic_id or call.id
        fingerprint = _fingerprint(call)
        held = cache.get(topic)
        fresh: CachedDetails | None = None  # what to keep in the cache once it parses
        if held is not None and held.fingerprint == fingerprint:
            how, body = "cached", held.body  # an unchanged topic: not fetched again
        else:
            request = http.Request(
                url=details_url(topic, source.details_url or ""),
                headers={"Accept": "application/json"},
                etag=held.etag if held else None,
                last_modified=held.last_modified if held else None,
            )
            try:
                response = fetch(request)
            except SourceError as exc:
                return call, "failed", exc.message
            if response.not_modified:
                if held is None:
                    return call, "failed", "304 Not Modified without a cached document"
                how, body = "cached", held.body
            else:
                how, body = "fetched", response.body
            fresh = CachedDetails(
                fingerprint=fingerprint,
                body=body,
                etag=response.etag or (held.etag if held else None),
                last_modified=response.last_modified or (held.last_modified if held else None),
            )
        try:
            details, _notes = parse_topic_details(body, source=source.name)
        except SourceError as exc:
            return call, "failed", exc.message
        if details.id.casefold() != topic.casefold():
            return call, "failed", f"the document is about {details.id}"
        if fresh is not None:
            cache.put(topic, fresh)
        return merge_details(call, details), how, None

    summary = _Details()
    merged: list[Call] = []
    with ThreadPoolExecutor(max_workers=DETAILS_AT_ONCE) as pool:
        for call, (new, how, why) in zip(calls, pool.map(one, calls), strict=True):
            merged.append(new)
            if how == "fetched":
                summary.fetched += 1
            elif how == "cached":
                summary.cached += 1
            elif how == "failed":
                reason = f"{call.id}: {why}"
                logger.warning("%s: topic details not read: %s", source.name, reason)
                summary.failed.append(reason)
    return merged, summary


def _feed(
    store: Store,
    source: Source,
    now: datetime,
    fetch: http.Fetch,
    rules: Mapping[str, Programme],
) -> SourceResult:
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
    read = parse_wp_posts if source.kind == "wp-json" else parse_feed_result
    parsed = read(response.body, source=source, programme=programme_facts(source))
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
        rules=rules,
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
    rules: Mapping[str, Programme],
    etag: str | None = None,
    last_modified: str | None = None,
) -> SourceResult:
    calls = [inherit_rules(call, rules) for call in calls]
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
