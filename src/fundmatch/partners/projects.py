"""Funded projects and the organisations that ran them: the compact packaged extract of CORDIS
(``data/cordis-projects.json.gz``), how it is written and how it is read.

Rows in, rows out: the rows are those of the CORDIS extract (one dict per project, one per
participation, the keys of ``data/README.md``), whether read from the shared extract by
``scripts/build_partners_data.py`` or from CORDIS's bulk CSV by :mod:`fundmatch.partners.cordis`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "DATA_FILE",
    "OBJECTIVE_CHARS",
    "ROLES",
    "Organisation",
    "Participation",
    "Project",
    "Projects",
    "compact",
    "load_projects",
    "read_projects",
]

DATA_FILE = "cordis-projects.json.gz"
"""The packaged extract, in ``fundmatch/data/``."""

ROLES = {
    "coordinator": "c",
    "participant": "p",
    "associatedPartner": "a",
    "thirdParty": "t",
}
"""CORDIS participation types and their one-letter code in the packaged file."""
_ROLE_NAMES = {code: name for name, code in ROLES.items()}
_FORMAT = 1
OBJECTIVE_CHARS = 1_000
"""Each objective is kept to its first 1,000 characters (cut at a space): the abstract's
opening says what the project does, and the whole texts would double the file."""
_MIN_ORGANISATIONS = 2
"""Projects run by one organisation alone (most ERC and MSCA fellowships, EIC grants) are left
out of the packaged file: they show no partnership, and they would double its size."""


_SINGLE_SCHEMES = ("HORIZON-ERC", "HORIZON-TMA-MSCA-PF", "HORIZON-EIC")


class Organisation(NamedTuple):
    """An organisation that took part in a funded project, as CORDIS names it."""

    id: str
    """Participant Identification Code (PIC), stable across projects."""
    name: str
    short_name: str | None
    country: str | None
    """As the EU writes it (``EL`` Greece, ``UK`` United Kingdom)."""
    region: str | None
    """NUTS code of its address (usually level 3)."""
    type: str
    """CORDIS activity type: ``HES``, ``REC``, ``PRC``, ``PUB``, ``OTH``."""
    sme: bool | None


class Participation(NamedTuple):
    """One organisation's part in one project."""

    org: int
    """Index of the organisation in :attr:`Projects.organisations`."""
    role: str
    """``coordinator``, ``participant``, ``associatedPartner`` or ``thirdParty``."""
    eu_contribution: float | None
    """What the organisation itself receives (``netEcContribution``), EUR."""


@dataclass(frozen=True, slots=True)
class Project:
    """A funded project: what it was about, when, for how much, and who ran it."""

    id: str
    acronym: str
    title: str
    objective: str
    topic: str | None
    start: str | None
    end: str | None
    eu_contribution: float | None
    keywords: tuple[str, ...]
    participations: tuple[Participation, ...]
    scheme: str | None = None
    """Funding scheme, e.g. ``HORIZON-RIA``, ``HORIZON-TMA-MSCA-PF-EF``."""

    @property
    def collaborative(self) -> bool:
        """Whether its scheme funds a consortium's work, not one researcher's or one
        company's (ERC grants, MSCA fellowships, the EIC's single-company grants)."""
        return not (self.scheme or "").startswith(_SINGLE_SCHEMES)

    @property
    def coordinator(self) -> Participation | None:
        """The coordinator's participation, if the record names one."""
        return next((p for p in self.participations if p.role == "coordinator"), None)


@dataclass(frozen=True, slots=True)
class Projects:
    """The funded projects and their organisations, with where they come from."""

    organisations: tuple[Organisation, ...]
    projects: tuple[Project, ...]
    source: str
    """One line naming the data and its licence."""


def compact(
    projects: Iterable[Mapping[str, Any]],
    participants: Iterable[Mapping[str, Any]],
    *,
    source: str,
    before: str | None = None,
) -> bytes:
    """The packaged file's bytes from extract rows: projects with at least two organisations
    (started before ``before``, a ``YYYY-MM-DD`` day, when given), their participations and
    organisations. Deterministic: the same rows give the same bytes."""
    by_project: dict[str, list[Mapping[str, Any]]] = {}
    for row in participants:
        by_project.setdefault(str(row["project"]), []).append(row)
    kept = []
    for project in projects:
        rows = by_project.get(str(project["id"]), [])
        if len({r["org"] for r in rows}) < _MIN_ORGANISATIONS:
            continue
        if before is not None and (project.get("start") or "9999") >= before:
            continue
        kept.append((project, rows))
    kept.sort(key=lambda pr: _id_key(str(pr[0]["id"])))
    orgs: dict[str, list[Any]] = {}
    for _, rows in kept:
        for r in rows:  # first seen by project id and order, as the extract counts them
            orgs.setdefault(
                str(r["org"]),
                [r["org"], r["name"] or "", r["short_name"], r["country"], r["nuts"],
                 r["type"] or "OTH", r["sme"]],
            )  # fmt: skip
    order = sorted(orgs)
    number = {org: k for k, org in enumerate(order)}
    out = {
        "format": _FORMAT,
        "source": source,
        "organisations": [orgs[o] for o in order],
        "projects": [
            [
                str(p["id"]),
                p.get("acronym") or "",
                p.get("title") or "",
                _cut(p.get("objective") or ""),
                p.get("topic"),
                p.get("start"),
                p.get("end"),
                p.get("eu_contribution"),
                list(dict.fromkeys([*(p.get("keywords") or ()), *(p.get("euroscivoc") or ())])),
                [
                    [number[str(r["org"])], ROLES.get(r["role"], "p"), r.get("net_eu_contribution")]
                    for r in rows
                ],
                p.get("scheme"),
            ]
            for p, rows in kept
        ],
    }
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    # gzip rather than xz: a fifth larger, but read several times faster.
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def read_projects(data: bytes) -> Projects:
    """The projects of a file written by :func:`compact`."""
    raw = json.loads(gzip.decompress(data))
    if raw.get("format") != _FORMAT:
        raise ValueError(f"unknown projects file format {raw.get('format')!r}")
    # Tuples read straight into named tuples: 110,000 rows in a fraction of a second.
    organisations = tuple(map(Organisation._make, raw["organisations"]))
    projects = tuple(
        Project(
            id=p[0],
            acronym=p[1],
            title=p[2],
            objective=p[3],
            topic=p[4],
            start=p[5],
            end=p[6],
            eu_contribution=p[7],
            keywords=tuple(p[8]),
            participations=tuple(
                Participation(org, _ROLE_NAMES[role], amount) for org, role, amount in p[9]
            ),
            scheme=p[10],
        )
        for p in raw["projects"]
    )
    return Projects(organisations, projects, raw.get("source", ""))


def load_projects(path: Path | None = None) -> Projects:
    """The projects in ``path``, or the packaged extract when None."""
    if path is not None:
        return read_projects(path.read_bytes())
    return read_projects(resources.files("fundmatch").joinpath("data", DATA_FILE).read_bytes())


def _cut(text: str, limit: int = OBJECTIVE_CHARS) -> str:
    """``text`` cut at the last space before ``limit`` characters."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    return head[: head.rfind(" ")] if " " in head else head


def _id_key(pid: str) -> tuple[int, int, str]:
    return (0, int(pid), pid) if pid.isdigit() else (1, 0, pid)
