"""CORDIS's published bulk data of Horizon Europe projects (the CSV zip of
https://data.europa.eu/data/datasets/cordis-eu-research-projects-under-horizon-europe-2021-2027)
read into the rows of the packaged extract, and the refresh that fetches it.

Reading is pure (bytes in, rows out); the refresh fetches through the ``fetch`` it is given.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from fundmatch.errors import ParseError
from fundmatch.partners.projects import compact
from fundmatch.sources.http import Request, Response

__all__ = ["CORDIS_URL", "SOURCE", "parse_cordis_bulk", "refresh_projects"]

CORDIS_URL = "https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip"
"""CORDIS's bulk download of Horizon Europe projects, as CSV files in one zip."""
SOURCE = "CORDIS Horizon Europe projects, bulk CSV; Source: CORDIS, © European Union, reuse under"
"""The provenance line written into a refreshed file (followed by the licence and the URL)."""
_LICENCE = " Commission Decision 2011/833/EU"
_SPLIT = re.compile(r"\s*[;,]\s*")


def _member(archive: zipfile.ZipFile, name: str) -> str:
    for info in archive.infolist():
        if info.filename.rsplit("/", 1)[-1].lower() == name:
            return archive.read(info).decode("utf-8-sig")
    raise ParseError(f"the CORDIS bulk zip has no {name}", source="cordis")


def _number(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        return None


def _flag(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    return True if text == "true" else False if text == "false" else None


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def parse_cordis_bulk(data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(projects, participants) rows from CORDIS's bulk zip: ``project.csv`` and
    ``organization.csv``, semicolon-separated as CORDIS publishes them.

    Raises :class:`~fundmatch.errors.ParseError` when the bytes are not such a zip.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        projects_csv, organisations_csv = (
            _member(archive, "project.csv"),
            _member(archive, "organization.csv"),
        )
    except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise ParseError(f"not a CORDIS bulk zip: {exc}", source="cordis") from exc
    projects = []
    for row in csv.DictReader(io.StringIO(projects_csv), delimiter=";"):
        if not (row.get("id") or "").strip():
            continue
        projects.append(
            {
                "id": row["id"].strip(),
                "acronym": _text(row.get("acronym")),
                "title": _text(row.get("title")),
                "objective": _text(row.get("objective")),
                "topic": (row.get("topics") or "").strip() or None,
                "start": (row.get("startDate") or "").strip()[:10] or None,
                "end": (row.get("endDate") or "").strip()[:10] or None,
                "eu_contribution": _number(row.get("ecMaxContribution")),
                "keywords": [k for k in _SPLIT.split(_text(row.get("keywords"))) if k],
                "scheme": (row.get("fundingScheme") or "").strip() or None,
            }
        )
    participants = []
    for row in csv.DictReader(io.StringIO(organisations_csv), delimiter=";"):
        if not (row.get("projectID") or "").strip() or not (row.get("organisationID") or ""):
            continue
        participants.append(
            {
                "project": row["projectID"].strip(),
                "org": row["organisationID"].strip(),
                "name": _text(row.get("name")),
                "short_name": _text(row.get("shortName")) or None,
                "country": (row.get("country") or "").strip() or None,
                "nuts": (row.get("nutsCode") or "").strip() or None,
                "type": (row.get("activityType") or "").strip() or None,
                "sme": _flag(row.get("SME")),
                "role": (row.get("role") or "").strip() or "participant",
                "net_eu_contribution": _number(row.get("netEcContribution")),
            }
        )
    return projects, participants


def refresh_projects(fetch: Callable[[Request], Response], *, url: str = CORDIS_URL) -> bytes:
    """Fetch CORDIS's bulk data and return it as a projects file (see
    :func:`~fundmatch.partners.projects.compact`), ready to be written beside the store.

    Raises :class:`~fundmatch.errors.FetchError` or :class:`~fundmatch.errors.ParseError`.
    """
    response = fetch(Request(url))
    projects, participants = parse_cordis_bulk(response.body)
    if not projects:
        raise ParseError("the CORDIS bulk data lists no project", source="cordis")
    return compact(projects, participants, source=f"{SOURCE}{_LICENCE}; {url}")
