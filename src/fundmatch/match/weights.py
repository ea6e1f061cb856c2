"""Every number that shapes a score, in one place."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Weights"]


@dataclass(frozen=True, slots=True)
class Weights:
    """Every number that shapes a score, in one place. Points are out of 100.

    The defaults were chosen on the cordis-he dev split (see ``docs/matching.md``); change
    them with ``Matcher(calls, weights=Weights(keyword=20))``.
    """

    # lexical relevance (TF-IDF cosine over stems and stem bigrams)
    title: float = 3.0
    """How many times a word of the call's title counts against one of its description."""
    keywords: float = 3.0
    """The same for the call's keywords and tags."""
    profile_title: float = 2.0
    """How many times a word of the profile's name counts against one of its description."""
    profile_keywords: float = 1.0
    """The same for the profile's keywords."""
    bigrams: bool = True
    """Index adjacent stem pairs ("open data", "smart citi") beside single stems."""
    title_match: float = 0.2
    """Weight of the cosine with the call's title, keywords and tags alone, added to the cosine
    with the whole call: the *relevance* (learned on cordis-he dev queries)."""
    meaning: float = 0.07
    """With a :class:`~fundmatch.match.meaning.Meaning`: how much of the profile's best relevance
    by words a call gains (or loses) per standard deviation its closeness of meaning stands
    above (or under) the mean of the calls the words found (``meaning_among``; chosen on
    cordis-he dev short profiles), for a profile in English. 0 turns it off for them."""
    meaning_other: float = 0.15
    """The same for a profile written in another language than English, the calls' language
    (:attr:`fundmatch.match.query.ProfileQuery.lang`): the words meet such a profile only
    through the word table, so meaning counts more (fitted on the seed-like profiles rewritten
    in French, Italian, Spanish and Greek, which put 0.4 first; 0.15 is the most the hand-judged
    lists take without more off-topic calls at the minimum score: ``docs/matching.md``). 0
    turns it off for them."""
    meaning_among: int = 30
    """Closeness is measured against the calls the words found: the mean and spread of the
    ``meaning_among`` best by words. Meaning so re-orders those calls (as many gain as lose)
    and takes from the calls further away, and scores keep their meaning (the minimum score)."""
    phrase_word: float = 0.2
    """How much a profile word inside a theme phrase it contains counts alone (0 to 1)."""
    open_topic: float = 0.04
    """Relevance added to a call open to any field of research (ERA Fellowships, Twinning
    Bottom-Up; see ``match/opentopic.py``), less ``open_topic_share`` of its own relevance:
    such a call is at least a weak match for any profile. 0 turns it off."""
    open_topic_best: float = 0.8
    """At most this share of the relevance of the profile's best match is added instead, so
    that open-topic calls come after the calls that match the profile's own words well."""
    open_topic_calls: int = 2
    """How many open-topic calls are raised for a profile at most: those whose own words fit it
    best. The others are ranked by their words alone, so they do not fill every list."""
    open_topic_share: float = 0.5
    """How much of an open-topic call's own relevance still orders such calls among themselves."""
    instrument: float = 0.5
    """Relevance added to a call whose title names an instrument the profile names (Twinning,
    ERA Chairs, MSCA Doctoral Networks: ``match/instruments.py``), as a share of the
    profile's best relevance by words: the instrument is what the project asks for. 0 turns it
    off."""
    purpose: float = 0.5
    """The same for a call of an instrument made for what the profile says it sets out to do,
    when the profile does not name it ("strengthen the research capacity of our university":
    the Widening instruments; ``PURPOSES`` in ``match/instruments.py``). 0 turns it off."""
    lexical: float = 90.0
    """Points of the lexical factor: ``lexical * (1 - exp(-relevance / lexical_scale))``."""
    lexical_scale: float = 0.2
    """The relevance at which the lexical factor gives 63 % of its points."""
    # explained factors, computed for the best lexical candidates only
    keyword: float = 4.0
    """Points when every profile keyword matches the call's keywords, tags or title (pro rata)."""
    keyword_cutoff: float = 85.0
    """rapidfuzz similarity (0-100) from which a keyword counts as matched."""
    theme: float = 2.0
    """Points for shared themes of the multilingual vocabulary (``data/themes.toml``)."""
    theme_each: float = 1.0
    """Points per shared theme, up to ``theme``."""
    priority: float = 4.0
    """Points when the profile's words match a priority, specific objective or mission the
    call's programme funds (``Call.priorities``), pro rata of ``priority_full``."""
    priority_full: float = 0.3
    """The share of the profile's weighted words (TF-IDF, unit length) found in one priority
    that earns all of ``priority``."""
    priority_least: float = 0.12
    """The least share that counts: under it no priority is named (a programme's name word,
    "Mediterranean", alone weighs about 0.09 for a Mediterranean profile)."""
    candidates: int = 15
    """How many lexical candidates get the keyword and theme factors (re-ranked)."""
    # adjustments
    closing_soon_days: float = 14.0
    """A deadline fewer days away than this (but after the preparation time) costs points."""
    closing_soon: float = -3.0
    """Points for a deadline closing soon."""
    budget_fit: float = 2.0
    """Points when the call's per-project range overlaps the profile's budget."""
    # what is shown
    min_score: float = 12.5
    """Calls scoring below this are left out by ``rank`` (and so by ``match``, digests, exports
    and the report) unless a caller asks for another minimum (``docs/matching.md``)."""
