"""The registry of sources and programme facts in ``calls/``: models and loaders.

``calls/sources.toml`` lists where calls come from; ``calls/programmes.toml`` holds each
Interreg programme's cooperation area, co-financing rate and partnership rules with the
document they come from, and the general eligibility rules of the Portal programmes (Horizon
Europe, Digital Europe, ...) that calls inherit by programme and type of action (see
:mod:`fundmatch.sources.rules`). Both ship inside the wheel (``fundmatch/calls/``).
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, model_validator

from fundmatch.config import load_toml, validate
from fundmatch.errors import ConfigError
from fundmatch.models import (
    Country,
    FundmatchModel,
    HttpUrl,
    Instrument,
    Language,
    NutsCode,
    Rate,
    RequiredUrl,
)

logger = logging.getLogger(__name__)

__all__ = [
    "PORTAL_DETAILS_URL",
    "Programme",
    "ProgrammeRule",
    "Source",
    "SourceDefaults",
    "calls_path",
    "load_programmes",
    "load_sources",
    "programme_facts",
]


PORTAL_DETAILS_URL = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"
"""Where the Portal serves each topic's topicDetails document."""


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


TimeZone = Annotated[str, AfterValidator(_timezone)]


class SourceDefaults(FundmatchModel):
    """Facts a source lends to every call it reports, when the call does not state its own."""

    programme: str | None = None
    """Programme name given to the source's calls."""
    countries: tuple[Country, ...] = ()
    """Eligible countries (ISO alpha-2)."""
    regions: tuple[NutsCode, ...] = ()
    """Eligible NUTS regions."""
    co_financing_rate: Rate | None = None
    """Co-financing rate, a fraction (0.8 = 80 %)."""
    instrument: Instrument | None = None
    """Grant, tender, ... for every call of the source."""


def _feed_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    scheme = value.split(":", 1)[0].lower()
    if scheme not in ("http", "https", "file") or "://" not in value:
        raise ValueError(
            "only http:// and https:// links are accepted (file:// for a local feed, fetched"
            " only with --allow-local)"
        )
    return value


FeedUrl = Annotated[str | None, AfterValidator(_feed_url)]
"""A source's URL: http(s), or ``file://`` for a local feed (fetched only under
``Guard.local()``)."""


