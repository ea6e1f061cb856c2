"""Countries (ISO 3166-1 alpha-2) and NUTS 2024 regions with their hierarchy.

The tables ship inside the package (``fundmatch/data/``, provenance in its README); they are
read once, on first use. Nothing here touches the network.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "Region",
    "countries",
    "country_name",
    "is_within",
    "normalise_country",
    "normalise_nuts",
    "region",
    "region_country",
]

# The EU writes Greece as EL and the United Kingdom as UK; ISO 3166-1 says GR and GB.
_EU_TO_ISO = {"EL": "GR", "UK": "GB"}
_ISO_TO_EU = {iso: eu for eu, iso in _EU_TO_ISO.items()}


@dataclass(frozen=True, slots=True)
class Region:
    """A NUTS 2024 region (level 1-3) or a country (level 0)."""

    code: str
    name: str
    level: int

    @property
    def country(self) -> str:
        """The ISO 3166-1 alpha-2 code of the region's country (``GR`` for ``EL``)."""
        return _EU_TO_ISO.get(self.code[:2], self.code[:2])

    @property
    def parent(self) -> str | None:
        """The code one level up, or None for a country."""
        return self.code[:-1] if self.level > 0 else None

    @property
    def parents(self) -> tuple[str, ...]:
        """Every code above this region, nearest first: FRL04 → (FRL0, FRL, FR)."""
        return tuple(self.code[:n] for n in range(len(self.code) - 1, 1, -1))


def _data(name: str) -> str:
    return resources.files("fundmatch").joinpath("data", name).read_text(encoding="utf-8")


@cache
def _countries() -> dict[str, str]:
    table = {}
    for line in _data("countries.tsv").splitlines():
        code, _, name = line.partition("\t")
        table[code] = name
    return table


@cache
def _regions() -> dict[str, Region]:
    table: dict[str, Region] = {}
    for row in csv.DictReader(_data("nuts2024.csv").splitlines()):
        code = row["nuts_code"]
        table[code] = Region(code, row["nuts_label"].strip(), int(row["nuts_level"]))
        country = row["country_code"]
        table.setdefault(country, Region(country, country_name(country) or country, 0))
    return table


@cache
def _nuts2021() -> dict[str, str | None]:
    """NUTS 2021 codes that are not NUTS 2024 codes → the 2024 code (None: discontinued)."""
    current = _regions()
    mapping: dict[str, str | None] = {}
    for row in csv.DictReader(_data("nuts2021_to_2024_correspondence.csv").splitlines()):
        old, new = row["code_2021"], row["code_2024"]
        if old and old not in current:
            mapping[old] = new or None
    return mapping


def normalise_country(code: str) -> str:
    """Return the ISO 3166-1 alpha-2 code for ``code``, accepting ``EL`` and ``UK``.

    Raises ValueError for anything that is not a country code.
    """
    upper = code.strip().upper()
    upper = _EU_TO_ISO.get(upper, upper)
    if upper not in _countries():
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return upper


def countries() -> dict[str, str]:
    """Every ISO 3166-1 alpha-2 code with its English name."""
    return dict(_countries())


def country_name(code: str) -> str | None:
    """The English name of a country code (ISO or EU form), or None if unknown."""
    upper = code.strip().upper()
    return _countries().get(_EU_TO_ISO.get(upper, upper))


def normalise_nuts(code: str) -> str:
    """Return the NUTS 2024 code for ``code``, mapping NUTS 2021 codes through Eurostat's table.

    A 2021 code discontinued in 2024 (boundary shift, merger) becomes its nearest ancestor that
    still exists, so an area never grows by the mapping. A two-letter NUTS country code (``FR``,
    ``EL``) is accepted as level 0. Raises ValueError for an unknown code.
    """
    upper = code.strip().upper()
    regions = _regions()
    if upper in regions:
        return upper
    if upper in _nuts2021():
        new = _nuts2021()[upper]
        if new:
            return new
        for ancestor in (upper[:n] for n in range(len(upper) - 1, 1, -1)):
            if ancestor in regions:
                return ancestor
    raise ValueError(f"{code!r} is not a NUTS 2024 (or 2021) region code")


def region(code: str) -> Region:
    """The :class:`Region` for a NUTS code (2021 codes are mapped to 2024)."""
    return _regions()[normalise_nuts(code)]


def region_country(code: str) -> str:
    """The ISO country code of a NUTS region: ``EL30`` → ``GR``."""
    return region(code).country


def is_within(code: str, area: tuple[str, ...] | list[str] | set[str]) -> bool:
    """True when NUTS region ``code`` is one of ``area``'s regions or lies inside one.

    ``area`` holds NUTS codes (any level, country codes included): FRL04 is within
    {"FRL0"}, within {"FRL"} and within {"FR"}; FR101 (Paris) is not within {"FRL"}.
    """
    own = region(code)
    wanted = {a.upper() for a in area}
    wanted |= {_ISO_TO_EU.get(a, a) for a in wanted}  # an area may say GR where NUTS says EL
    return own.code in wanted or any(p in wanted for p in own.parents)
