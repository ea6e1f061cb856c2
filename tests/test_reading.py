"""What a person reads: the list under ``match`` and ``report``, the plain label of a score, the
kind of application, the digest e-mail, the data's date and age, profile mistakes in words,
local feeds allowed only when asked, country codes as the EU writes them."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest

import fundmatch as fm
from fundmatch.cli import main
from fundmatch.digest.render import render_digest
from fundmatch.digest.select import select_digest
from fundmatch.display import (
    FIT_LABELS,
    age_text,
    application_kind,
    days_text,
    deadline_sentence,
    fit_label,
)
from fundmatch.errors import FetchError
from fundmatch.netguard import Guard
from fundmatch.ranking import report_matches, shortlist
from fundmatch.sources.http import Request, fetch

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
READ_ON = date(2026, 8, 17)
BRUSSELS = "Europe/Brussels"
ASSUMED = "17:00 Brussels time assumed (the source gives the date only)"


def calls() -> list[fm.Call]:
    """Five calls for an open-data SME: one to join a consortium, one to apply to alone, a
    closed one, one for universities only, and one that barely matches."""
    return [
        fm.Call(
            id="OPEN-CONSORTIUM",
            title="Open data platforms for smart cities",
            description="Municipal open data platforms, data spaces and city dashboards.",
            programme="Horizon Europe",
            instrument="grant",
            action_type="HORIZON-IA",
            opening=datetime(2026, 5, 12, 9, tzinfo=UTC),
            deadlines=[fm.Deadline(at=datetime(2027, 11, 4, 17), timezone=BRUSSELS, label=ASSUMED)],
            budget=fm.Budget(
                per_project_min=Decimal(5_400_000), per_project_max=Decimal(5_400_000)
            ),
            min_partners=3,
            min_countries=3,
            countries=["FR", "EL", "IT"],
        ),
        fm.Call(
            id="OPEN-ALONE",
            title="Open data dashboards for small cities",
            description="Grants to SMEs for open data dashboards in smart cities.",
            programme="Digital Europe",
            instrument="grant",
            opening=datetime(2027, 1, 12, 9, tzinfo=UTC),
            deadlines=[fm.Deadline(at=datetime(2027, 3, 2, 17), timezone=BRUSSELS)],
            budget=fm.Budget(per_project_max=Decimal(60_000)),
            min_partners=1,
        ),
        fm.Call(
            id="CLOSED-OPEN-DATA",
            title="Open data platforms for smart cities and regions",
            description="Open data platforms and dashboards for smart cities.",
            programme="Horizon Europe",
            instrument="grant",
            deadlines=[fm.Deadline(at=datetime(2026, 3, 2, 17), timezone=BRUSSELS)],
        ),
        fm.Call(
            id="UNIVERSITIES-ONLY",
            title="Open data platforms for smart cities research",
            description="Open data platforms and dashboards for smart cities, for universities.",
            programme="Horizon Europe",
            instrument="grant",
            organisation_types=["university"],
            deadlines=[fm.Deadline(at=datetime(2027, 3, 2, 17), timezone=BRUSSELS)],
        ),
        fm.Call(
            id="FAINT",
            title="Coastal tourism statistics",
            description="Statistics on tourism in coastal areas, with some open survey data.",
            programme="Interreg Euro-MED",
            instrument="grant",
            deadlines=[fm.Deadline(at=datetime(2027, 3, 2, 17), timezone=BRUSSELS)],
        ),
    ]


PROFILE_TOML = (
    'name = "Marseille open data SME"\n'
    'description = "Open data platforms and dashboards for smart cities"\n'
    'keywords = ["open data", "smart city"]\n'
    'region = "FRL04"\n'
    'organisation_type = "sme"\n'
    "budget_max = 1500000\n"
)


def profile() -> fm.Profile:
    return fm.Profile(
        name="Marseille open data SME",
        description="Open data platforms and dashboards for smart cities",
        keywords=("open data", "smart city"),
        region="FRL04",
        organisation_type="sme",
        budget_max=Decimal(1_500_000),
    )


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """A store holding the five calls, read by a source on ``READ_ON``, and the profile file."""
    with fm.Store(tmp_path / "store.sqlite") as store:
        read = datetime.combine(READ_ON, datetime.min.time(), tzinfo=UTC)
        store.upsert(calls(), source="portal", now=read)
    (tmp_path / "profile.toml").write_text(PROFILE_TOML, encoding="utf-8")
    return tmp_path


def run(world: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    command, *rest = args
    code = main([command, "--db", str(world / "store.sqlite"), "--now", NOW.isoformat(), *rest])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


# --- what a list leaves out ---------------------------------------------------------------


def test_match_says_under_the_list_what_it_left_out_and_how_to_see_it(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(world, capsys, "match", "--profile", str(world / "profile.toml"))
    assert out.splitlines()[-2] == (
        "2 calls shown; 1 more scored under 12.5 (--min-score 0); 1 closed and 1 ruled out"
        " also score 12.5 or more (--include-closed, --include-blocked)"
    )
    shown = run(
        world, capsys, "match", "--profile", str(world / "profile.toml"), "--min-score", "0",
        "--include-closed", "--include-blocked",
    )  # fmt: skip
    assert "5 calls shown" in shown and "closed and" not in shown


def test_a_full_list_counts_the_hidden_calls_that_would_rank_higher(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = str(world / "profile.toml")
    out = run(world, capsys, "match", "--profile", profile, "--limit", "1")
    assert out.splitlines()[-2] == (
        "1 call shown; 1 more scored 12.5 or more (--limit); 1 more scored under 12.5"
        " (--min-score 0); 1 closed and 1 ruled out would rank higher (--include-closed,"
        " --include-blocked)"
    )
    # And so they do, with the options the line names.
    both = run(
        world, capsys, "match", "--profile", profile, "--limit", "3", "--include-closed",
        "--include-blocked",
    )  # fmt: skip
    rows = [line.split()[2] for line in both.splitlines()[1:4]]
    assert rows[-1] == "OPEN-CONSORTIUM" and set(rows[:2]) == {
        "CLOSED-OPEN-DATA",
        "UNIVERSITIES-ONLY",
    }


def test_matches_in_python_carry_the_same_facts() -> None:
    matches = shortlist(fm.Matcher(calls()), profile(), now=NOW, data_date=READ_ON)
    assert [m.call.id for m in matches] == ["OPEN-CONSORTIUM", "OPEN-ALONE"]
    left = matches.left_out
    assert left is not None
    assert (left.shown, left.more, left.under, left.closed, left.ruled_out) == (2, 0, 1, 1, 1)
    assert left.sentence() in repr(matches)


def test_the_report_says_what_it_left_out() -> None:
    shown = report_matches(
        fm.Matcher(calls()), profile(), now=NOW, limit=1, ruled_out=5, data_date=READ_ON
    )
    page = fm.render_report(shown, profile=profile(), now=NOW)
    assert "1 call shown; 1 more scored 12.5 or more (--limit)" in page


# --- a plain label for a score --------------------------------------------------------


def test_fit_labels_follow_the_documented_bands() -> None:
    assert [fit_label(s) for s in (45, 30, 29.9, 20, 19.9, 0)] == [
        "strong fit", "strong fit", "good fit", "good fit", "weak fit", "weak fit",
    ]  # fmt: skip
    doc = (ROOT / "docs" / "matching.md").read_text(encoding="utf-8")
    for floor, label in FIT_LABELS[:-1]:
        assert f"| {label} | {floor:g} or more" in doc


def test_the_list_shows_each_score_with_its_label(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(world, capsys, "match", "--profile", str(world / "profile.toml"))
    row = next(line for line in out.splitlines() if "OPEN-ALONE" in line and "Digital" in line)
    assert re.match(r"\s*6\d\.\d\s+strong\s+OPEN-ALONE", row)


# --- the kind of application ----------------------------------------------------------


def test_the_kind_of_application_in_words() -> None:
    def kind(**facts: object) -> str:
        base: dict[str, object] = {
            "min_partners": None, "min_countries": None, "per_project_min": None,
            "per_project_max": None,
        }  # fmt: skip
        return application_kind(**{**base, **facts})  # type: ignore[arg-type]

    assert kind(min_partners=1) == "alone"
    assert kind(min_partners=3, min_countries=3) == "needs 3 partners from 3 countries"
    assert kind(min_countries=2) == "needs partners from 2 countries"
    assert (
        kind(per_project_min=Decimal(5_400_000), budget_max=Decimal(1_500_000))
        == "as a partner of a consortium (€5.4 M per project)"
    )
    assert (
        kind(min_partners=5, min_countries=5, gap="needs 2 more partners from 2 more countries")
        == "needs 5 partners from 5 countries (2 more partners from 2 more countries to find)"
    )
    assert kind(consortium_action=True) == "in a consortium"
    assert kind() == "partnership not stated"


def test_the_kind_of_application_on_every_surface(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    consortium = (
        "as a partner of a consortium (€5.4 M per project); needs 3 partners from 3 countries"
    )
    listing = run(world, capsys, "match", "--profile", str(world / "profile.toml"))
    assert f"application: {consortium}" in listing and "application: alone" in listing
    rows = list(csv.DictReader(io.StringIO(run(
        world, capsys, "match", "--profile", str(world / "profile.toml"), "--csv"
    ))))  # fmt: skip
    assert [r["application"] for r in rows] == [consortium, "alone"]
    report = run(world, capsys, "report", "--profile", str(world / "profile.toml"))
    assert f"application: {consortium}" in report
    assert "Application: alone" in e_mail_text(first=False)


# --- the e-mail -----------------------------------------------------------------------


def digest(*, first: bool) -> fm.Digest:
    subscription = fm.Subscription(
        name="open-data", profile=profile(), recipients=["a@example.org"], timezone="Europe/Paris"
    )
    matches = fm.Matcher(calls()).rank(profile(), now=NOW, limit=None)
    return select_digest(
        subscription, "a@example.org", matches=matches, now=NOW, first=first, data_date=READ_ON
    )


def e_mail(*, first: bool) -> EmailMessage:
    return render_digest(digest(first=first), sender="digest@example.org")


def e_mail_text(*, first: bool) -> str:
    body = e_mail(first=first).get_body(("plain",))
    assert body is not None
    return body.get_content().replace("\r\n", "\n")


def test_the_deadline_comes_date_first_the_caveat_after() -> None:
    text = e_mail_text(first=False)
    assert (
        "Deadline: Thursday 4 November 2027, 17:00 Brussels time (332 days left)"
        f" - {ASSUMED}" in text
    )
    assert "Deadline: 17:00" not in text


def test_the_e_mail_gives_the_opening_date_and_the_days_left() -> None:
    text = e_mail_text(first=False)
    assert "Opening: opened 12 May 2026" in text
    assert "Opening: opens Tuesday 12 January 2027" in text
    assert "Deadline: Tuesday 2 March 2027, 17:00 Brussels time (85 days left)" in text


def test_a_first_digest_lists_the_backlog_once_in_brief() -> None:
    first = e_mail(first=True)
    assert first["Subject"] == "First digest: 2 open calls match: Horizon Europe, Digital Europe"
    text = e_mail_text(first=True)
    assert "NEW CALLS" not in text and "OPEN NOW AND MATCHING (2, in brief" in text
    assert re.search(
        r"- Open data dashboards for small cities\n   OPEN-ALONE \| score 6\d/100", text
    )
    assert "strong fit | alone\n   Deadline: Tuesday 2 March 2027, 17:00 Brussels time" in text
    later = e_mail(first=False)
    assert later["Subject"] == "2 new calls: Horizon Europe, Digital Europe"


def test_the_e_mail_says_the_datas_date_and_age() -> None:
    assert "calls as read on 17 Aug 2026, 112 days old" in e_mail_text(first=False)
    html = e_mail(first=False).get_body(("html",))
    assert html is not None and "calls as read on 17 Aug 2026, 112 days old" in html.get_content()


def test_the_json_run_summary_tells_not_due_from_nothing_new() -> None:
    run = fm.DigestRun(not_due=2, nothing_new=1)
    assert run.summary() == (
        "0 message(s) queued, 0 sent, 0 not sent; 2 digests not due yet, 1 due with nothing new"
    )
    dumped = run.model_dump(mode="json")
    assert (dumped["not_due"], dumped["nothing_new"]) == (2, 1)


# --- the data's date wherever results are shown ---------------------------------------


def test_the_datas_date_and_age_on_matches_the_list_the_report_and_the_csv(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matches = shortlist(fm.Matcher(calls()), profile(), now=NOW, data_date=READ_ON)
    assert matches.data_age() == "data of 17 Aug 2026, 112 days old"
    later = shortlist(
        fm.Matcher(calls()), profile(), now=NOW + timedelta(days=10), data_date=READ_ON
    )
    assert later.data_age() == "data of 17 Aug 2026, 122 days old"  # from now, not the clock
    listing = run(world, capsys, "match", "--profile", str(world / "profile.toml"))
    assert listing.splitlines()[-1] == "data of 17 Aug 2026, 112 days old"
    report = run(world, capsys, "report", "--profile", str(world / "profile.toml"))
    assert "data of 17 Aug 2026, 112 days old" in report
    exported = run(
        world, capsys, "export", "--format", "csv", "--profile", str(world / "profile.toml")
    )
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert {r["data_date"] for r in rows} == {"2026-08-17"}


def test_the_bundled_snapshots_date_when_the_store_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "profile.toml").write_text(PROFILE_TOML, encoding="utf-8")
    out = run(tmp_path, capsys, "match", "--profile", str(tmp_path / "profile.toml"))
    info = json.loads((ROOT / "calls" / "snapshot" / "snapshot.json").read_text("utf-8"))
    day = date.fromisoformat(info["data_date"])
    assert out.splitlines()[-1].startswith(f"data of {day.day} {day:%b %Y}, ")


# --- API polish -----------------------------------------------------------------------


def test_days_left_is_whole_days() -> None:
    call = calls()[1]
    assert call.days_left(NOW) == 85
    assert isinstance(call.days_left(NOW), int)
    assert call.days_left(datetime(2027, 3, 2, 15, tzinfo=UTC)) == 0  # its last day


def test_every_profile_mistake_at_once_in_words_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(
        'name = "x"\nbudget_min = 1500000\nbudget_max = 50000\nprep_days = -3\n', "utf-8"
    )
    code = main(["match", "--profile", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{path}:3: field 'budget_max': budget_min (1,500,000) is larger than budget_max" in err
    assert f"{path}:4: field 'prep_days': must be 0 or more, got the number -3" in err
    assert "Input should" not in err


def test_subscription_mistakes_in_words_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(
        '[[subscription]]\nname = "a"\nrecipients = ["a@example.org"]\nmax_items = 0\n'
        '[subscription.profile]\nname = "x"\nbudget_min = 9\nbudget_max = 1\n',
        "utf-8",
    )
    code = main(["digest", "--config", str(path), "--no-update", "--outbox", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{path}:4: field 'subscription.0.max_items': must be 1 or more, got the number 0" in err
    assert f"{path}:8: field 'subscription.0.profile.budget_max': budget_min (9)" in err
    assert "Input should" not in err and "at least 1 item" not in err


# --- local feeds ----------------------------------------------------------------------


def test_a_local_feed_is_refused_by_default_with_the_way_to_allow_it(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"<rss/>")
    with pytest.raises(FetchError, match="--allow-local"):
        fetch(Request(url=feed.as_uri()))
    with pytest.raises(FetchError, match=r"loopback address .*--allow-local"):
        Guard().check_address("127.0.0.1")
    assert fetch(Request(url=feed.as_uri()), guard=Guard.local()).body == b"<rss/>"
    Guard.local().check_address("127.0.0.1")  # allowed when asked


def test_update_reads_a_local_feed_only_with_allow_local(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<link>https://example.org</link><description>d</description><item>"
        "<title>Open data pilots</title><link>https://example.org/c1</link>"
        "<guid>c1</guid></item></channel></rss>",
        "utf-8",
    )
    registry = tmp_path / "sources.toml"
    registry.write_text(
        f'[[sources]]\nname = "local"\nkind = "feed"\nurl = "{feed.as_uri()}"\n', "utf-8"
    )
    args = ["update", "--db", str(tmp_path / "s.db"), "--registry", str(registry), "--json"]
    assert main(args) == 1
    refused = json.loads(capsys.readouterr().out)
    assert "--allow-local" in refused[0]["error"]
    assert main([*args, "--allow-local"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["new"] == 1


# --- country codes --------------------------------------------------------------------


def test_country_codes_as_the_eu_writes_them(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    greek = fm.Profile(name="Volos", description="climate adaptation", region="EL613")
    page = fm.render_report([], profile=greek, now=NOW)
    assert "EL613, EL" in page and "GR" not in page
    explained = run(
        world, capsys, "match", "--profile", str(world / "profile.toml"),
        "--explain", "OPEN-CONSORTIUM",
    )  # fmt: skip
    assert "countries: FR, EL, IT" in explained
    assert deadline_sentence(calls()[1].deadlines[0]) == "Tuesday 2 March 2027, 17:00 Brussels time"


def test_small_words_for_days_and_ages() -> None:
    assert [days_text(d) for d in (0, 1, 12)] == [
        "less than a day left", "1 day left", "12 days left",
    ]  # fmt: skip
    assert age_text(NOW.date(), NOW) == "7 Dec 2026, from today"
    assert age_text(NOW.date() + timedelta(days=1), NOW) == "8 Dec 2026, dated after now"
    assert age_text(NOW.date() - timedelta(days=1), NOW) == "6 Dec 2026, 1 day old"
    with pytest.raises(ValueError, match="time zone"):
        age_text(READ_ON, NOW.replace(tzinfo=None))
    assert fm.Matches(data_date=READ_ON).data_age() == "data of 17 Aug 2026"  # no now: no age


def test_the_notebook_table_says_the_age_and_what_was_left_out() -> None:
    matches = shortlist(fm.Matcher(calls()), profile(), now=NOW, data_date=READ_ON)
    html = matches._repr_html_()
    assert "(data of 17 Aug 2026, 112 days old)</caption>" in html
    assert '<tfoot><tr><td colspan="6">2 calls shown; 1 more scored under 12.5' in html
    assert "<br><small>strong fit</small>" in html


def test_the_calendar_of_matches_says_the_datas_date(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = run(world, capsys, "export", "--format", "ics", "--profile", str(world / "profile.toml"))
    calendar = icalendar.Calendar.from_ical(ics)
    assert str(calendar["x-wr-caldesc"]) == "Calls as read on 17 Aug 2026, 112 days old"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"limit": 1},
        {"include_closed": True},
        {"include_blocked": True, "min_score": 0},
        {"limit": None, "min_score": 60},
    ],
)
def test_shortlist_lists_what_rank_lists(options: dict[str, object]) -> None:
    matcher = fm.Matcher(calls())
    ranked = matcher.rank(profile(), now=NOW, **options)  # type: ignore[arg-type]
    listed = shortlist(matcher, profile(), now=NOW, **options)  # type: ignore[arg-type]
    assert [(m.call.id, m.score, m.blockers) for m in listed] == [
        (m.call.id, m.score, m.blockers) for m in ranked
    ]
