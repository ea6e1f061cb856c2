"""Facts read from call text in English, French, Italian, Spanish and Greek."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import fundmatch as fm
from fundmatch.sources.extract import (
    clean_text,
    find_budget,
    find_co_financing_rate,
    find_deadlines,
    find_partnership,
    repair_mojibake,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize(
    ("text", "expected", "time_stated"),
    [
        ("Deadline: 12 June 2024, 13:00 CET", datetime(2024, 6, 12, 13, 0), True),
        ("date limite : 12 juin 2024", datetime(2024, 6, 12, 23, 59), False),
        ("Date limite de dépôt : 1er juillet 2024 à 12h00", datetime(2024, 7, 1, 12, 0), True),
        ("scadenza 12 giugno 2024 ore 13:00", datetime(2024, 6, 12, 13, 0), True),
        ("plazo: 12 de junio de 2024", datetime(2024, 6, 12, 23, 59), False),
        ("Προθεσμία υποβολής: 12 Ιουνίου 2024, ώρα 13:00", datetime(2024, 6, 12, 13, 0), True),
        ("The call closes on June 12, 2024", datetime(2024, 6, 12, 23, 59), False),
        ("Submission deadline 12/06/2024 17:00", datetime(2024, 6, 12, 17, 0), True),
    ],
)
def test_deadlines_in_five_languages(text: str, expected: datetime, time_stated: bool) -> None:
    (deadline,) = find_deadlines(text)
    assert deadline.at == expected.replace(tzinfo=BRUSSELS)
    assert deadline.timezone == "Europe/Brussels"
    assert (deadline.label is None) == time_stated


def test_a_stated_zone_wins_over_the_source_zone() -> None:
    (deadline,) = find_deadlines("Deadline: 3 March 2025 at 12:00 UTC", timezone="Europe/Rome")
    assert deadline.timezone == "UTC"
    (local,) = find_deadlines("scadenza 3 marzo 2025 ore 12:00", timezone="Europe/Rome")
    assert local.timezone == "Europe/Rome"


def test_dates_without_a_deadline_word_are_not_deadlines() -> None:
    assert find_deadlines("Published on 3 May 2024. Info day: 10 May 2024.") == []
    assert find_deadlines("Deadline: 31 February 2024") == []


@pytest.mark.parametrize(
    ("text", "total", "maximum"),
    [
        ("Total budget: EUR 2.5 million", "2500000", None),
        ("Budget 2,5 M€", "2500000", None),
        ("dotazione finanziaria di 3 milioni di euro", "3000000", None),
        ("presupuesto de 2,5 millones de euros", "2500000", None),
        ("προϋπολογισμός 2,5 εκατ. ευρώ", "2500000", None),
        ("Projects receive up to €500,000 each", None, "500000"),
        ("jusqu'à 1 200 000 € par projet", None, "1200000"),
        ("enveloppe de 1.250.000,50 €", "1250000.50", None),
    ],
)
def test_budgets(text: str, total: str | None, maximum: str | None) -> None:
    budget = find_budget(text)
    assert budget.total == (Decimal(total) if total else None)
    assert budget.per_project_max == (Decimal(maximum) if maximum else None)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("80 % co-financing", "0.8"),
        ("ERDF co-financing rate of 80%", "0.8"),
        ("taux de cofinancement FEDER de 80 %", "0.8"),
        ("cofinanziamento FESR all'85%", "0.85"),
        ("tasa de cofinanciación del 75 %", "0.75"),
        ("ποσοστό συγχρηματοδότησης 80%", "0.8"),
        ("Interest rate 3 %; no subsidy", None),
    ],
)
def test_co_financing_rates(text: str, rate: str | None) -> None:
    assert find_co_financing_rate(text) == (Decimal(rate) if rate else None)


def test_partnership_rules() -> None:
    text = "at least three independent legal entities, each established in a different Member State"
    assert find_partnership(text) == (3, 3)
    assert find_partnership("A project must involve at least two beneficiaries") == (2, None)
    assert find_partnership("no rule here") == (None, None)


def test_clean_text_drops_markup_controls_and_bidi() -> None:
    html = "<p>Open&nbsp;<b>data</b></p><script>alert(1)</script><p>\u202egnp.exe\u200b\x07 ok</p>"
    assert clean_text(html) == "Open data\n\ngnp.exe ok"
    assert clean_text("R&amp;I\u00a0actions") == "R&I actions"
    assert clean_text(None) == ""


def test_blocks_glued_when_their_markup_was_dropped_get_their_space_back() -> None:
    # HORIZON-MISS-2027-04-CIT-02 "Hydrogen cities", as the normalised Portal data gives it.
    real = "Expected Outcome:A growing number of cities across Europe is developing hydrogen"
    assert clean_text(real).startswith("Expected Outcome: A growing number")
    assert clean_text("<strong>Scope:</strong>The action") == "Scope: The action"
    assert (
        clean_text("eligible activities.Proposals should")
        == "eligible activities. Proposals should"
    )
    # Links, initials, numbers and times keep their dots and colons.
    kept = "See https://ec.europa.eu/Info.Page, U.S.A., 3.5 M EUR, 10:30 CET, e.g. Ph.D. students"
    assert clean_text(kept) == kept


def test_the_snapshot_descriptions_have_their_spaces() -> None:
    hydrogen = next(c for c in fm.load_snapshot() if c.id == "HORIZON-MISS-2027-04-CIT-02")
    assert hydrogen.description.startswith("Expected Outcome: A growing number of cities")
    assert not any("Outcome:A" in c.description for c in fm.load_snapshot())


def test_mojibake_is_repaired_and_good_text_left_alone() -> None:
    assert repair_mojibake("â€œSmart citiesâ€\x9d â€“ RÃ©gion") == "“Smart cities” – Région"
    assert repair_mojibake("Région Provence-Alpes-Côte d’Azur") == (
        "Région Provence-Alpes-Côte d’Azur"
    )
