"""Profiles from TOML files: good files load, bad files name the file, the field and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

import fundmatch as fm

GOOD = """\
name = "Marseille open data SME"
description = "We publish open data for the city of Marseille."
keywords = ["open data", "smart city"]
region = "FRL04"
organisation_type = "sme"
budget_max = 300000
prep_days = 30
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_profile(tmp_path: Path) -> None:
    profile = fm.load_profile(write(tmp_path, GOOD))
    assert profile.name == "Marseille open data SME"
    assert profile.country == "FR"
    assert profile.keywords == ("open data", "smart city")


def test_profile_under_a_table(tmp_path: Path) -> None:
    profile = fm.load_profile(write(tmp_path, "[profile]\n" + GOOD))
    assert profile.region == "FRL04"


def test_bad_value_names_file_field_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('region = "FRL04"', 'region = "FRL99"'))
    with pytest.raises(fm.ConfigError) as info:
        fm.load_profile(path)
    error = info.value
    assert error.path == str(path)
    assert error.field == "region"
    assert error.line == 4
    assert str(error).startswith(f"{path}:4: field 'region': ")
    assert "NUTS" in str(error)


def test_unknown_field(tmp_path: Path) -> None:
    with pytest.raises(fm.ConfigError, match=r":2: field 'budgte': unknown field"):
        fm.load_profile(write(tmp_path, 'name = "x"\nbudgte = 3\n'))


def test_missing_field_has_no_line(tmp_path: Path) -> None:
    with pytest.raises(fm.ConfigError) as info:
        fm.load_profile(write(tmp_path, 'description = "no name"\n'))
    assert info.value.field == "name"
    assert info.value.line is None
    assert "required" in str(info.value)


def test_not_toml(tmp_path: Path) -> None:
    with pytest.raises(fm.ConfigError, match="not valid TOML") as info:
        fm.load_profile(write(tmp_path, 'name = "x"\nkeywords = [1,,]\nprep_days = 3\n'))
    assert info.value.line == 2
    with pytest.raises(fm.ConfigError, match="not valid TOML") as info:
        fm.load_profile(write(tmp_path, 'name = "x"\nkeywords = [\n'))
    assert info.value.line == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(fm.ConfigError, match="file not found"):
        fm.load_profile(tmp_path / "nope.toml")


def test_config_error_is_a_value_error() -> None:
    assert issubclass(fm.ConfigError, ValueError)
    assert issubclass(fm.ConfigError, fm.FundmatchError)
