"""Search-API results built from real feed records (``tests/data/sedia/listing/``).

The daily feed snapshots of the Portal's search listing keep every field of a search result
under other names (see ``tests/data/sedia/listing/README.md``): these functions put them back
where the search API has them, so the parser reads real listings as it reads the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LISTING = Path(__file__).parents[1] / "data" / "sedia" / "listing"
LISTING_FILE = LISTING / "grants_2026-04-01_1a01fd9.json"


def feed_records() -> list[dict[str, Any]]:
    """The real feed records kept for the tests (listing of 1 April 2026)."""
    data = json.loads(LISTING_FILE.read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = data["grants"]
    return records


def record(reference: str) -> dict[str, Any]:
    """One feed record by its ``id`` (the search result's ``reference``)."""
    return next(r for r in feed_records() if r["id"] == reference)


def _list(value: Any) -> list[str]:
    return [] if value is None else [str(value)]


def budget_overview(records: list[dict[str, Any]]) -> str:
    """A ``budgetOverview`` text of the call the records are topics of, in the search API's
    2.122 form: one entry per topic, keys in the API's order, amounts of the years as text."""
    entries = []
    for grant in records:
        money = grant["budget"]
        years = money["years"]
        share = money["totalBudgetEur"] // len(years)
        entries.append(
            {
                "action": f"{grant['identifier']} - {' '.join(grant['actionType'].split())}",
                "expectedGrants": money["expectedGrants"],
                "minContribution": money["minContributionEur"],
                "maxContribution": money["maxContributionEur"],
                "budgetYearMap": {year: str(share) for year in years},
                "plannedOpeningDate": grant["startDate"][:10],
                "deadlineModel": "single-stage",
                "deadlineDates": [grant["deadlineDate"][:10]],
            }
        )
    overview = {
        "budgetYearsColumns": sorted({y for g in records for y in g["budget"]["years"]}),
        "budgetTopicActionMap": {"1": entries},
    }
    return json.dumps(overview, separators=(",", ":"))


def search_result(grant: dict[str, Any], *, budget: str | None = None) -> dict[str, Any]:
    """The search-API result a feed record was made from (``metadata`` values are lists).

    The feed's mapping, reversed: ``id`` → ``reference``, ``identifier`` →
    ``metadata.identifier``, ``title`` → ``metadata.title``, ``callTitle`` →
    ``metadata.callTitle``, ``summary`` → ``summary``, ``kind.id`` → ``metadata.type``; dates
    as the feed writes them (ISO, UTC).
    """
    meta: dict[str, list[str]] = {
        "identifier": [grant["identifier"]],
        "title": _list(grant["title"]),
        "callTitle": _list(grant["callTitle"]),
        "callIdentifier": _list(grant["callIdentifier"]),
        "type": [grant["kind"]["id"]],
        "status": [grant["status"]["id"]],
        "startDate": _list(grant["startDate"]),
        "deadlineDate": _list(grant["deadlineDate"]),
        "frameworkProgramme": [p["id"] for p in grant["frameworkProgrammes"]],
        "typesOfAction": _list(grant["actionType"]),
        "descriptionByte": _list(grant.get("abstract")),
        "url": _list(grant["url"]),
    }
    if budget is not None:
        meta["budgetOverview"] = [budget]
    return {
        "reference": grant["id"],
        "url": grant["url"],
        "summary": grant["summary"],
        "metadata": meta,
    }


def search_page(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A search-API page holding the results of ``records``, in their order."""
    results = [search_result(r) for r in records]
    return {"totalResults": len(results), "pageNumber": 1, "pageSize": 50, "results": results}
