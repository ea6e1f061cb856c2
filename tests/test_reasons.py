"""What a reason quotes, a reader can find: whole words or phrases of the call's text and of
the profile's own (its name, keywords and description), never a stop word, a fragment of a word
or a pair read across a comma or an "and"."""

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.config import load_profile
from fundmatch.sources.snapshot import load_snapshot

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).parents[1]
CROSSLANG = Path(__file__).parent / "data" / "reasons" / "crosslang-profiles.toml"


def example_profiles() -> list[fm.Profile]:
    return [load_profile(p) for p in sorted((ROOT / "calls" / "profiles").glob("*.toml"))]


def crosslang_profiles() -> list[fm.Profile]:
    """The cross-language benchmark's profiles, made as the benchmark makes them."""
    cases = tomllib.loads(CROSSLANG.read_text(encoding="utf-8"))["case"]
    return [
        fm.Profile(
            name=case[lang][0].split(";")[0][:80],
            description=case[lang][0],
            keywords=tuple(k.strip() for k in case[lang][1].split(",")),
        )
        for case in cases
        for lang in ("en", "fr", "it", "es", "el")
    ]


QUOTE = re.compile(r"'([^']+)'")
# The factor's evidence → (the profile's quotes, the call's quotes).
SIDES = {
    "lexical": re.compile(r"'(?P<call>[^']+)'(?: \(the profile: '(?P<profile>[^']+)'\))?"),
    "theme": re.compile(
        r"the profile says (?P<profile>(?:'[^']+'(?:, )?)+), the call (?P<call>(?:'[^']+'(?:, )?)+)"
    ),
    "keyword": re.compile(
        r"'(?P<profile>[^']+)' is (?:the call's (?:keyword|tag) '(?P<call>[^']+)'"
        r"|in the call's title \('(?P<title>[^']+)'\))"
    ),
    "instrument": re.compile(r"it says '(?P<profile>[^']+)'"),
    "purpose": re.compile(r"the profile says '(?P<profile>[^']+)'"),
}
NOT_A_PHRASE = {"and", "or", "of", "the", "for", "to", "in", "de", "la", "le", "et", "di", "e"}


def quotes(reason: fm.Reason) -> tuple[list[str], list[str]]:
    pattern = SIDES.get(reason.factor)
    if pattern is None:
        return [], []
    mine: list[str] = []
    theirs: list[str] = []
    for found in pattern.finditer(reason.evidence):
        groups = found.groupdict()
        call = groups.get("call") or groups.get("title")
        profile = groups.get("profile")
        if reason.factor == "lexical" and profile is None:
            # One quote: the profile's words (the call's, written alike but for case, or the
            # profile's for a word the call writes further in its description).
            profile, call = (call.casefold() if call else None), None
        for text, side in ((profile, mine), (call, theirs)):
            if text:
                side.extend(QUOTE.findall(text) if text.startswith("'") else [text])
    return mine, theirs


def stands_in(phrase: str, texts: list[str]) -> bool:
    """Whole words of one of ``texts`` (in any case when ``phrase`` is in lower case only
    because the reason quotes it as the call writes it)."""
    flags = re.IGNORECASE if phrase.islower() else 0
    pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", flags)
    return any(pattern.search(text) for text in texts)


@pytest.fixture(scope="module")
def matcher() -> fm.Matcher:
    return fm.Matcher(load_snapshot())


@pytest.mark.parametrize(
    "profiles", [example_profiles, crosslang_profiles], ids=["examples", "crosslang"]
)
def test_every_quoted_phrase_stands_in_the_text_it_is_quoted_from(
    matcher: fm.Matcher, profiles: object
) -> None:
    assert callable(profiles)
    wrong: list[str] = []
    checked = 0
    for profile in profiles():
        own = [profile.name, *profile.keywords, profile.description]
        for match in matcher.rank(profile, now=NOW, limit=10, include_closed=True):
            call = match.call
            text = [call.title, *call.keywords, *call.tags, call.description]
            for reason in match.reasons:
                mine, theirs = quotes(reason)
                for phrase in mine:
                    checked += 1
                    if not stands_in(phrase, own):
                        wrong.append(f"{profile.name} / {call.id}: profile '{phrase}'")
                for phrase in theirs:
                    checked += 1
                    if not stands_in(phrase, text):
                        wrong.append(f"{profile.name} / {call.id}: call '{phrase}'")
                for phrase in mine + theirs:
                    words = phrase.casefold().split()
                    letters = sum(c.isalpha() for c in phrase)
                    if words[0] in NOT_A_PHRASE or words[-1] in NOT_A_PHRASE or letters < 2:
                        wrong.append(f"{profile.name} / {call.id}: fragment '{phrase}'")
    assert checked > 300
    assert wrong == [], "\n".join(wrong)


def test_a_reason_quotes_no_fragment_stop_word_or_pair_across_an_and() -> None:
    profile = fm.Profile(
        name="Civic tech association",
        description="We want to foster digital inclusion and social innovation with co-creation "
        "workshops; technologies, civic participation and e-government services for citizens.",
    )
    call = fm.Call(
        id="CERV-2026-CITIZENS",
        title="Civic participation and digital inclusion",
        description="Projects want to strengthen social innovation, co-design and digital "
        "inclusion, with civic technologies for citizens and public services.",
    )
    (match,) = fm.Matcher([call]).rank(profile, now=NOW, min_score=0)
    lexical = next(r for r in match.reasons if r.factor == "lexical")
    said = QUOTE.findall(lexical.evidence)
    assert "digital inclusion" in said
    assert "civic participation" in said or "Civic participation" in said
    for fragment in ("co", "want", "inclusion and social", "technologies civic", "e"):
        assert fragment not in said