class Source(FundmatchModel):
    """One place calls come from: a Funding & Tenders Portal query or a programme's feed."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    """Short unique name, e.g. ``ftportal-horizon-cl4`` or ``euro-med-feed``."""
    kind: Literal["ftportal", "feed", "wp-json"]
    """``ftportal`` (the Portal's search API), ``feed`` (RSS/Atom) or ``wp-json`` (a WordPress
    site's ``wp-json/wp/v2/posts``)."""
    url: FeedUrl = None
    """Where to fetch: the feed URL, or the Portal search endpoint. A ``file://`` URL (a feed
    file on this machine) is accepted here but fetched only when a local feed is allowed
    (``fundmatch update --allow-local``)."""
    query: dict[str, Any] | None = None
    """For ``ftportal``: the search query (Elasticsearch-style JSON, sent as the ``query`` part)."""
    text: str = "***"
    """For ``ftportal``: the free-text search terms (``***`` matches everything)."""
    programme: str | None = None
    """Programme key in ``calls/programmes.toml`` whose facts the source's calls inherit."""
    language: Language = "en"
    """Language the source publishes in (ISO 639-1)."""
    timezone: TimeZone = "Europe/Brussels"
    """IANA time zone the source's dates are in when they carry none."""
    defaults: SourceDefaults = SourceDefaults()
    """Facts lent to every call of the source."""
    verified: bool = False
    """True when the URL was checked to answer with the expected format; False marks an
    entry written from the programme's published address but not fetched."""
    note: str = ""
    """Why the source is here, or what is known about it."""
    enabled: bool = True
    """False keeps the entry documented but skips it on update."""
    max_pages: int = Field(default=10, ge=1, le=100)
    """For ``ftportal``: the most result pages followed."""
    page_size: int = Field(default=100, ge=1, le=100)
    """For ``ftportal``: results per page."""
    details_url: HttpUrl = PORTAL_DETAILS_URL
    """For ``ftportal``: where each topic's topicDetails document is, ``<details_url><topic id
    in lower case>.json``; the document of every new or changed topic is fetched there.
    Empty: search facts only."""

    @model_validator(mode="after")
    def _url_or_query(self) -> Source:
        if self.url is None:
            raise ValueError("a source needs a url")
        if self.kind == "ftportal" and self.query is None:
            raise ValueError("an ftportal source needs a query")
        return self


class ProgrammeRule(FundmatchModel):
    """A general eligibility rule of a programme, from one dated document.

    A call of the programme whose type of action (and call identifier) the rule covers
    inherits the facts the rule states, where the call states none of its own.
    """

    action_types: tuple[str, ...] = ()
    """Types of action the rule covers, as the Portal names them (``HORIZON Research and
    Innovation Actions``; compared ignoring case and spacing). Empty: every call."""
    call_prefixes: tuple[str, ...] = ()
    """Call identifiers the rule covers, by prefix (``HORIZON-CL``). Empty: every call."""
    countries: tuple[Country, ...] = ()
    """Countries whose legal entities are eligible (for funding)."""
    countries_complete: bool = True
    """False when ``countries`` leaves some eligible countries out (the document's list was
    only partly transcribed, or names no associated countries): calls then lend the list as
    incomplete, and a country not in it is unknown rather than ruled out."""
    min_partners: int | None = Field(default=None, ge=1)
    """Smallest consortium: independent legal entities, applicant included."""
    min_countries: int | None = Field(default=None, ge=1)
    """Smallest number of different countries in the consortium."""
    co_financing_rate: Rate | None = None
    """Funding rate, a fraction of the eligible costs."""
    document: str = Field(min_length=1)
    """Title of the rule document, as it names itself."""
    url: RequiredUrl
    """Where the document (or the stored copy that was read) is."""
    read_on: date
    """The day the document was read."""
    note: str = ""
    """What the rule leaves out or how it was read."""

    @model_validator(mode="after")
    def _states_something(self) -> ProgrammeRule:
        if not (self.countries or self.min_partners or self.min_countries) and (
            self.co_financing_rate is None
        ):
            raise ValueError("a rule states at least one fact")
        return self


class Programme(FundmatchModel):
    """Facts of one programme, each from a named document."""

    key: str = Field(min_length=1)
    """Short key, e.g. ``euro-med``."""
    name: str = Field(min_length=1)
    """Official name, e.g. ``Interreg Euro-MED``."""
    countries: tuple[Country, ...] = ()
    """Countries whose whole territory is eligible."""
    regions: tuple[NutsCode, ...] = ()
    """NUTS regions eligible where a country is only partly covered."""
    co_financing_rate: Rate | None = None
    """Highest co-financing rate for partners from the EU (fraction)."""
    min_partners: int | None = Field(default=None, ge=1)
    """Smallest partnership."""
    min_countries: int | None = Field(default=None, ge=1)
    """Smallest number of different countries in a partnership."""
    complete_area: bool = True
    """False when ``countries`` and ``regions`` are not the whole cooperation area (e.g. only
    some coastal NUTS 3 territories were transcribed): calls then do not inherit the area,
    which stays unknown rather than wrongly narrow."""
    partnership: str = ""
    """The partnership rules in words."""
    note: str = ""
    """What is uncertain or how the facts were read."""
    url: HttpUrl = None
    """The programme's website."""
    documents: tuple[str, ...] = Field(min_length=1)
    """The documents the facts come from (title and URL)."""
    aliases: tuple[str, ...] = ()
    """Other names calls give the programme (``EDF`` for the European Defence Fund)."""
    rules: tuple[ProgrammeRule, ...] = ()
    """General eligibility rules calls of the programme inherit, each from a dated document."""


class _Registry(FundmatchModel):
    sources: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> _Registry:
        names = [s.name for s in self.sources]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"source names must be unique: {', '.join(doubles)}")
        return self


class _Programmes(FundmatchModel):
    programmes: dict[str, Programme] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("programmes"), dict):
            data = dict(data)
            data["programmes"] = {
                key: {"key": key, **value} if isinstance(value, dict) else value
                for key, value in data["programmes"].items()
            }
        return data


def calls_path(name: str) -> Path:
    """A file of the bundled ``calls/`` folder: in the installed package, else the repository's."""
    packaged = resources.files("fundmatch").joinpath("calls", name)
    if packaged.is_file():
        return Path(str(packaged))
    repository = Path(__file__).resolve().parents[3] / "calls" / name
    if repository.is_file():
        return repository
    raise ConfigError("not found in the package or the repository", path=f"calls/{name}")


def load_sources(path: str | Path | None = None) -> list[Source]:
    """The validated source registry (default: the bundled ``calls/sources.toml``)."""
    path = calls_path("sources.toml") if path is None else Path(path)
    data, text = load_toml(path)
    return list(validate(_Registry, data, path=path, text=text).sources)


def load_programmes(path: str | Path | None = None) -> dict[str, Programme]:
    """Programme facts by key (default: the bundled ``calls/programmes.toml``)."""
    path = calls_path("programmes.toml") if path is None else Path(path)
    data, text = load_toml(path)
    return dict(validate(_Programmes, data, path=path, text=text).programmes)


@cache
def _bundled_programmes() -> dict[str, Programme]:
    return load_programmes()


def programme_facts(source: Source) -> Programme | None:
    """The bundled facts of ``source``'s programme, which its calls inherit (None when it
    names none, or when the facts cannot be read: a warning is logged)."""
    if source.programme is None:
        return None
    try:
        return _bundled_programmes().get(source.programme)
    except ConfigError:
        logger.warning("programme facts unavailable for %s", source.name)
        return None
