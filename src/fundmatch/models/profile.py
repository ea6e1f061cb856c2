"""A project profile: the project, as its leader describes it, to rank calls against."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator

from fundmatch import geo
from fundmatch.display import country_code
from fundmatch.models.base import (
    Amount,
    Country,
    FundmatchModel,
    Instrument,
    Language,
    NutsCode,
    OrganisationType,
)


class Profile(FundmatchModel):
    """A project, as its leader describes it, to rank calls against.

    Only ``name`` and ``description`` are required. Load one from TOML with
    :func:`fundmatch.load_profile`.
    """

    name: str = Field(min_length=1)
    """Short name of the project or organisation."""
    description: str = ""
    """What the project does, in any language."""
    keywords: tuple[str, ...] = ()
    """Keywords and phrases that must count, in any language (``open data``, ``smart city``)."""
    country: Country | None = None
    """Country where the organisation is established (ISO alpha-2; ``EL``/``UK`` accepted).
    Derived from ``region`` when only that is given."""
    region: NutsCode | None = None
    """NUTS region where the organisation is established (any level), e.g. ``FRL04``."""
    organisation_type: OrganisationType | None = None
    """What kind of organisation applies."""
    instruments: tuple[Instrument, ...] = ("grant",)
    """Which instruments it seeks; grants only by default."""
    budget_min: Amount | None = None
    """Smallest grant worth applying for."""
    budget_max: Amount | None = None
    """Largest grant the organisation can handle (and co-finance)."""
    prep_days: int = Field(default=0, ge=0)
    """Days needed to prepare an application; closer deadlines are ruled out."""
    languages: tuple[Language, ...] = ()
    """Languages the team works in (ISO 639-1)."""
    exclude: tuple[str, ...] = ()
    """Terms that rule a call out when they appear in it."""
    partner_countries: tuple[Country, ...] = ()
    """Countries where it already has partners."""
    partners: int | None = Field(default=None, ge=0)
    """How many partner organisations it already has (itself not counted)."""
    partner_names: tuple[str, ...] = ()
    """Names of the partner organisations it already has: left out of partner searches."""

    @model_validator(mode="after")
    def _country_from_region(self) -> Profile:
        if self.region is not None:
            own = geo.region_country(self.region)
            if self.country is None:
                object.__setattr__(self, "country", own)
            elif self.country != own:
                raise ValueError(_outside(self.region, self.country))
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise ValueError(_budget_order(self.budget_min, self.budget_max))
        return self

    @classmethod
    def cross_field_problems(cls, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The rules between fields, read on raw values (a TOML table): ``(field, message)``
        for each broken one, whatever else is wrong, so a file's mistakes are told at once
        (see :func:`fundmatch.config.validate`). Values that cannot be read are skipped."""
        found = []
        try:
            low, high = Decimal(str(data["budget_min"])), Decimal(str(data["budget_max"]))
        except (KeyError, ArithmeticError, ValueError, TypeError):
            pass
        else:
            if low.is_finite() and high.is_finite() and low > high:
                found.append(("budget_max", _budget_order(low, high)))
        region, country = data.get("region"), data.get("country")
        if isinstance(region, str) and isinstance(country, str):
            try:
                own, theirs = (
                    geo.region_country(geo.normalise_nuts(region)),
                    geo.normalise_country(country),
                )
            except ValueError:
                pass
            else:
                if own != theirs:
                    found.append(("region", _outside(region, theirs)))
        return found


def _budget_order(low: Decimal, high: Decimal) -> str:
    return f"budget_min ({low:,.0f}) is larger than budget_max ({high:,.0f})"


def _outside(region: str, country: str) -> str:
    return f"region {region} is not in country {country_code(country)}"
