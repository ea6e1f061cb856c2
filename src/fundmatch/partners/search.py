"""The project index: funded projects searched with the call index's text machinery, ranked as
precedents or aggregated to the organisations that ran them (candidate partners).

Pure: projects and a profile in, ranked results out. Each project is indexed as a call would be
(its title, its keywords and fields of science, its objective), so one profile query reads the
same stems, word pairs, themes and cross-language table as the call ranking does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from fundmatch.match.explain import shared_words
from fundmatch.match.index import Index
from fundmatch.match.query import ProfileQuery
from fundmatch.models import Call, Profile
from fundmatch.models.partners import (
    Partner,
    Partners,
    Precedent,
    Precedents,
    ProjectRole,
)
from fundmatch.partners.consortium import (
    _needs,
    _none_left,
    _nothing,
    _org_type,
    _plain,
    eu_country,
    shortfall,
)
from fundmatch.partners.projects import Organisation, Project, Projects
from fundmatch.text import fold

__all__ = ["ProjectIndex"]

_TOP_PROJECTS = 150
"""How many of the closest projects vote for their organisations."""
_ROLE_WEIGHT = {"coordinator": 1.0, "participant": 1.0, "associatedPartner": 0.6, "thirdParty": 0.4}
_EVIDENCE = 3
_SINGLE_WEIGHT = 0.5
_YEAR = re.compile(r"-20\d\d-")


@dataclass(frozen=True, slots=True)
class _Hits:
    """A profile against the projects: each project's cosine, and the query for the words."""

    cos: npt.NDArray[np.float32]
    shared: dict[int, list[str]]


