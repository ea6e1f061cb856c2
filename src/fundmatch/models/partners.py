"""Partners and precedents: funded projects like a profile, and the organisations that ran them."""

from __future__ import annotations

from collections.abc import Iterator

from fundmatch.models.base import FundmatchModel


class ProjectRole(FundmatchModel):
    """A funded project as evidence for an organisation: what it was and the part it played."""

    id: str
    """CORDIS project id (grant agreement number)."""
    acronym: str
    """The project's acronym."""
    title: str
    """The project's title."""
    start: str | None = None
    """Start day, ``YYYY-MM-DD``."""
    role: str
    """``coordinator``, ``participant``, ``associatedPartner`` or ``thirdParty``."""
    eu_contribution: float | None = None
    """What the organisation itself received from the EU for it, EUR (unknown: None)."""
    similarity: float
    """Cosine of the project's text with the profile's, 0 to 1."""


class Partner(FundmatchModel):
    """An organisation whose funded projects are like the profile's, with the projects that
    make the case."""

    org: str
    """The organisation's id in CORDIS (Participant Identification Code)."""
    name: str
    """Legal name as CORDIS writes it."""
    short_name: str | None = None
    """Short name, when CORDIS gives one."""
    country: str | None = None
    """Country as the EU writes it (``EL`` Greece, ``UK`` United Kingdom)."""
    region: str | None = None
    """NUTS code of its address."""
    type: str
    """CORDIS activity type: ``PUB`` public body, ``PRC`` company, ``REC`` research
    organisation, ``HES`` higher education, ``OTH`` other."""
    sme: bool | None = None
    """Whether CORDIS flags it as an SME."""
    score: float
    """Sum over its projects among the profile's closest of their similarity squared, weighted
    by role; higher is better."""
    projects: tuple[str, ...]
    """Ids of the projects that make the case, strongest first."""
    evidence: tuple[ProjectRole, ...] = ()
    """Those projects: title, start, role, amount, similarity."""
    words: tuple[str, ...] = ()
    """Words of the profile its strongest project shares."""
    fills: str | None = None
    """What it would add to the consortium a call asks for (``a new country, EL``)."""

    def __repr_args__(self) -> Iterator[tuple[str | None, object]]:
        yield "name", self.name
        yield "country", self.country
        yield "score", round(self.score, 3)


class Precedent(FundmatchModel):
    """A funded project like the profile's: what it was, when, for how much, who led it."""

    id: str
    """CORDIS project id (grant agreement number)."""
    acronym: str
    """The project's acronym."""
    title: str
    """The project's title."""
    start: str | None = None
    """Start day, ``YYYY-MM-DD``."""
    end: str | None = None
    """End day, ``YYYY-MM-DD``."""
    eu_contribution: float | None = None
    """The EU's maximum contribution, EUR."""
    topic: str | None = None
    """The topic that funded it (withheld in the data for topics of 2024: None)."""
    coordinator: str | None = None
    """The coordinator's name."""
    coordinator_country: str | None = None
    """The coordinator's country, as the EU writes it."""
    partners: int = 0
    """How many other organisations took part."""
    score: float
    """Cosine of the project's text with the profile's, 0 to 1; halved for a project of a
    single-beneficiary scheme (ERC, MSCA fellowships, EIC), a weaker precedent for a
    consortium."""
    words: tuple[str, ...] = ()
    """Words of the profile the project shares."""
    funded_under: str | None = None
    """``this topic`` or ``an earlier topic`` when a call was given and the project was funded
    under its topic or one of the same name in an earlier year."""

    def __repr_args__(self) -> Iterator[tuple[str | None, object]]:
        yield "acronym", self.acronym
        yield "score", round(self.score, 3)


class Partners(FundmatchModel):
    """Candidate partners for a profile, best first, and what the call's partnership lacks."""

    partners: tuple[Partner, ...] = ()
    """The candidates, best first (those completing the call's consortium first)."""
    needs: str | None = None
    """What the call's partnership rule still needs, in words
    (``needs 2 more countries: candidates in EL, HR, CY``); None without a call or when met."""
    missing_countries: int = 0
    """How many more countries the call's rule needs."""
    missing_partners: int = 0
    """How many more partners the call's rule needs."""
    note: str | None = None
    """Why the list is empty, when it is."""

    def __iter__(self) -> Iterator[Partner]:  # type: ignore[override]
        return iter(self.partners)

    def __len__(self) -> int:
        return len(self.partners)

    def __getitem__(self, k: int) -> Partner:
        return self.partners[k]


class Precedents(FundmatchModel):
    """Funded projects like the profile, best first."""

    precedents: tuple[Precedent, ...] = ()
    """The projects, best first (those funded under the call's topic first)."""
    note: str | None = None
    """Why the list is empty, when it is."""

    def __iter__(self) -> Iterator[Precedent]:  # type: ignore[override]
        return iter(self.precedents)

    def __len__(self) -> int:
        return len(self.precedents)

    def __getitem__(self, k: int) -> Precedent:
        return self.precedents[k]
