"""Cascade-funding calls on a real Portal listing: one call each, through store and digest.

The search results are built from real feed records (``tests/data/sedia/listing/``, see its
README): two CERV calls of one parent topic and three Local Digital Twin pilots of another.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.cli import main
from fundmatch.sources.ftportal import parse_ftportal_page
from fundmatch.sources.registry import load_programmes
from fundmatch.sources.rules import inherit_rules
from fundmatch.store.identity import field_changes
from support.portal import LISTING, feed_records, record, search_page, search_result

EXPECTED = LISTING / "expected.json"
OLD_STORE = Path(__file__).parent / "data" / "store" / "schema4_cascade.sqlite"
FIRST = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)  # when the old store saw the listing
NOW = datetime(2026, 4, 2, 6, 0, tzinfo=UTC)
CERV = "CERV-2024-CITIZENS-VALUES"
STRONGER_ROOTS, CODE_SUCCESS = "13585COMPETITIVE_CALLen", "13324COMPETITIVE_CALLen"
PAGE = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"


def listing() -> list[fm.Call]:
    return fm.parse_ftportal(search_page(feed_records()), source="ftportal")


def test_the_listing_parses_to_its_golden_calls() -> None:
    calls = [c.model_dump(mode="json") for c in listing()]
    assert calls == json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_two_cascade_calls_of_one_parent_stay_two_calls_each_with_its_own_name_and_page() -> None:
    calls = {c.id: c for c in listing()}
    assert len(calls) == 9  # every result of the listing
    roots, code = calls[STRONGER_ROOTS], calls[CODE_SUCCESS]
    assert roots.title.startswith("Call for proposals 2 in the Stronger Roots program")
    assert code.title == "Call for CSOs initiatives “Code Success” Fund"
    assert roots.url == PAGE + "competitive-calls-cs/13585"
    assert code.url == PAGE + "competitive-calls-cs/13324"
    for call in (roots, code):
        assert call.kind == "cascade" and call.instrument == "grant"
        assert call.parent is not None and call.parent.id == CERV
        assert call.parent.url == PAGE + f"topic-details/{CERV}"
        assert call.parent.title is not None and "Union values" in call.parent.title
        assert call.topic_id is None and call.call_id is None  # the parent's ids are not its own
    pilots = [c for c in calls.values() if c.parent and "DIGITALTWIN" in c.parent.id]
    assert len(pilots) == 3 and len({c.title for c in pilots}) == 3
    assert {c.kind for c in calls.values()} == {"topic", "cascade", "call for proposals"}


def test_a_cascade_call_without_text_of_its_own_says_what_its_project_is_funded_for() -> None:
    calls = {c.id: c for c in listing()}
    assert calls["13201COMPETITIVE_CALLen"].description == (
        "Open call of a project funded under DIGITAL-2024-CLOUD-DATA-AI-07-DIGITALTWIN: "
        "Towards networked Local Digital Twins in the EU"
    )


def test_calls_show_and_changes_name_a_cascade_call_and_its_parent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.sqlite"
    with fm.Store(db) as store:
        store.upsert(listing(), source="ftportal", now=FIRST)
    assert main(["calls", "show", CODE_SUCCESS, "--db", str(db), "--now", NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{CODE_SUCCESS}: Call for CSOs initiatives “Code Success” Fund")
    assert "kind:       cascade" in out
    assert f"parent:     {CERV}: Call for proposals for civil society organisations" in out
    assert main(["changes", "--since", "2026-03-01", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"new        {CODE_SUCCESS}" in out and f"new        {STRONGER_ROOTS}" in out


def test_a_cascade_call_keeps_its_times_as_listed_in_brussels_time() -> None:
    calls = {c.id: c for c in listing()}
    (deadline,) = calls["13201COMPETITIVE_CALLen"].deadlines  # listed 2026-04-02T23:59:00.000Z
    assert deadline.local().isoformat() == "2026-04-02T23:59:00+02:00"
    assert deadline.timezone == "Europe/Brussels"
    assert deadline.label is not None and "Brussels time assumed" in deadline.label
    opening = calls["13201COMPETITIVE_CALLen"].opening  # 2026-02-02T00:00:00.000Z: a day
    assert opening is not None and opening.isoformat() == "2026-02-02T00:00:00+01:00"


def test_a_cascade_call_s_own_name_is_read_whole_when_its_call_title_is_cut() -> None:
    grant = dict(record(CODE_SUCCESS))
    grant["summary"] = "Open call for civic tech pilots &amp; open data tools, second round"
    grant["callTitle"] = "Open call for civic tech pilots & open data tools, se"
    (call,) = fm.parse_ftportal(search_result(grant))
    assert call.title == "Open call for civic tech pilots & open data tools, second round"


def test_the_grant_per_third_party_is_read_where_the_text_states_it() -> None:
    grant = dict(record(CODE_SUCCESS))
    grant["abstract"] = "Civil society organisations can receive up to EUR 60,000 each."
    (call,) = fm.parse_ftportal(search_result(grant))
    assert call.budget.per_project_max == 60000
    (silent,) = fm.parse_ftportal(search_result(record(CODE_SUCCESS)))
    assert silent.budget == fm.Budget()


@pytest.mark.parametrize(
    "title",
    [
        "Phortify Grants for Master Thesis Project - Pilot Call",
        "DIGITWIN4CIUE project-Scholarships for the Executive Master in Digital Twins",
        "Financial support for Master’s Thesis mobility in companies and research institutions",
        "INDUSAC OPEN CALL FOR STUDENTS AND RESEARCHERS",
    ],
)
def test_a_cascade_call_for_scholarships_or_students_is_for_persons(title: str) -> None:
    grant = dict(record(CODE_SUCCESS))
    grant["summary"] = grant["callTitle"] = title
    (call,) = fm.parse_ftportal(search_result(grant))
    assert call.organisation_types == ("individual",)

    sme = fm.Profile(name="Urban data SME", keywords=["digital twins"], organisation_type="sme")
    match = fm.Matcher([call]).explain(call.id, sme, now=NOW, include_closed=True)
    (gate,) = [c for c in match.blockers if c.gate == "organisation"]
    assert gate.message == "open to individual, not sme"
    # A call whose title says nothing of who applies keeps that unknown.
    (silent,) = fm.parse_ftportal(search_result(record(CODE_SUCCESS)))
    assert silent.organisation_types == ()


def test_a_cascade_result_without_its_reference_is_skipped_not_merged() -> None:
    result = search_result(record(CODE_SUCCESS))
    del result["reference"]
    page = parse_ftportal_page({"results": [result]})
    assert page.calls == [] and CERV in page.skipped[0]


def test_a_cascade_call_does_not_inherit_its_parent_programme_s_consortium_rule() -> None:
    calls = {c.id: c for c in listing()}
    programmes = load_programmes()
    assert inherit_rules(calls[CODE_SUCCESS], programmes) is calls[CODE_SUCCESS]
    topic = inherit_rules(calls["HORIZON-CL3-2026-02-CS-ECCC-01"], programmes)
    assert topic.min_partners == 3  # a Horizon Europe topic still does


def test_cascade_calls_go_through_the_store_changes_and_digest_as_calls(
    store_address: str,
) -> None:
    with fm.Store(store_address) as store:
        changes = store.upsert(listing(), source="ftportal", now=FIRST)
        assert sorted(c.call_id for c in changes if c.kind == "new") == sorted(
            c.id for c in listing()
        )
        # A week later the Stronger Roots deadline moves; Code Success is unchanged.
        moved = dict(record(STRONGER_ROOTS), deadlineDate="2026-05-27T13:00:00.000Z")
        later = [
            search_result(moved) if r["id"] == STRONGER_ROOTS else search_result(r)
            for r in feed_records()
        ]
        changes = store.upsert(
            fm.parse_ftportal({"results": later}, source="ftportal"),
            source="ftportal",
            now=FIRST + timedelta(days=7),
        )
        assert [(c.kind, c.call_id, [f.field for f in c.fields]) for c in changes] == [
            ("changed", STRONGER_ROOTS, ["deadlines"])
        ]
        stored = store.get(CODE_SUCCESS)
        assert stored is not None and stored.call.title.endswith("“Code Success” Fund")
        assert [c.kind for c in store.changes(call_id=CODE_SUCCESS)] == ["new"]

        outbox = Outbox()
        subscriptions = fm.Subscriptions(
            subscription=(
                fm.Subscription(
                    name="civic",
                    profile=fm.Profile(name="Civic tech association"),
                    recipients=("civic@example.org",),
                ),
            )
        )

        def everything(profile: fm.Profile, now: datetime) -> list[fm.Match]:
            return [
                fm.Match(call=c, score=50, reasons=(fm.Reason(factor="keyword", points=50),))
                for c in store.calls()
            ]

        fm.run_digests(
            store,
            subscriptions,
            outbox,
            sender="digest@example.org",
            now=FIRST + timedelta(days=8),
            ranker=everything,
        )
    (message,) = outbox.sent
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text = part.get_content()
    assert "“Code Success” Fund" in text and "Stronger Roots" in text
    assert PAGE + "competitive-calls-cs/13324" in text


class Outbox:
    """A mailer that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> fm.Delivery:
        self.sent.append(message)
        return fm.Delivery(status="accepted", code=250, reply="250 queued")


