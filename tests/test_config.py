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


FIVE_MISTAKES = """\
name = "Marseille open data SME"
regoin = "FRL04"
keywords = "open data"
organisation_type = "SME"
prep_days = "ten"
languages = ["english"]
"""


def test_every_mistake_is_listed_with_its_line_in_words(tmp_path: Path) -> None:
    path = write(tmp_path, FIVE_MISTAKES)
    with pytest.raises(fm.ConfigError) as info:
        fm.load_profile(path)
    error = info.value
    assert [(p.line, p.field) for p in error.problems] == [
        (2, "regoin"),
        (3, "keywords"),
        (4, "organisation_type"),
        (5, "prep_days"),
        (6, "languages.0"),
    ]
    assert (error.line, error.field) == (2, "regoin")  # the first one
    assert str(error).splitlines() == [
        f"{path}: 5 mistakes",
        f"  {path}:2: field 'regoin': unknown field; did you mean 'region'?",
        f"  {path}:3: field 'keywords': expected a list of strings, got the string"
        ' "open data" (write ["open data"])',
        f"  {path}:4: field 'organisation_type': expected one of 'public-authority', 'sme',"
        " 'large-enterprise', 'research-organisation', 'university', 'ngo', 'cluster',"
        " 'international-organisation', 'individual', 'other', got the string \"SME\";"
        " did you mean 'sme'?",
        f"  {path}:5: field 'prep_days': expected a whole number, got the string \"ten\"",
        f"  {path}:6: field 'languages.0': 'english' is not a two-letter ISO 639-1 language code",
    ]
    assert "more error" not in str(error)
    assert "Input should be" not in str(error)


def test_expected_types_in_words(tmp_path: Path) -> None:
    cases = {
        'budget_max = "lots"': 'expected a number, got the string "lots"',
        "partners = 1.5": "expected a whole number, got the number 1.5",
        'instruments = "grant"': "expected a list of values from 'grant', 'tender', 'prize',"
        " 'loan', 'other', got the string \"grant\" (write [\"grant\"])",
        "exclude = [1, 2]": "expected a string, got the number 1",
        "country = 3": "expected a string, got the number 3",
    }
    for line, message in cases.items():
        with pytest.raises(fm.ConfigError) as info:
            fm.load_profile(write(tmp_path, f'name = "x"\n{line}\n'))
        assert info.value.problems[0].message == message
        assert info.value.line == 2


def test_unknown_field_without_a_near_name_gets_no_guess(tmp_path: Path) -> None:
    with pytest.raises(fm.ConfigError) as info:
        fm.load_profile(write(tmp_path, 'name = "x"\nzzzzzz = 1\n'))
    assert str(info.value).endswith("field 'zzzzzz': unknown field")


SUBSCRIPTIONS = """\
[[subscription]]
name = "first"
recipients = ["alice@example.org"]
[subscription.profile]
name = "One"

[[subscription]]
name = "second"
recipients = "bob@example.org"
min_score = 200
max_itmes = 5
[subscription.profile]
name = "Two"
regoin = "FRL04"
"""


def test_subscription_mistakes_are_all_listed_at_their_lines(tmp_path: Path) -> None:
    from fundmatch.digest import load_subscriptions

    path = tmp_path / "digest.toml"
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    with pytest.raises(fm.ConfigError) as info:
        load_subscriptions(path)
    assert [(p.line, p.field, p.message) for p in info.value.problems] == [
        (
            9,
            "subscription.1.recipients",
            "expected a list of strings, got the string"
            ' "bob@example.org" (write ["bob@example.org"])',
        ),
        (10, "subscription.1.min_score", "must be 100 or less, got the number 200"),
        (11, "subscription.1.max_itmes", "unknown field; did you mean 'max_items'?"),
        (14, "subscription.1.profile.regoin", "unknown field; did you mean 'region'?"),
    ]
