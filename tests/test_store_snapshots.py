"""Replaying four monthly snapshots of the Portal's open and forthcoming calls into the store.

The expected new / changed / withdrawn calls are worked out here from the raw JSON alone
(set arithmetic and dict comparisons), then compared with what the store reports.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import fundmatch as fm

DATA = Path(__file__).parent / "data" / "store"
SNAPSHOTS = sorted(DATA.glob("grants_*.json.gz"))  # the date is in the name: date order
STATUS = {"31094501": "forthcoming", "31094502": "open", "31094503": "closed"}

# Raw grant key -> the Call field it becomes (the converter below is the only link).
FIELD_OF = {
    "title": "title",
    "url": "url",
    "abstract": "description",
    "identifier": "topic_id",
    "callIdentifier": "call_id",
    "actionType": "action_type",
    "status": "reported_status",
    "startDate": "opening",
    "deadlineDate": "deadlines",
    "frameworkProgrammes": "programme",
    "budget": "budget",
}
BUDGET_KEYS = ("totalBudgetEur", "minContributionEur", "maxContributionEur", "expectedGrants")


def load(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    return data


def money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def to_call(grant: dict[str, Any]) -> fm.Call:
    """One grant of the feed as a Call (test-only converter)."""
    budget = grant["budget"] or {}
    return fm.Call(
        id=grant["id"],
        title=grant["title"],
        description=grant.get("abstract") or "",
        source="sedia-feed",
        url=grant["url"],
        programme=grant["frameworkProgrammes"][0]["label"]
        if grant["frameworkProgrammes"]
        else None,
        call_id=grant["callIdentifier"],
        topic_id=grant["identifier"],
        action_type=grant["actionType"],
        reported_status=STATUS[grant["status"]["id"]],  # type: ignore[arg-type]
        opening=datetime.fromisoformat(grant["startDate"]) if grant["startDate"] else None,
        deadlines=(
            [
                fm.Deadline(
                    at=datetime.fromisoformat(grant["deadlineDate"]), timezone="Europe/Brussels"
                )
            ]
            if grant["deadlineDate"]
            else []
        ),
        budget=fm.Budget(
            total=money(budget.get("totalBudgetEur")),
            per_project_min=money(budget.get("minContributionEur")),
            per_project_max=money(budget.get("maxContributionEur")),
            expected_grants=budget.get("expectedGrants"),
        ),
    )


def projection(grant: dict[str, Any]) -> dict[str, Any]:
    """The raw values the converter reads, per raw key (None and absent are the same)."""
    budget = grant.get("budget") or {}
    programmes = grant.get("frameworkProgrammes") or []
    values = {key: grant.get(key) for key in FIELD_OF}
    values["title"] = grant["title"].strip()
    values["abstract"] = (grant.get("abstract") or "").strip()
    values["status"] = grant["status"]["id"]
    values["frameworkProgrammes"] = programmes[0]["label"] if programmes else None
    values["budget"] = tuple(budget.get(k) for k in BUDGET_KEYS)
    return values


def expected_history() -> Iterator[dict[str, Any]]:
    """Per snapshot, from the raw JSON only: new ids, changed ids with fields, withdrawn ids."""
    last_seen: dict[str, dict[str, Any]] = {}  # id -> projection when last listed
    listed: set[str] = set()
    for path in SNAPSHOTS:
        grants = {g["id"]: projection(g) for g in load(path)["grants"]}
        ids = set(grants)
        new = ids - set(last_seen)
        withdrawn = listed - ids
        changed: dict[str, set[str]] = {}
        for id in ids & set(last_seen):
            fields = {FIELD_OF[k] for k, v in grants[id].items() if last_seen[id][k] != v}
            if id not in listed:
                fields.add("withdrawn")  # it came back
            if fields:
                changed[id] = fields
        yield {"new": new, "changed": changed, "withdrawn": withdrawn}
        last_seen.update(grants)
        listed = ids


def replay(store: fm.Store, path: Path) -> list[fm.Change]:
    data = load(path)
    now = datetime.fromisoformat(data["generatedAt"])
    return store.upsert([to_call(g) for g in data["grants"]], source="sedia-feed", now=now)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[fm.Store, list[list[fm.Change]]]:
    store = fm.Store(tmp_path_factory.mktemp("replay") / "fundmatch.sqlite")
    return store, [replay(store, path) for path in SNAPSHOTS]


def summary(history: dict[str, Any]) -> tuple[int, int, int]:
    return len(history["new"]), len(history["changed"]), len(history["withdrawn"])


def test_the_snapshots_are_in_date_order() -> None:
    assert [p.name[7:17] for p in SNAPSHOTS] == [
        "2026-03-13",
        "2026-04-01",
        "2026-05-01",
        "2026-06-01",
    ]


def test_expected_counts_from_the_raw_json() -> None:
    # (new, changed, withdrawn) per snapshot, worked out from the raw files alone. A call
    # that comes back after being withdrawn counts as changed (field "withdrawn").
    history = list(expected_history())

    assert [summary(h) for h in history] == [
        (932, 0, 0),
        (77, 703, 143),
        (111, 62, 246),
        (69, 115, 104),
    ]
    # 04-01: the feed started publishing abstracts, so most descriptions changed.
    assert [_field_counts(h) for h in history[1:]] == [
        {"description": 688, "deadlines": 18, "reported_status": 11, "opening": 6},
        {
            "reported_status": 48,
            "opening": 15,
            "deadlines": 14,
            "withdrawn": 3,
            "topic_id": 2,
            "description": 2,
            "url": 1,
        },
        {
            "reported_status": 95,
            "deadlines": 19,
            "opening": 5,
            "withdrawn": 4,
            "url": 1,
            "topic_id": 1,
            "title": 1,
        },
    ]


def test_replay_reports_new_changed_and_withdrawn_calls(
    replayed: tuple[fm.Store, list[list[fm.Change]]],
) -> None:
    _, reported = replayed

    for changes, expected in zip(reported, expected_history(), strict=True):
        kinds = Counter(c.kind for c in changes)
        assert len(changes) == sum(kinds.values())
        assert {c.call_id for c in changes if c.kind == "new"} == expected["new"]
        assert {c.call_id for c in changes if c.kind == "withdrawn"} == expected["withdrawn"]
        got = {c.call_id: {f.field for f in c.fields} for c in changes if c.kind == "changed"}
        assert got == expected["changed"]


def test_field_diffs_carry_old_and_new_values(
    replayed: tuple[fm.Store, list[list[fm.Change]]],
) -> None:
    store, reported = replayed
    raw = [{g["id"]: g for g in load(p)["grants"]} for p in SNAPSHOTS]

    for step, changes in enumerate(reported[1:], start=1):
        for change in (c for c in changes if c.kind == "changed"):
            fields = {f.field: f for f in change.fields}
            before, after = raw[step - 1].get(change.call_id), raw[step][change.call_id]
            if "deadlines" in fields and before is not None:
                old, new = fields["deadlines"].old, fields["deadlines"].new
                assert [datetime.fromisoformat(d["at"]) for d in old] == [
                    datetime.fromisoformat(before["deadlineDate"])
                ]
                assert [datetime.fromisoformat(d["at"]) for d in new] == [
                    datetime.fromisoformat(after["deadlineDate"])
                ]
            if "reported_status" in fields and before is not None:
                assert fields["reported_status"].old == STATUS[before["status"]["id"]]
                assert fields["reported_status"].new == STATUS[after["status"]["id"]]
            if "title" in fields:
                assert fields["title"].new == after["title"].strip()
    for changes, expected in zip(reported, expected_history(), strict=True):
        assert Counter(f.field for c in changes for f in c.fields) == _field_counts(expected)
    assert store.changes(since=datetime.fromisoformat("2026-06-01T00:00:00+00:00")) == reported[3]


def _field_counts(history: dict[str, Any]) -> Counter[str]:
    return Counter(f for fields in history["changed"].values() for f in fields)


def test_replaying_the_same_snapshot_again_changes_nothing(
    replayed: tuple[fm.Store, list[list[fm.Change]]],
) -> None:
    store, _ = replayed
    before = len(store.changes())

    assert replay(store, SNAPSHOTS[-1]) == []
    assert len(store.changes()) == before


def test_withdrawn_calls_stay_in_the_store(
    replayed: tuple[fm.Store, list[list[fm.Change]]],
) -> None:
    store, _ = replayed
    every_id = {g["id"] for p in SNAPSHOTS for g in load(p)["grants"]}
    last_ids = {g["id"] for g in load(SNAPSHOTS[-1])["grants"]}

    assert {c.id for c in store.calls(include_withdrawn=True)} == every_id
    assert {c.id for c in store.calls()} == last_ids
    state = store.source_state("sedia-feed")
    assert state is not None
    assert state.calls == len(last_ids)