def test_a_store_of_schema_4_keyed_by_parent_topics_migrates_without_losing_a_call(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.sqlite"
    shutil.copy(OLD_STORE, path)
    # What the previous schema kept: the two CERV calls as one row keyed by their parent.
    with sqlite3.connect(path) as old:
        assert old.execute("PRAGMA user_version").fetchone() == (4,)
        before = dict(old.execute("SELECT id, first_seen FROM calls").fetchall())
        # A digest announced it (as schema 4's digests wrote it).
        old.execute(
            "INSERT INTO digest_messages (message_id, subscription, recipient, subject, raw, "
            "state, created_at) VALUES ('<m@x>', 'civic', 'a@x.org', 's', x'00', 'sent', ?)",
            (FIRST.isoformat(),),
        )
        old.execute(
            "INSERT INTO digest_items (recipient, key, call_id, message_id) "
            "VALUES ('a@x.org', ?, ?, '<m@x>')",
            (f"new:{CERV}", CERV),
        )
    assert len(before) == 6 and CERV in before
    with fm.Store(path) as store:
        assert {c.id for c in store.calls()} >= {"HORIZON-CL3-2026-02-CS-ECCC-01"}
        assert len(store.calls()) == 6  # the migration itself changes no call
        changes = store.upsert(listing(), source="ftportal", now=NOW)
        calls = {c.id: c for c in store.calls()}
        assert len(calls) == 9 and not store.calls(include_withdrawn=True)[9:]
        assert not [c for c in changes if c.kind == "withdrawn"]
        # The row of the CERV parent is now the cascade call it held (the one listed last),
        # under its own id, with its first-seen time and history; its sibling is new.
        heir = store.get(CODE_SUCCESS)
        assert heir is not None and heir.first_seen == FIRST
        assert heir.call.title == "Call for CSOs initiatives “Code Success” Fund"
        assert [c.kind for c in store.changes(call_id=CODE_SUCCESS)] == ["new", "changed"]
        (changed,) = [c for c in changes if c.call_id == CODE_SUCCESS]
        assert {"id", "title", "url", "parent"} <= {f.field for f in changed.fields}
        assert len(store.versions(CODE_SUCCESS)) == 2
        sibling = store.get(STRONGER_ROOTS)
        assert sibling is not None and sibling.first_seen == NOW
        assert store.get(CERV) is None  # no call is keyed by a parent topic any more
        # Topics keep their rows and gain no change for the type of result now read.
        topic = "HORIZON-CL3-2026-02-CS-ECCC-01"
        assert [c.kind for c in store.changes(call_id=topic)] == ["new"]
        assert calls[topic].kind == "topic"
        # A second listing changes nothing.
        assert store.upsert(listing(), source="ftportal", now=NOW + timedelta(days=1)) == []
    with sqlite3.connect(path) as new:
        assert new.execute("PRAGMA user_version").fetchone() == (5,)
        assert new.execute("SELECT count(*) FROM provenance WHERE legacy_key = 1").fetchone() == (
            0,
        )
        assert new.execute("SELECT call_id FROM digest_items").fetchall() == [(CODE_SUCCESS,)]
        assert new.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_field_added_to_calls_is_no_change_of_a_stored_version() -> None:
    old = {"id": "X", "title": "T"}
    assert field_changes(old, {"id": "X", "title": "T", "kind": "topic"}) == []
    changed = field_changes({**old, "kind": "topic"}, {**old, "kind": "call for proposals"})
    assert [f.field for f in changed] == ["kind"]


def _regenerate() -> None:
    calls = [c.model_dump(mode="json") for c in listing()]
    text = json.dumps(calls, indent=2, ensure_ascii=False, sort_keys=True)
    EXPECTED.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__" and "--regenerate" in sys.argv:
    _regenerate()
