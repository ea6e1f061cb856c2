"""WordPress programme sites: the RSS under /feed/ and the JSON under wp-json/wp/v2/posts.

The answers in ``tests/data/wordpress/`` are samples built from WordPress's documented formats
(see the README there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import fundmatch as fm
from fundmatch.sources.http import Request, Response
from fundmatch.sources.wpjson import parse_wp_posts

DATA = Path(__file__).parent / "data" / "wordpress"
BRUSSELS = ZoneInfo("Europe/Brussels")
SECOND_CALL = "https://interreg-euro-med.eu/?p=4242"


def _source(kind: str = "feed") -> fm.Source:
    path = "feed/" if kind == "feed" else "wp-json/wp/v2/posts?per_page=100"
    return fm.Source(
        name=f"euro-med-{kind}",
        kind=kind,  # type: ignore[arg-type]
        url=f"https://interreg-euro-med.eu/en/{path}",
        programme="euro-med",
        defaults={"programme": "Interreg Euro-MED", "instrument": "grant"},
    )


def test_the_rss_reads_the_whole_post_from_content_encoded() -> None:
    calls = fm.parse_feed((DATA / "feed-rss2.xml").read_bytes(), source=_source())
    second = next(c for c in calls if c.id == SECOND_CALL)
    assert second.title.startswith("The 2nd call for proposals is open: thematic projects –")
    # The deadline is only in content:encoded (the description is an excerpt).
    assert [d.at for d in second.deadlines] == [datetime(2022, 10, 27, 13, 0, tzinfo=BRUSSELS)]
    assert "Specific objective 2.6" in second.description
    assert second.url == "https://interreg-euro-med.eu/en/the-2nd-call-for-proposals-is-open/"
    assert second.tags == ("Calls", "Get involved")
    assert second.published == datetime(2022, 6, 27, 10, 15, 2, tzinfo=UTC)
    assert second.programme == "Interreg Euro-MED"


def test_wp_json_posts_become_the_same_calls_as_the_rss() -> None:
    result = parse_wp_posts((DATA / "wp-v2-posts.json").read_bytes(), source=_source("wp-json"))
    (skipped,) = result.skipped
    assert "password-protected" in skipped
    by_id = {c.id: c for c in result.calls}
    rss = {c.id: c for c in fm.parse_feed((DATA / "feed-rss2.xml").read_bytes(), source=_source())}
    assert set(by_id) == set(rss)  # guid.rendered is the RSS guid: one call read both ways
    second = by_id[SECOND_CALL]
    assert second.title == rss[SECOND_CALL].title
    assert second.deadlines == rss[SECOND_CALL].deadlines
    assert second.published == datetime(2022, 6, 27, 10, 15, 2, tzinfo=UTC)
    assert second.updated == datetime(2022, 6, 28, 7, 1, 44, tzinfo=UTC)
    assert second.languages == ("en",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"code":"rest_no_route","message":"No route was found","data":{"status":404}}',
            "rest_no_route",
        ),
        (b'{"posts": []}', "not a WordPress list of posts"),
        (b"<html>", "not JSON"),
    ],
)
def test_an_answer_that_is_not_a_list_of_posts_is_a_parse_error(body: bytes, message: str) -> None:
    with pytest.raises(fm.ParseError, match=message):
        parse_wp_posts(body, source="wp")


def test_a_wp_json_source_updates_the_store() -> None:
    body = (DATA / "wp-v2-posts.json").read_bytes()
    source = _source("wp-json")

    def fetch(request: Request) -> Response:
        assert request.url == source.url
        return Response(url=request.url, status=200, body=body, etag='"v1"')

    with fm.Store(":memory:") as store:
        (result,) = fm.update(store, [source], now=datetime(2022, 7, 1, tzinfo=UTC), fetch=fetch)
        assert result.ok and result.new == 2 and len(result.skipped) == 1
        assert {c.id for c in store.calls()} == {
            SECOND_CALL,
            "https://interreg-euro-med.eu/?p=3107",
        }


def test_the_registry_accepts_wp_json_sources() -> None:
    kinds = {source.kind for source in fm.load_sources()}
    assert "wp-json" in kinds
