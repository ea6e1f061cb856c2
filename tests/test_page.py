"""A page of a ranking is the head of the whole list, whatever its length."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.config import load_profile
from fundmatch.match.score import KeywordTargets

PROFILES = Path(__file__).resolve().parents[1] / "calls" / "profiles"
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
EXAMPLES = (
    "marseille-open-data-sme",
    "greek-municipality-climate-adaptation",
    "mediterranean-smart-city-department",
    "odeon-open-data-cluster",
)


@pytest.fixture(scope="module")
def matcher() -> fm.Matcher:
    return fm.Matcher(fm.load_snapshot())


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("include_closed", [False, True])
@pytest.mark.parametrize("include_blocked", [False, True])
def test_a_page_is_the_head_of_the_whole_list(
    matcher: fm.Matcher, name: str, include_closed: bool, include_blocked: bool
) -> None:
    # Calls stating priorities (the Interreg calls of the Marseille and Greek profiles) are
    # scored whatever their relevance; the others until no call left could enter the page.
    profile = load_profile(PROFILES / f"{name}.toml")
    options = {"now": NOW, "include_closed": include_closed, "include_blocked": include_blocked}
    whole = [(m.call.id, m.score) for m in matcher.rank(profile, limit=None, **options)]
    for limit in (1, 3, 10, 25):
        page = [(m.call.id, m.score) for m in matcher.rank(profile, limit=limit, **options)]
        assert page == whole[:limit]


def test_a_title_read_by_the_index_has_the_stems_the_keyword_matcher_reads(
    matcher: fm.Matcher,
) -> None:
    # The page's bound on a call's keyword points reads its title through the index's word
    # table; it is sound only if that gives the stems the keyword matcher compares.
    lexicon = matcher.index.lexicon
    for row, call in enumerate(matcher.calls):
        lang = matcher.index.langs[row]
        by_matcher = set(KeywordTargets.of(call, lang).stem_set) - {""}
        assert {lexicon.stems[i] for i in lexicon.ids(call.title, lang)} == by_matcher, call.id
