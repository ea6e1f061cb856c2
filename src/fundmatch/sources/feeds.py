"""The RSS/Atom adapter: feed bytes to Calls, with feedparser, after refusing XML bombs.

Pure: bytes in, Calls out; never a URL or a path (feedparser would open either). Documents
that declare entities or an internal DTD subset are refused before feedparser sees them.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import io
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser  # type: ignore[import-untyped]
from pydantic import ValidationError

from fundmatch.errors import ParseError
from fundmatch.models import Call
from fundmatch.sources.extract import (
    clean_text,
    find_budget,
    find_co_financing_rate,
    find_deadlines,
    find_partnership,
)
from fundmatch.sources.registry import Programme, Source, SourceDefaults, programme_facts

__all__ = ["MAX_ATTRIBUTES", "FeedParse", "check_xml_safety", "parse_feed", "parse_feed_result"]

logger = logging.getLogger(__name__)

MAX_ATTRIBUTES = 64
"""Most attributes one element may carry. feedparser handles an element's attributes in
quadratic time (20,000 attributes: 5 s; 40,000: 18 s); real feeds use a handful."""
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
# A start tag followed by more than MAX_ATTRIBUTES attributes (quoted, unquoted or bare). The
# match starts only at "<name" and each repetition is one attribute, so the scan is linear.
_MANY_ATTRIBUTES = re.compile(
    rb"<[A-Za-z_:][^\s<>/]*(?:\s+[^\s=<>/\"']+(?:\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'|[^\s<>\"']+))?)"
    rb"{%d}" % (MAX_ATTRIBUTES + 1)
)
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
MAX_FEED_BYTES = 20 * 1024 * 1024
"""Largest feed document read (the fetch size cap is the same)."""
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
# feedparser looks for an e-mail address in RSS author text with a regex that is quadratic in
# a run of address characters: a 64 KB <author> took minutes. Such text is cut to 512 bytes
# (then to the end of a UTF-8 character) before feedparser sees it.
_LONG_AUTHOR = re.compile(
    rb"(<(?:[\w.-]+:)?(?:author|creator|managingEditor|webMaster|publisher|owner|contributor)"
    rb"\b[^>]*>)([^<]{512}[\x80-\xbf]*)[^<]*",
    re.IGNORECASE,
)


@dataclass
class FeedParse:
    """One parsed feed: its calls, the entries skipped and why, and feedparser's complaint."""

    calls: list[Call] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One reason per entry that could not become a Call."""
    bozo: str | None = None
    """Why feedparser found the document ill-formed, when it did (the entries were kept)."""
    title: str = ""
    """The feed's own title."""


def check_xml_safety(data: bytes, *, source: str | None = None) -> None:
    """Refuse a document that declares entities or an internal DTD subset, or that has an
    element with more than :data:`MAX_ATTRIBUTES` attributes (ParseError).

    feedparser expands internal entities itself, quadratically: a 78 KB document became a
    262-million-character summary; it reads an element's attributes in quadratic time too.
    UTF-16/32 documents are checked in their own encoding. The scan is linear in the size.
    """
    views = [data]
    if b"\x00" in data[:512]:
        views.extend(data.decode(enc, errors="ignore").encode("utf-8") for enc in _WIDE)
    for view in views:
        if _ENTITY.search(view):
            raise ParseError("refused: the document declares XML entities", source=source)
        if _INTERNAL_SUBSET.search(view):
            raise ParseError("refused: the document has an internal DTD subset", source=source)
        crowded = _MANY_ATTRIBUTES.search(view)
        if crowded:
            raise ParseError(
                f"refused: an element at byte {crowded.start():,} has more than "
                f"{MAX_ATTRIBUTES} attributes",
                source=source,
            )


_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE_START = {
    b"\x00\x00\x00<": "utf-32-be",
    b"<\x00\x00\x00": "utf-32-le",
    b"\x00<\x00?": "utf-16-be",
    b"<\x00?\x00": "utf-16-le",
}
_DECLARED = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def _wide_to_utf8(data: bytes) -> bytes:
    """A UTF-16/32 document re-encoded as UTF-8 (so the byte-level guards above apply to it)."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    encoding = encoding or _WIDE_START.get(data[:4])
    if encoding is None:
        return data
    try:
        text = data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError:
        return data  # feedparser reports it
    return _DECLARED.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")


def _trim_cut_character(data: bytes) -> bytes:
    """UTF-8 bytes cut inside their last character lose that fragment.

    Otherwise feedparser gives up on UTF-8 and reads the whole feed in a legacy encoding: every
    title of a truncated download would come back as mojibake and look changed.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            return data[: exc.start]
    return data


def parse_feed(data: bytes, *, source: Source | str | None = None) -> list[Call]:
    """Calls from the bytes of an RSS, Atom or RDF feed.

    ``source`` (a registry :class:`Source` or a name) gives the calls their source name, time
    zone, language and defaults, and the facts of its programme. Deadlines, budgets and
    co-financing rates are read from the entry text. A bad entry is skipped with a warning;
    an ill-formed feed that still yields entries is accepted with a warning; ParseError when
    the bytes are refused or nothing could be read.
    """
    programme = programme_facts(source) if isinstance(source, Source) else None
    return parse_feed_result(data, source=source, programme=programme).calls


