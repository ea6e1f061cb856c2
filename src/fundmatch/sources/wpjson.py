"""The WordPress REST adapter: a ``wp-json/wp/v2/posts`` answer to Calls.

Pure: bytes in, Calls out. Many programme sites run WordPress: besides the RSS under
``/feed/`` (read by ``feeds.py``), they answer ``/wp-json/wp/v2/posts`` with a JSON list of
posts: ``title.rendered``, ``content.rendered`` (the whole post, even where the RSS carries
only an excerpt), ``excerpt.rendered``, ``link``, ``guid.rendered`` (the same ``?p=<id>`` link
the RSS gives as guid, so a post read both ways is one call), ``date_gmt`` and
``modified_gmt``. Each post becomes a Call exactly as a feed entry does (deadlines, budget,
co-financing rate and partnership read from the text; the source's defaults and programme
facts lent).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from fundmatch.errors import ParseError
from fundmatch.sources import jsontext
from fundmatch.sources.feeds import FeedParse, _entry_call
from fundmatch.sources.registry import Programme, Source

__all__ = ["parse_wp_posts"]

logger = logging.getLogger(__name__)

MAX_POSTS = 1000
"""The most posts read from one answer (WordPress pages hold at most 100)."""


def _rendered(post: dict[str, Any], key: str) -> str:
    value = post.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _gmt(post: dict[str, Any], key: str) -> time.struct_time | None:
    value = post.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # *_gmt fields carry no offset: they are UTC
    return moment.astimezone(UTC).timetuple()


def _entry(post: dict[str, Any]) -> dict[str, Any]:
    """A post in the shape of a feedparser entry (what the feed adapter reads)."""
    if post.get("status", "publish") != "publish":
        raise ValueError(f"a post with status {post.get('status')!r}")
    if isinstance(post.get("content"), dict) and post["content"].get("protected"):
        raise ValueError("a password-protected post")
    published, updated = _gmt(post, "date_gmt"), _gmt(post, "modified_gmt")
    return {
        "title": _rendered(post, "title"),
        "summary": _rendered(post, "excerpt"),
        "content": [{"value": _rendered(post, "content")}],
        "link": post.get("link") if isinstance(post.get("link"), str) else None,
        "id": _rendered(post, "guid") or (str(post["id"]) if "id" in post else ""),
        "published_parsed": published,
        "published": str(post.get("date_gmt") or ""),
        "updated_parsed": updated,
        "updated": str(post.get("modified_gmt") or ""),
        "tags": [],
    }


def parse_wp_posts(
    data: bytes, *, source: Source | str | None = None, programme: Programme | None = None
) -> FeedParse:
    """Calls from the bytes of a WordPress ``wp-json/wp/v2/posts`` answer.

    ``programme`` gives the facts the calls inherit, as for :func:`~fundmatch.sources.feeds.
    parse_feed_result` (see :func:`~fundmatch.sources.registry.programme_facts`).

    A post that cannot become a Call (no title, not published, password-protected) is
    skipped with its reason; ParseError when the bytes are not a JSON list of posts (a
    WordPress error object, ``{"code": ..., "message": ...}``, says its message).
    """
    name = source.name if isinstance(source, Source) else source
    loaded = jsontext.loads(data, source=name, tolerant=False)
    posts = loaded.value
    if isinstance(posts, dict) and "code" in posts:
        raise ParseError(
            f"WordPress answered {posts.get('code')}: {posts.get('message')}", source=name
        )
    if not isinstance(posts, list):
        raise ParseError("not a WordPress list of posts", source=name)
    result = FeedParse()
    for index, post in enumerate(posts[:MAX_POSTS]):
        try:
            if not isinstance(post, dict):
                raise ValueError("not a post object")
            result.calls.append(_entry_call(_entry(post), source, name, programme))
        except (ValueError, TypeError, KeyError, ValidationError) as exc:
            why = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            reason = f"post {index}: {why}"
            logger.warning("%s: skipped %s", name, reason)
            result.skipped.append(reason)
    if len(posts) > MAX_POSTS:
        result.skipped.append(f"{len(posts) - MAX_POSTS} posts past the first {MAX_POSTS}")
    return result
