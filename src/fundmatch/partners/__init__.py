"""Partners and precedents: funded projects like a profile (CORDIS, packaged), and the
organisations that ran them as candidate partners for a call's consortium.

``projects`` (the packaged extract: rows in, rows out), ``cordis`` (CORDIS's bulk CSV read into
the same rows), ``search`` (the project index, the rankings). The packaged extract is read and
indexed once per process, on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from fundmatch.models import Call, Profile
from fundmatch.models.partners import Partners, Precedents
from fundmatch.partners.consortium import eu_country, shortfall
from fundmatch.partners.projects import Projects, load_projects
from fundmatch.partners.search import ProjectIndex

__all__ = [
    "ProjectIndex",
    "Projects",
    "eu_country",
    "load_projects",
    "missing_partners",
    "partners",
    "precedents",
    "project_index",
    "shortfall",
]


@cache
def project_index(path: Path | None = None) -> ProjectIndex:
    """The index of the projects in ``path`` (the packaged extract when None), built once."""
    return ProjectIndex(load_projects(path))


def partners(
    profile: Profile,
    *,
    call: Call | None = None,
    countries: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    limit: int = 20,
    projects: Path | None = None,
) -> Partners:
    """The organisations whose funded projects are most like ``profile``, best first; see
    :meth:`ProjectIndex.partners`. ``projects``: a projects file written by ``update
    --projects`` (default: the packaged extract)."""
    return project_index(projects).partners(
        profile,
        call=call,
        countries=countries,
        types=types,
        regions=regions,
        exclude=exclude,
        limit=limit,
    )


def precedents(
    profile: Profile, *, call: Call | None = None, limit: int = 10, projects: Path | None = None
) -> Precedents:
    """The funded projects most like ``profile``, best first; see
    :meth:`ProjectIndex.precedents`."""
    return project_index(projects).precedents(profile, call=call, limit=limit)


def missing_partners(
    calls: Iterable[Call],
    profile: Profile,
    *,
    per_country: int = 3,
    projects: Path | None = None,
) -> dict[str, dict[str, Partners]]:
    """For each call whose partnership rule the profile does not meet yet: call id → country
    → its best ``per_country`` candidates, in the countries the profile does not cover (see
    :meth:`ProjectIndex.by_country`). The projects are indexed only when a call needs them."""
    short = [c for c in calls if any(shortfall(c, profile))]
    if not short:
        return {}
    index = project_index(projects)
    return {c.id: index.by_country(profile, c, per_country=per_country) for c in short}
