"""What Interreg programmes fund, in what is matched and shown; a partnership as a gap to close.

The Marseille open-data SME and the Greek municipality on climate adaptation are the example
profiles in ``calls/profiles/``; the calls are the bundled snapshot's, whose Interreg calls are
read from ``calls/snapshot/interreg.toml``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.match import partnership_gap
from fundmatch.match.priorities import priority_label
from fundmatch.ranking import build_matcher
from fundmatch.sources.snapshot import dump_snapshot, load_snapshot
from fundmatch.sources.transcribed import parse_transcribed

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "calls" / "profiles"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

PROGRAMME = """
[[programmes]]
name = "Interreg Euro-MED"
priorities = [
  { code = "2", name = "A Greener Mediterranean" },
  { code = "2.4", kind = "specific objective", name = "Promoting climate change adaptation" },
  { code = "3", name = "Mediterranean Governance" },
  { code = "Mission 3", kind = "mission", name = "Green areas", description = "energy, mobility" },
]

[[programmes.sources]]
url = "https://interreg-euro-med.eu/en/what-we-do/"
read_on = 2026-12-07
priorities = ["2", "2.4", "3"]

[[programmes.sources]]
url = "https://www.mrrb.bg/en/priorities/"
read_on = 2026-12-06
priorities = ["Mission 3"]
note = "the ministry's page on the programme"
"""

CALL = """
[[calls]]
id = "interreg-euro-med-call-9"
title = "Interreg Euro-MED – ninth call"
programme = "Interreg Euro-MED"
{priorities}
[[calls.sources]]
facts = ["title"]
url = "https://interreg-euro-med.eu/call-9"
read_on = 2026-12-07
"""


def transcribed(programme: str = PROGRAMME, priorities: str = "") -> list[fm.Call]:
    return parse_transcribed(programme + CALL.replace("{priorities}", priorities))


@pytest.fixture(scope="module")
def matcher() -> fm.Matcher:
    return fm.Matcher(fm.load_snapshot())


def profile(name: str) -> fm.Profile:
    return fm.load_profile(PROFILES / f"{name}.toml")


# --- the transcribed format -----------------------------------------------------------------


def test_a_call_carries_its_programme_priorities_each_with_its_page() -> None:
    (call,) = transcribed()

    assert [p.code for p in call.priorities] == ["2", "2.4", "3", "Mission 3"]
    objective = call.priorities[1]
    assert objective.kind == "specific objective"
    assert objective.url == "https://interreg-euro-med.eu/en/what-we-do/"
    assert objective.read_on == date(2026, 12, 7)
    mission = call.priorities[3]
    assert (mission.url, mission.read_on) == (
        "https://www.mrrb.bg/en/priorities/",
        date(2026, 12, 6),
    )
    assert mission.description == "energy, mobility"
    # Each page becomes a FactSource for the priorities, beside the call's own pages.
    pages = [(s.url, s.note) for s in call.fact_sources if "priorities" in s.facts]
    assert pages == [
        ("https://interreg-euro-med.eu/en/what-we-do/", ""),
        ("https://www.mrrb.bg/en/priorities/", "the ministry's page on the programme"),
    ]
    assert objective.label() == ("specific objective 2.4 'Promoting climate change adaptation'")
    assert mission.label() == "Mission 3 'Green areas'"
    assert fm.Priority(name="Innovation", url="https://a.eu/", read_on=NOW.date()).label() == (
        "priority 'Innovation'"
    )


def test_a_specific_objective_is_quoted_with_its_priority_when_the_call_has_it() -> None:
    (call,) = transcribed()
    objective = call.priorities[1]

    assert priority_label(objective, call.priorities) == (
        "priority 2 'A Greener Mediterranean', "
        "specific objective 2.4 'Promoting climate change adaptation'"
    )
    # Euro-MED's objective 6.6 belongs to its priority 3: no priority "6" to name.
    governance = objective.model_copy(update={"code": "6.6", "name": "Better governance"})
    assert priority_label(governance, call.priorities) == (
        "specific objective 6.6 'Better governance'"
    )


def test_a_call_open_to_some_priorities_names_them() -> None:
    (call,) = transcribed(priorities='priorities = ["2", "2.4"]')

    assert [p.code for p in call.priorities] == ["2", "2.4"]
    assert [s.url for s in call.fact_sources if "priorities" in s.facts] == [
        "https://interreg-euro-med.eu/en/what-we-do/"
    ]
    # A programme without a table gives its calls no priorities.
    (bare,) = transcribed(programme="")
    assert bare.priorities == ()
    assert "priorities" not in bare.model_dump(mode="json")


@pytest.mark.parametrize(
    ("programme", "priorities", "error"),
    [
        (PROGRAMME, 'priorities = ["9.9"]', "not priorities of Interreg Euro-MED: 9.9"),
        ("", 'priorities = ["2"]', "no \\[\\[programmes\\]\\] table for 'Interreg Euro-MED'"),
        (
            PROGRAMME.replace('priorities = ["Mission 3"]', 'priorities = ["Mission 3", "7"]'),
            "",
            "sources name no priority of the programme: 7",
        ),
        (
            PROGRAMME.replace('priorities = ["2", "2.4", "3"]', 'priorities = ["2", "2.4"]'),
            "",
            "no \\[\\[programmes.sources\\]\\] entry covers: 3",
        ),
        (
            PROGRAMME.replace('{ code = "3"', '{ code = "2.4"'),
            "",
            "priorities named twice: 2.4",
        ),
        (PROGRAMME + PROGRAMME, "", "the programme is transcribed twice"),
        ('programmes = "Euro-MED"\n', "", "must be \\[\\[programmes\\]\\] tables"),
    ],
)
def test_a_wrong_programme_table_names_the_file_and_the_programme(
    programme: str, priorities: str, error: str
) -> None:
    with pytest.raises(fm.ConfigError, match=error) as caught:
        transcribed(programme, priorities)
    if "programme" in str(caught.value) and "transcribed twice" in error:
        assert caught.value.line == 3  # where the programme's name stands


def test_a_programme_table_error_names_its_line_and_field() -> None:
    bad = PROGRAMME.replace('kind = "mission"', 'kind = "axis"')
    with pytest.raises(fm.ConfigError, match="programme 'Interreg Euro-MED'") as caught:
        transcribed(bad)
    assert caught.value.line == 3
    assert caught.value.field == "programmes.priorities.3.kind"


def test_the_bundled_snapshot_reads_the_transcribed_calls_from_their_files(
    tmp_path: Path,
) -> None:
    calls = {c.id: c for c in load_snapshot()}

    euro_med = calls["interreg-euro-med-call-5"]
    assert {p.code for p in euro_med.priorities} >= {"1", "1.1", "2", "2.4", "Mission 3"}
    assert "3" not in {p.code for p in euro_med.priorities}  # governance projects: not this call
    assert [
        p.name for p in calls["interreg-next-med-call-1"].priorities if p.kind == "priority"
    ] == [
        "A more competitive and smarter Mediterranean",
        "A greener, low-carbon and resilient Mediterranean",
        "A more social and inclusive Mediterranean",
        "A better cooperation governance for the Mediterranean",
    ]
    # A snapshot file of one's own is read as it is.
    path = tmp_path / "calls.jsonl.gz"
    dump_snapshot([euro_med.model_copy(update={"priorities": ()})], path)
    (own,) = load_snapshot(path)
    assert own.priorities == ()


# --- what is matched and shown --------------------------------------------------------------


def test_the_marseille_sme_finds_a_euro_med_call_with_the_programme_priority_it_matches(
    matcher: fm.Matcher,
) -> None:
    marseille = profile("marseille-open-data-sme")

    # The list at the default minimum: with the snapshot's closed cascade-funding calls (data
    # space and local digital twin pilots) above it, Euro-MED is just past the first page.
    matches = matcher.rank(marseille, now=NOW, include_closed=True, limit=None)

    euro_med = [m for m in matches if m.call.programme == "Interreg Euro-MED"]
    assert euro_med, [m.call.id for m in matches]
    best = euro_med[0]
    assert best.blockers == ()
    assert best.score >= fm.Weights().min_score
    (reason,) = [r for r in best.reasons if r.factor == "priority"]
    assert reason.points > 0
    # The priority the profile matches, with what it covers (interreg.eu's page): an SME on
    # the uptake of new technologies; and the mission its cities' energy and mobility fall in.
    assert reason.evidence.startswith(
        "Interreg Euro-MED funds Mission 3 'Green residential areas' and priority 1 'A Smarter "
        "Mediterranean', specific objective 1.1 'Developing and enhancing research and "
        "innovation capacities and the uptake of advanced technologies': the profile says "
    ), reason.evidence
    assert "'mobility'" in reason.evidence and "'energy'" in reason.evidence
    # Five countries asked, three covered: a gap to close, shown, not a wall.
    assert str(best.partnership_gap) == "needs 2 more partners from 2 more countries"
    (flag,) = [n for n in best.notes if n.gate == "partnership"]
    assert flag.outcome == "flag"
    # Without closed calls the Euro-MED calls (closed in 2024 and 2025) are gone.
    assert not [
        m for m in matcher.rank(marseille, now=NOW) if m.call.programme == "Interreg Euro-MED"
    ]


def test_the_greek_municipality_finds_next_med_and_euro_med_on_climate_adaptation(
    matcher: fm.Matcher,
) -> None:
    volos = profile("greek-municipality-climate-adaptation")

    matches = matcher.rank(volos, now=NOW, include_closed=True, limit=None)  # default minimum

    found = {
        m.call.id: m
        for m in matches
        if m.call.programme in ("Interreg NEXT MED", "Interreg Euro-MED")
    }
    assert {"interreg-next-med-call-1", "interreg-euro-med-call-5"} <= found.keys()
    next_med = found["interreg-next-med-call-1"]
    (reason,) = [r for r in next_med.reasons if r.factor == "priority"]
    assert reason.points == fm.Weights().priority
    assert reason.evidence.startswith(
        "Interreg NEXT MED funds priority 2 'A greener, low-carbon and resilient Mediterranean', "
        "specific objective 2.2 'Promoting climate change adaptation"
    )
    assert reason.evidence.endswith(": the profile says 'κλιματική αλλαγή'")
    euro_med = [r for r in found["interreg-euro-med-call-5"].reasons if r.factor == "priority"]
    assert "specific objective 2.4 'Promoting climate change adaptation" in euro_med[0].evidence


@pytest.mark.usefixtures("meaning_on")
def test_with_meaning_as_by_default_the_first_page_holds_euro_med_calls(tmp_path: Path) -> None:
    # The sentence model reads what a programme funds after the call's own text (an Interreg
    # call's page says little of its subjects), as the index does.
    meant = build_matcher(fm.load_snapshot(), store=tmp_path / "store.sqlite")
    for name, quoted in [
        ("marseille-open-data-sme", "specific objective 1.1 'Developing and enhancing research"),
        ("greek-municipality-climate-adaptation", "specific objective 2.4 'Promoting climate"),
    ]:
        page = meant.rank(profile(name), now=NOW, include_closed=True)  # ten, default minimum
        euro_med = [m for m in page if m.call.programme == "Interreg Euro-MED"]
        assert euro_med, (name, [m.call.id for m in page])
        assert euro_med[0].blockers == ()
        (reason,) = [r for r in euro_med[0].reasons if r.factor == "priority"]
        assert quoted in reason.evidence, reason.evidence
    assert not (tmp_path / "store.sqlite.meaning.npz").exists()  # the snapshot's were all kept


def test_the_priorities_are_what_lifts_the_interreg_calls(matcher: fm.Matcher) -> None:
    volos = profile("greek-municipality-climate-adaptation")
    call = next(c for c in matcher.calls if c.id == "interreg-next-med-call-1")
    bare = call.model_copy(update={"priorities": ()})
    others = [c for c in matcher.calls if c.id != call.id]

    with_them = fm.Matcher([*others, call]).explain(call.id, volos, now=NOW, include_closed=True)
    without = fm.Matcher([*others, bare]).explain(call.id, volos, now=NOW, include_closed=True)

    assert without.score < fm.Weights().min_score <= with_them.score
    assert "priority" not in {r.factor for r in without.reasons}


def test_the_match_command_shows_the_priority_and_the_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundmatch.cli import main

    args = ["match", "--db", str(tmp_path / "fm.sqlite"), "--now", NOW.isoformat()]
    marseille = str(PROFILES / "marseille-open-data-sme.toml")

    # 20: the snapshot's closed cascade-funding pilots come before Euro-MED (13th).
    assert main([*args, "--profile", marseille, "--include-closed", "--limit", "20"]) == 0
    listed = capsys.readouterr().out
    assert "interreg-euro-med-call-5" in listed and "BLOCKED" not in listed
    assert "Interreg Euro-MED funds Mission 3" in listed

    assert main([*args, "--profile", marseille, "--explain", "interreg-euro-med-call-5"]) == 0
    explained = capsys.readouterr().out
    assert "no blocker: the profile may apply" in explained
    assert (
        "partnership  flag     needs 2 more partners from 2 more countries: "
        "the call asks for 5 countries (the profile covers 3)"
    ) in explained


# --- a partnership to build -----------------------------------------------------------------

CONSORTIUM = fm.Call(
    id="c", title="A consortium call", instrument="grant", min_partners=4, min_countries=3
)
LEAD = fm.Profile(name="Marseille SME", region="FRL04", partners=1, partner_countries=("IT",))


@pytest.mark.parametrize(
    ("call", "lead", "expected"),
    [
        # 2 organisations of 4, 2 countries of 3: 2 more partners, one of them from a new country
        (CONSORTIUM, LEAD, "needs 2 more partners from 1 more country"),
        # enough countries, not enough organisations
        (CONSORTIUM.model_copy(update={"min_countries": 2}), LEAD, "needs 2 more partners"),
        # more countries missing than partners: one partner per new country at least
        (
            CONSORTIUM.model_copy(update={"min_partners": 2, "min_countries": 5}),
            LEAD,
            "needs 3 more partners from 3 more countries",
        ),
        # partner count unknown, countries known: at least one partner per missing country
        (
            CONSORTIUM,
            LEAD.model_copy(update={"partners": None}),
            "needs 1 more partner from 1 more country",
        ),
    ],
)
def test_what_a_partnership_lacks(call: fm.Call, lead: fm.Profile, expected: str) -> None:
    gap = partnership_gap(call, lead)

    assert gap is not None and str(gap) == expected
    assert gap.partners >= gap.countries


def test_no_gap_when_met_or_unknown() -> None:
    ready = LEAD.model_copy(update={"partners": 3, "partner_countries": ("IT", "ES")})
    assert partnership_gap(CONSORTIUM, ready) is None
    assert (
        partnership_gap(
            CONSORTIUM.model_copy(update={"min_partners": None, "min_countries": None}), LEAD
        )
        is None
    )
    # The profile does not say where its partners are: unknown, not a gap.
    silent = fm.Profile(name="x", region="FRL04", partners=5)
    assert partnership_gap(CONSORTIUM, silent) is None


def test_a_call_needing_more_partners_stays_in_the_list_with_the_gap() -> None:
    call = CONSORTIUM.model_copy(
        update={"title": "Open data platforms for Mediterranean cities", "regions": ("FRL",)}
    )

    (match,) = fm.rank(LEAD.model_copy(update={"keywords": ("open data",)}), [call], min_score=0)

    assert match.blockers == ()
    assert match.partnership_gap == fm.PartnershipGap(
        partners=2,
        countries=1,
        min_partners=4,
        min_countries=3,
        have_partners=2,
        have_countries=2,
    )
    assert match.model_dump(mode="json")["partnership_gap"]["partners"] == 2
    explained = fm.Matcher([call]).explain(call, LEAD)
    assert explained.partnership_gap == match.partnership_gap
