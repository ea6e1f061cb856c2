"""Shared types of the data model: the base model, the Literal vocabularies and the
reusable field types (countries, NUTS codes, links, languages, amounts, rates)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from fundmatch import geo

Instrument = Literal["grant", "tender", "prize", "loan", "other"]
"""How the money is given: grant, public tender (procurement), prize, loan or financial
instrument, or something else."""

CallStatus = Literal["forthcoming", "open", "closed", "unknown"]
CallKind = Literal["topic", "call for proposals", "cascade"]
"""What the Funding & Tenders Portal lists: a topic of a work programme, a call for proposals
(EU External Action and other calls without topics), or a cascade-funding call (an open call of
an EU-funded project passing small grants to third parties)."""
DeadlineModel = Literal["single-stage", "two-stage", "multiple cut-off"]
OrganisationType = Literal[
    "public-authority",
    "sme",
    "large-enterprise",
    "research-organisation",
    "university",
    "ngo",
    "cluster",
    "international-organisation",
    "individual",
    "other",
]


class FundmatchModel(BaseModel):
    """Base of every model: immutable, unknown fields rejected, docstrings in the schema."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
    )


# --- reusable field types -------------------------------------------------------------


def _country(value: str) -> str:
    return geo.normalise_country(value)


def _nuts(value: str) -> str:
    return geo.normalise_nuts(value)


def _http_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    scheme = value.split(":", 1)[0].lower()
    if scheme not in ("http", "https") or "://" not in value:
        raise ValueError("only http:// and https:// links are accepted")
    return value


def _language(value: str) -> str:
    code = value.strip().lower()
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise ValueError(f"{value!r} is not a two-letter ISO 639-1 language code")
    return code


Country = Annotated[str, AfterValidator(_country)]
NutsCode = Annotated[str, AfterValidator(_nuts)]
HttpUrl = Annotated[str | None, AfterValidator(_http_url)]
RequiredUrl = Annotated[str, Field(min_length=1), AfterValidator(_http_url)]
Language = Annotated[str, AfterValidator(_language)]
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Rate = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{field} must carry a time zone (got a naive datetime)")
    return value