def parse_feed_result(
    data: bytes, *, source: Source | str | None = None, programme: Programme | None = None
) -> FeedParse:
    """Like :func:`parse_feed`, keeping skipped entries and feedparser's complaint.

    The programme's facts come as ``programme`` (see
    :func:`~fundmatch.sources.registry.programme_facts`): the parser reads no file.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_feed takes the feed's bytes (never a URL or a path)")
    data = bytes(data)
    name = source.name if isinstance(source, Source) else source
    if len(data) > MAX_FEED_BYTES:
        # feedparser holds the whole document and every entry in memory: a 50 MB feed took
        # over a minute and 700 MB. No real call feed comes near this.
        raise ParseError(
            f"refused: the document is {len(data):,} bytes, over the {MAX_FEED_BYTES:,}-byte "
            "limit for a feed",
            source=name,
        )
    check_xml_safety(data, source=name)
    data = _LONG_AUTHOR.sub(rb"\1\2", _trim_cut_character(_wide_to_utf8(data)))
    try:
        # A stream, never bytes: feedparser tries to open() a bytes argument as a file name.
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    except Exception as exc:
        raise ParseError(f"feedparser failed: {type(exc).__name__}: {exc}", source=name) from exc
    entries = list(parsed.get("entries") or [])
    result = FeedParse(title=clean_text(str(parsed.get("feed", {}).get("title") or "")))
    if not parsed.get("bozo") and not entries and not parsed.get("version"):
        raise ParseError("not an RSS, Atom or RDF feed", source=name)
    kept: list[Any] = []  # the entry each call came from
    for index, entry in enumerate(entries):
        try:
            result.calls.append(_entry_call(entry, source, name, programme))
            kept.append(entry)
        except (ValueError, TypeError, KeyError, ValidationError) as exc:
            reason = f"entry {index}: {_why(exc)}"
            logger.warning("%s: skipped %s", name, reason)
            result.skipped.append(reason)
    if parsed.get("bozo"):
        # A truncated document: feedparser still returns the entry it was reading when the
        # bytes ran out, with a cut title or no id. Entries past the last closing tag go.
        closed = len(_ENTRY_END.findall(data))
        for index in range(closed, len(entries)):
            reason = f"entry {index}: the document ends inside it"
            logger.warning("%s: skipped %s", name, reason)
            result.skipped.append(reason)
        if len(entries) > closed:
            ids = {id(entry) for entry in entries[closed:]}
            result.calls = [c for c, e in zip(result.calls, kept, strict=True) if id(e) not in ids]
        reason = str(parsed.get("bozo_exception") or "ill-formed document")[:200]
        if not result.calls:
            raise ParseError(f"not a readable feed: {reason}", source=name)
        logger.warning("%s: ill-formed feed, %d calls kept: %s", name, len(result.calls), reason)
        result.bozo = reason
    return result


def _why(exc: BaseException) -> str:
    text = str(exc.args[0]) if len(exc.args) == 1 else str(exc)
    return (text.splitlines() or [type(exc).__name__])[0][:200]


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_PLAUSIBLE_YEARS = (1990, 2200)


def _when(entry: Any, key: str) -> datetime | None:
    # dict.get: feedparser's own get() maps updated to published with a DeprecationWarning.
    value = dict.get(entry, key)
    if not isinstance(value, time.struct_time):
        return None
    # feedparser rolls impossible dates over ("2024-13-45" became 2025-01-01) and reads a bare
    # epoch as a year ("1700000000" became 1699-11-30): such dates are left unknown.
    raw = _ISO_DAY.match(str(dict.get(entry, key.removesuffix("_parsed")) or ""))
    if raw and tuple(int(part) for part in raw.groups()) != tuple(value[:3]):
        return None
    if not _PLAUSIBLE_YEARS[0] <= value.tm_year <= _PLAUSIBLE_YEARS[1]:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _http(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if re.match(r"https?://", text, re.IGNORECASE) and " " not in text else None


def _entry_call(
    entry: Any, source: Source | str | None, name: str | None, programme: Programme | None
) -> Call:
    title = clean_text(str(entry.get("title") or ""))
    if not title:
        raise ValueError("an entry without a title")
    summary = str(entry.get("summary") or "")
    contents = entry.get("content") or []
    body = max([summary] + [str(c.get("value") or "") for c in contents], key=len)
    description = clean_text(body)
    link = _http(entry.get("link"))
    guid = str(entry.get("id") or "").strip() or link
    if not guid:
        digest = hashlib.sha256(f"{title}\n{entry.get('published', '')}".encode()).hexdigest()
        guid = digest[:16]
    if name and not _http(guid):
        guid = f"{name}:{guid}"
    text = f"{title}\n{description}"
    settings = source if isinstance(source, Source) else None
    lent = settings.defaults if settings else SourceDefaults()
    facts = programme or Programme(key="-", name="-", documents=("-",))
    partners, countries = find_partnership(text)
    tags = tuple(clean_text(str(t.get("term") or "")) for t in entry.get("tags") or [])
    return Call(
        id=guid[:500],
        title=title,
        description=description,
        source=name,
        url=link,
        programme=lent.programme or (programme.name if programme else None),
        tags=tags,
        instrument=lent.instrument,
        deadlines=tuple(
            find_deadlines(text, timezone=settings.timezone if settings else "Europe/Brussels")
        ),
        budget=find_budget(text),
        co_financing_rate=find_co_financing_rate(text)
        or lent.co_financing_rate
        or facts.co_financing_rate,
        countries=lent.countries or (facts.countries if facts.complete_area else ()),
        regions=lent.regions or (facts.regions if facts.complete_area else ()),
        min_partners=partners or facts.min_partners,
        min_countries=countries or facts.min_countries,
        languages=(settings.language,) if settings else (),
        published=_when(entry, "published_parsed"),
        updated=_when(entry, "updated_parsed"),
    )