class ProjectIndex:
    """Funded projects as TF-IDF vectors, built once; ranks precedents and partners."""

    def __init__(self, projects: Projects) -> None:
        self.data = projects
        self._index = Index(
            Call(
                id=p.id,
                title=p.title or p.acronym or p.id,
                description=p.objective,
                keywords=p.keywords,
            )
            for p in projects.projects
        )
        by_id = {p.id: p for p in projects.projects}
        self.projects: list[Project] = [by_id[c.id] for c in self._index.calls]
        rows, cols, vals = [], [], []
        for row, project in enumerate(self.projects):
            best: dict[int, float] = {}
            for part in project.participations:
                weight = _ROLE_WEIGHT.get(part.role, 0.4)
                best[part.org] = max(best.get(part.org, 0.0), weight)
            for org, weight in sorted(best.items()):
                rows.append(row)
                cols.append(org)
                vals.append(weight)
        shape = (len(self.projects), len(projects.organisations))
        self._members = sparse.csr_matrix(
            (np.array(vals, np.float32), (np.array(rows), np.array(cols))), shape=shape
        )
        self._by_org = self._members.T.tocsr()
        self._countries = np.array([o.country or "" for o in projects.organisations])
        self._types = np.array([o.type for o in projects.organisations])
        self._names = [fold(o.name) for o in projects.organisations]
        # A fellowship or a single-beneficiary grant is a weaker precedent for a consortium
        # project than a collaborative action of the same words: it counts for half.
        self._precedent_weight = np.array(
            [1.0 if p.collaborative else _SINGLE_WEIGHT for p in self.projects], dtype=np.float32
        )

    def __len__(self) -> int:
        return len(self.projects)

    @property
    def organisations(self) -> tuple[Organisation, ...]:
        """The organisations, in the order the projects name them by index."""
        return self.data.organisations

    # --- the query ----------------------------------------------------------------------

    def _hits(self, profile: Profile, words_for: Iterable[int] = ()) -> _Hits:
        index = self._index
        query = self._query(profile)
        cosines = index.cosines(query)
        wanted = sorted(set(words_for))
        shared: dict[int, list[str]] = {}
        if wanted and len(cosines.columns):
            shared = shared_words(index, query, cosines, wanted)
        return _Hits(cosines.cos, shared)

    def _query(self, profile: Profile) -> ProfileQuery:
        """The profile's query without the word pairs no project can hold ("Zzqxv wqpft"):
        they do not dilute its closeness to the projects either."""
        query = self._index.query(profile)
        query.terms.unheld = query.terms.unheld[:0]
        return query

    def cosines(self, profile: Profile) -> npt.NDArray[np.float32]:
        """Each project's cosine with the profile, in the order of :attr:`projects`."""
        return self._hits(profile).cos

    # --- precedents ---------------------------------------------------------------------

    def precedents(
        self, profile: Profile, *, call: Call | None = None, limit: int = 10
    ) -> Precedents:
        """The funded projects most like ``profile``, best first, with the words they share.

        With ``call``: the projects funded under its topic, then under a topic of the same
        name in an earlier year, come first.
        """
        cos = self._hits(profile).cos * self._precedent_weight
        under = self._under_topic(call) if call is not None else {}
        candidates = set(np.flatnonzero(cos > 0).tolist()) | set(under)
        order = sorted(
            candidates,
            key=lambda r: (under.get(r, 2), -float(cos[r]), self.projects[r].id),
        )[:limit]
        if not order:
            return Precedents(note=_nothing(profile))
        shared = self._hits(profile, order).shared
        out = []
        for r in order:
            project = self.projects[r]
            lead = project.coordinator
            org = self.organisations[lead.org] if lead is not None else None
            out.append(
                Precedent(
                    id=project.id,
                    acronym=project.acronym,
                    title=project.title,
                    start=project.start,
                    end=project.end,
                    eu_contribution=project.eu_contribution,
                    topic=project.topic,
                    coordinator=org.name if org else None,
                    coordinator_country=org.country if org else None,
                    partners=len({p.org for p in project.participations}) - 1,
                    score=round(float(cos[r]), 4),
                    words=_plain(shared.get(r, [])),
                    funded_under=(None, "this topic", "an earlier topic")[under.get(r, 0) + 1]
                    if r in under
                    else None,
                )
            )
        return Precedents(precedents=tuple(out))

    def _under_topic(self, call: Call) -> dict[int, int]:
        """Projects funded under the call's topic (0) or one of the same name earlier (1)."""
        topic = call.topic_id or call.id
        general = _YEAR.sub("-", topic)
        out: dict[int, int] = {}
        for r, project in enumerate(self.projects):
            if project.topic == topic:
                out[r] = 0
            elif project.topic and _YEAR.sub("-", project.topic) == general:
                out[r] = 1
        return out

    # --- partners -----------------------------------------------------------------------

    def scores(self, cos: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Each organisation's score from the projects' cosines: the closest projects vote
        for the organisations that ran them, each with its similarity squared, by role."""
        top = _top(cos, _TOP_PROJECTS)
        votes = np.zeros(len(cos), dtype=np.float32)
        votes[top] = cos[top] ** 2
        return np.asarray(self._members.T @ votes, dtype=np.float32).ravel()

    def partners(
        self,
        profile: Profile,
        *,
        call: Call | None = None,
        countries: Sequence[str] | None = None,
        types: Sequence[str] | None = None,
        regions: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        limit: int = 20,
    ) -> Partners:
        """The organisations whose funded projects are most like ``profile``, best first.

        ``countries`` (``EL`` or ``GR``), ``types`` (``public``, ``research``, ``PUB``...) and
        ``regions`` (NUTS prefixes) narrow the list. The profile's own organisation (by name),
        its ``partner_names`` and ``exclude`` (names) are left out. With ``call``, what its
        partnership rule still needs decides the order: candidates from countries the
        profile does not cover yet come first.
        """
        wanted_countries = [eu_country(c) for c in countries or ()]
        wanted_types = [_org_type(t) for t in types or ()]
        cos = self._hits(profile).cos
        scores = self.scores(cos)
        keep = scores > 0
        if wanted_countries:
            keep &= np.isin(self._countries, wanted_countries)
        if wanted_types:
            keep &= np.isin(self._types, wanted_types)
        if regions:
            prefixes = tuple(r.strip().upper() for r in regions)
            keep &= np.array([(o.region or "").startswith(prefixes) for o in self.organisations])
        for org in self._left_out(profile, exclude):
            keep[org] = False
        covered = {eu_country(c) for c in (profile.country, *profile.partner_countries) if c}
        missing_partners = missing_countries = 0
        if call is not None:
            missing_partners, missing_countries = shortfall(call, profile)
            eligible = {eu_country(c) for c in call.countries} if call.countries_complete else set()
            if eligible:
                keep &= np.isin(self._countries, sorted(eligible))
        candidates = np.flatnonzero(keep)
        new = (
            np.array([self._countries[o] not in covered for o in candidates], dtype=bool)
            if missing_countries
            else np.zeros(len(candidates), dtype=bool)
        )
        by_score = sorted(
            range(len(candidates)),
            key=lambda k: (-float(scores[candidates[k]]), self.organisations[candidates[k]].id),
        )
        # Several countries asked for, or missing: the best of each country before the second
        # of any, so that one country's many strong organisations do not hide the others.
        spread = len(wanted_countries) > 1 or missing_countries > 0
        place: dict[int, int] = {}
        seen: dict[str, int] = {}
        for k in by_score:
            country = str(self._countries[candidates[k]])
            place[k] = seen.get(country, 0) if spread else 0
            seen[country] = place[k] + 1
        order = sorted(by_score, key=lambda k: (not new[k], place[k]))  # stable: by score
        chosen = [int(candidates[k]) for k in order[:limit]]
        needs = None
        if missing_countries or missing_partners:
            needs = _needs(
                missing_partners,
                missing_countries,
                [self._countries[candidates[k]] for k in order if new[k]],
            )
        if not chosen:
            note = _nothing(profile) if not (scores > 0).any() else _none_left(
                wanted_countries, wanted_types, regions
            )  # fmt: skip
            return Partners(
                needs=needs,
                missing_countries=missing_countries,
                missing_partners=missing_partners,
                note=note,
            )
        partners = self._describe(profile, chosen, cos, scores, covered, missing_countries)
        return Partners(
            partners=tuple(partners),
            needs=needs,
            missing_countries=missing_countries,
            missing_partners=missing_partners,
        )

    def _left_out(self, profile: Profile, exclude: Sequence[str]) -> list[int]:
        names = {fold(n).strip() for n in (profile.name, *profile.partner_names, *exclude) if n}
        return [k for k, n in enumerate(self._names) if n in names] + [
            k
            for k, o in enumerate(self.organisations)
            if o.short_name and fold(o.short_name) in names
        ]

    def _describe(
        self,
        profile: Profile,
        chosen: list[int],
        cos: npt.NDArray[np.float32],
        scores: npt.NDArray[np.float32],
        covered: set[str],
        missing_countries: int,
    ) -> list[Partner]:
        evidence: dict[int, list[int]] = {}
        for org in chosen:
            start, end = self._by_org.indptr[org], self._by_org.indptr[org + 1]
            rows = self._by_org.indices[start:end].tolist()
            evidence[org] = sorted(rows, key=lambda r: (-float(cos[r]), self.projects[r].id))
        firsts = [rows[0] for rows in evidence.values() if rows]
        shared = self._hits(profile, firsts).shared
        out = []
        for org in chosen:
            o = self.organisations[org]
            rows = [r for r in evidence[org] if cos[r] > 0][:_EVIDENCE] or evidence[org][:1]
            roles = []
            for r in rows:
                project = self.projects[r]
                mine = [p for p in project.participations if p.org == org]
                role = min(mine, key=lambda p: _ROLE_ORDER.get(p.role, 9)) if mine else None
                roles.append(
                    ProjectRole(
                        id=project.id,
                        acronym=project.acronym,
                        title=project.title,
                        start=project.start,
                        role=role.role if role else "participant",
                        eu_contribution=sum(p.eu_contribution or 0 for p in mine) if mine else None,
                        similarity=round(float(cos[r]), 4),
                    )
                )
            fills = None
            if missing_countries and o.country and o.country not in covered:
                fills = f"a new country, {o.country}"
            out.append(
                Partner(
                    org=o.id,
                    name=o.name,
                    short_name=o.short_name,
                    country=o.country,
                    region=o.region,
                    type=o.type,
                    sme=o.sme,
                    score=round(float(scores[org]), 4),
                    projects=tuple(role.id for role in roles),
                    evidence=tuple(roles),
                    words=_plain(shared.get(rows[0], [])) if rows else (),
                    fills=fills,
                )
            )
        return out

    def by_country(
        self, profile: Profile, call: Call, *, per_country: int = 3, countries: int = 3
    ) -> dict[str, Partners]:
        """For a call whose partnership the profile does not meet yet: the best candidates
        in each of the best countries it does not cover (as many countries as are missing,
        at least ``countries``); empty when nothing is missing."""
        missing_partners, missing_countries = shortfall(call, profile)
        if not missing_countries and not missing_partners:
            return {}
        ranked = self.partners(profile, call=call, limit=200)
        covered = {eu_country(c) for c in (profile.country, *profile.partner_countries) if c}
        out: dict[str, list[Partner]] = {}
        for partner in ranked:
            country = partner.country or ""
            if missing_countries and country in covered:
                continue
            if country not in out and len(out) >= max(missing_countries, countries):
                continue
            if len(out.setdefault(country, [])) < per_country:
                out[country].append(partner)
        return {
            c: Partners(
                partners=tuple(found),
                needs=ranked.needs,
                missing_countries=missing_countries,
                missing_partners=missing_partners,
            )
            for c, found in out.items()
        }


_ROLE_ORDER = {"coordinator": 0, "participant": 1, "associatedPartner": 2, "thirdParty": 3}


def _top(values: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
    """Indices of the ``k`` largest positive values (ties broken by index)."""
    positive = np.flatnonzero(values > 0)
    if len(positive) <= k:
        return positive
    order = np.lexsort((positive, -values[positive]))
    return np.sort(positive[order[:k]])
