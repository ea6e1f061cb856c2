"""The funded projects' data: the compact file, and its refresh from CORDIS's bulk CSV zip served
by a loopback server (never the internet).

The two projects below are real CORDIS records (EMERALDS, grant 101093051, and GanESS, grant
101039048; https://cordis.europa.eu/project/id/101093051 and /101039048, read 2026-12-07 from the
CORDIS extract of x3ro/cordis-horizon-projects-xml b68902429258f65e5e2d3ce6f555912939c3eb9f),
shortened (objective, three of EMERALDS's participants), in the CSV layout of CORDIS's bulk
download (semicolon-separated, quoted). Source: CORDIS, © European Union, reuse under
Commission Decision 2011/833/EU.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import fundmatch as fm
from fundmatch.cli import main
from fundmatch.errors import ParseError
from fundmatch.netguard import Guard
from fundmatch.partners import ProjectIndex
from fundmatch.partners.cordis import parse_cordis_bulk, refresh_projects
from fundmatch.partners.projects import compact, read_projects
from fundmatch.sources.http import Request, Response, fetch

PROJECT_COLUMNS = [
    "id",
    "acronym",
    "status",
    "title",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "legalBasis",
    "topics",
    "ecSignatureDate",
    "frameworkProgramme",
    "masterCall",
    "subCall",
    "fundingScheme",
    "nature",
    "objective",
    "contentUpdateDate",
    "rcn",
    "grantDoi",
    "keywords",
]
ORGANISATION_COLUMNS = [
    "projectID",
    "projectAcronym",
    "organisationID",
    "vatNumber",
    "name",
    "shortName",
    "SME",
    "activityType",
    "street",
    "postCode",
    "city",
    "country",
    "nutsCode",
    "geolocation",
    "organizationURL",
    "contactForm",
    "contentUpdateDate",
    "rcn",
    "order",
    "role",
    "ecContribution",
    "netEcContribution",
    "totalCost",
    "endOfParticipation",
    "active",
]
PROJECTS = [
    {
        "id": "101093051",
        "acronym": "EMERALDS",
        "status": "SIGNED",
        "title": "Extreme-scale Urban Mobility Data Analytics as a Service",
        "startDate": "2023-01-01",
        "endDate": "2025-12-31",
        "totalCost": "4998938",
        "ecMaxContribution": "4998438",
        "topics": "HORIZON-CL4-2022-DATA-01-05",
        "frameworkProgramme": "HORIZON",
        "masterCall": "HORIZON-CL4-2022-DATA-01",
        "fundingScheme": "HORIZON-RIA",
        "objective": "EMERALDSs vision is to design, develop and create an urban "
        "data-oriented Mobility Analytics as a Service (MAaaS) toolset, consisting of the "
        "so-called emeralds services, compiled in a proof-of-concept prototype, capable of "
        "exploiting the untapped potential of extreme urban mobility data.",
        "keywords": "Extreme-scale Urban Mobility Data Analytics, Analytics as a Service, MAaaS",
    },
    {
        "id": "101039048",
        "acronym": "GanESS",
        "status": "SIGNED",
        "title": "Gaseous detectors for neutrino physics at the European Spallation Source",
        "startDate": "2022-02-01",
        "endDate": "2028-01-31",
        "totalCost": "1496205",
        "ecMaxContribution": "1496205",
        "topics": "ERC-2021-STG",
        "frameworkProgramme": "HORIZON",
        "masterCall": "ERC-2021-STG",
        "fundingScheme": "HORIZON-ERC",
        "objective": "The recent detection of the coherent elastic neutrino-nucleus scattering "
        "(CEnNS) opens the possibility of using neutrinos to explore physics beyond the "
        "Standard Model deploying small detectors.",
        "keywords": "neutrino, gas-detectors, coherent-scattering",
    },
]
ORGANISATIONS = [
    ("101093051", "917706913", "INLECOM INNOVATION ASTIKI MI KERDOSKOPIKI ETAIREIA",
     "INLECOM INNOVATION", "true", "REC", "EL", "EL301", "1", "coordinator", "516750"),
    ("101093051", "999584128", "AIT AUSTRIAN INSTITUTE OF TECHNOLOGY GMBH", "AIT", "false",
     "REC", "AT", "AT130", "2", "participant", "407500"),
    ("101093051", "906664821", "TRUST-IT SERVICES SRL", "Trust-IT", "true", "PRC", "IT",
     "ITI17", "3", "participant", "187500"),
    ("101039048", "968784300", "FUNDACION DONOSTIA INTERNATIONAL PHYSICS CENTER", "DIPC",
     "false", "REC", "ES", "ES212", "1", "coordinator", "1496205"),
]  # fmt: skip


def bulk_zip() -> bytes:
    """The two projects as CORDIS publishes its bulk CSV: one zip, ``;``-separated files."""
    projects = io.StringIO()
    writer = csv.DictWriter(projects, PROJECT_COLUMNS, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in PROJECT_COLUMNS} for row in PROJECTS)
    organisations = io.StringIO()
    writer = csv.DictWriter(organisations, ORGANISATION_COLUMNS, delimiter=";")
    writer.writeheader()
    for project, org, name, short, sme, kind, country, nuts, order, role, net in ORGANISATIONS:
        writer.writerow(
            dict.fromkeys(ORGANISATION_COLUMNS, "")
            | {"projectID": project, "organisationID": org, "name": name, "shortName": short,
               "SME": sme, "activityType": kind, "country": country, "nutsCode": nuts,
               "order": order, "role": role, "netEcContribution": net}
        )  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.csv", "\ufeff" + projects.getvalue())
        archive.writestr("organization.csv", organisations.getvalue())
        archive.writestr("euroSciVoc.csv", "projectID;euroSciVocTitle\n")
    return out.getvalue()


def no_sources(folder: Path) -> list[str]:
    """``--registry`` with no source: ``update`` then reads nothing from the network."""
    empty = folder / "sources.toml"
    empty.write_text("", encoding="utf-8")
    return ["--registry", str(empty)]


def loopback(request: Request) -> Response:
    return fetch(request, guard=Guard.off())


def test_the_refresh_reads_cordis_bulk_data_from_a_server(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cordis-HORIZONprojects-csv.zip").respond_with_data(
        bulk_zip(), content_type="application/zip"
    )
    data = refresh_projects(loopback, url=httpserver.url_for("/cordis-HORIZONprojects-csv.zip"))
    projects = read_projects(data)
    # GanESS has one organisation: no partnership to learn from, so it is not kept.
    assert [p.acronym for p in projects.projects] == ["EMERALDS"]
    emeralds = projects.projects[0]
    assert emeralds.topic == "HORIZON-CL4-2022-DATA-01-05" and emeralds.scheme == "HORIZON-RIA"
    assert emeralds.keywords[:2] == (
        "Extreme-scale Urban Mobility Data Analytics",
        "Analytics as a Service",
    )
    lead = emeralds.coordinator
    assert lead is not None and projects.organisations[lead.org].country == "EL"
    assert "© European Union" in projects.source and "2011/833/EU" in projects.source
    # What was refreshed answers like the packaged extract does.
    profile = fm.Profile(name="Mobility data", description="Urban mobility data analytics")
    found = ProjectIndex(projects).partners(profile, countries=["AT"])
    assert [p.name for p in found] == ["AIT AUSTRIAN INSTITUTE OF TECHNOLOGY GMBH"]
    assert found[0].projects == ("101093051",) and found[0].evidence[0].eu_contribution == 407500


def test_bytes_that_are_no_cordis_zip_are_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not a CORDIS bulk zip"):
        parse_cordis_bulk(b"<html>maintenance</html>")
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("project.csv", "id;title\n")
    with pytest.raises(ParseError, match=r"no organization\.csv"):
        parse_cordis_bulk(empty.getvalue())


def test_a_listing_without_projects_is_refused(httpserver: HTTPServer) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.csv", "id;title\n")
        archive.writestr("organization.csv", "projectID;organisationID\n")
    httpserver.expect_request("/empty.zip").respond_with_data(out.getvalue())
    with pytest.raises(ParseError, match="lists no project"):
        refresh_projects(loopback, url=httpserver.url_for("/empty.zip"))


def test_the_compact_file_is_deterministic_and_cut_by_start_day() -> None:
    projects, participants = parse_cordis_bulk(bulk_zip())
    participants.append({**participants[0], "project": "101039048", "org": "917706913"})
    once = compact(projects, participants, source="test")
    assert once == compact(projects, participants, source="test")
    assert len(read_projects(once).projects) == 2
    early = read_projects(compact(projects, participants, source="test", before="2023-01-01"))
    assert [p.acronym for p in early.projects] == ["GanESS"]
    assert not read_projects(once).projects[0].collaborative  # an ERC grant


def test_update_projects_offline_leaves_the_projects_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite"
    code = main(["update", "--offline", "--projects", "--db", str(db)])
    assert code == 0
    assert "--offline: the funded projects were not refreshed" in capsys.readouterr().err
    assert not Path(f"{db}.projects.json.gz").exists()


def test_projects_kept_beside_the_store_are_the_ones_searched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite"
    Path(f"{db}.projects.json.gz").write_bytes(
        refresh_projects(lambda _: Response("x", 200, bulk_zip()))
    )
    profile = tmp_path / "mobility.toml"
    profile.write_text('name = "Mobility data"\ndescription = "Urban mobility data analytics"\n')
    code = main(["partners", "--profile", str(profile), "--db", str(db), "--format", "json"])
    assert code == 0
    out = capsys.readouterr().out
    assert "TRUST-IT SERVICES SRL" in out and "FRAUNHOFER" not in out


def test_update_projects_writes_the_refreshed_file_beside_the_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fundmatch.partners import cordis

    served = refresh_projects(lambda _: Response("x", 200, bulk_zip()))
    monkeypatch.setattr(cordis, "refresh_projects", lambda fetch: served)
    db = tmp_path / "store.sqlite"
    assert main(["update", "--projects", *no_sources(tmp_path), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "funded projects refreshed from CORDIS: 1 projects, 3 organisations" in err
    assert Path(f"{db}.projects.json.gz").read_bytes() == served


def test_a_failed_refresh_is_one_line_and_keeps_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fundmatch.partners import cordis

    def down(fetch: object) -> bytes:
        raise fm.FetchError("connection refused", source="cordis")

    monkeypatch.setattr(cordis, "refresh_projects", down)
    db = tmp_path / "store.sqlite"
    kept = Path(f"{db}.projects.json.gz")
    kept.write_bytes(b"old")
    assert main(["update", "--projects", *no_sources(tmp_path), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "the funded projects were not refreshed: cordis: connection refused" in err
    assert kept.read_bytes() == b"old"
