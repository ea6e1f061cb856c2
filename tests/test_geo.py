"""Countries and NUTS regions: codes, names, hierarchy, the 2021 → 2024 mapping."""

from __future__ import annotations

import pytest

from fundmatch import geo


def test_region_knows_its_parents() -> None:
    marseille = geo.region("FRL04")
    assert marseille.name == "Bouches-du-Rhône"
    assert marseille.level == 3
    assert marseille.parents == ("FRL0", "FRL", "FR")
    assert marseille.parent == "FRL0"
    assert marseille.country == "FR"


def test_country_level_codes() -> None:
    france = geo.region("FR")
    assert france.level == 0
    assert france.parent is None
    assert france.parents == ()


def test_greek_regions_belong_to_gr() -> None:
    assert geo.region_country("EL30") == "GR"


@pytest.mark.parametrize(
    ("code", "area", "inside"),
    [
        ("FRL04", ["FRL0"], True),
        ("FRL04", ["FRL"], True),
        ("FRL04", ["FR"], True),
        ("FRL04", ["FRL04"], True),
        ("FR101", ["FRL"], False),  # Paris is not in Provence-Alpes-Côte d'Azur
        ("FRL0", ["FRL04"], False),  # a whole region is not inside one of its départements
        ("EL30", ["GR"], True),  # an area may use ISO codes
        ("EL30", ["EL"], True),
    ],
)
def test_is_within(code: str, area: list[str], inside: bool) -> None:
    assert geo.is_within(code, area) is inside


def test_2021_codes_are_mapped() -> None:
    assert geo.normalise_nuts("NL332") == "NL361"  # code change
    assert geo.normalise_nuts("nl361") == "NL361"


def test_discontinued_2021_code_falls_back_to_an_existing_ancestor() -> None:
    # DEG04 (Suhl) was discontinued by a boundary shift; its level-2 region still exists.
    assert geo.normalise_nuts("DEG04") == "DEG0"


@pytest.mark.parametrize("code", ["", "ZZ", "FRX99", "FR1011", "12"])
def test_unknown_nuts_codes(code: str) -> None:
    with pytest.raises(ValueError, match="NUTS"):
        geo.normalise_nuts(code)


def test_countries() -> None:
    assert geo.normalise_country("el") == "GR"
    assert geo.normalise_country("UK") == "GB"
    assert geo.normalise_country("TN") == "TN"  # NEXT MED partner countries are not NUTS
    assert geo.country_name("EL") == "Greece"
    assert geo.country_name("QQ") is None
    with pytest.raises(ValueError, match="ISO 3166"):
        geo.normalise_country("FRA")
