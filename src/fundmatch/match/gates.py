"""Eligibility gates: can this profile apply to this call at all? Facts only.

A gate rules a call out only on what an applicant cannot change (its deadline too close to
prepare for, instrument, place, organisation type, excluded subjects, and a single-applicant
grant larger than the profile can carry); a partnership short of the call's minimum is flagged
with what is missing (:func:`partnership_gap`), and so is a grant smaller than the profile seeks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from fundmatch import geo
from fundmatch.match.query import norm_phrase
from fundmatch.match.score import amount_range
from fundmatch.models import Call, Check, PartnershipGap, Profile

__all__ = ["checks", "gates", "is_consortium_action", "partnership_gap"]


def checks(
    call: Call,
    profile: Profile,
    *,
    now: datetime | None = None,
    include_closed: bool = False,
    exclusions: Sequence[tuple[str, str]] | None = None,
) -> list[Check]:
    """Every gate's outcome for ``call`` and ``profile``, in gate order, passes included.

    What the call does not say never blocks: its gate's outcome is ``unknown``.
    ``exclusions``: the profile's excluded terms as written and folded, when a ranking's
    :class:`~fundmatch.match.query.ProfileQuery` already holds them (None: folded here).
    """
    return [
        _deadline_gate(call, profile, now, include_closed),
        _instrument_gate(call, profile),
        _geography_gate(call, profile),
        _organisation_gate(call, profile),
        _budget_gate(call, profile),
        _partnership_gate(call, profile),
        _exclude_gate(call, profile, exclusions),
    ]


def gates(
    call: Call,
    profile: Profile,
    *,
    now: datetime | None = None,
    include_closed: bool = False,
    exclusions: Sequence[tuple[str, str]] | None = None,
) -> tuple[list[Check], list[Check]]:
    """(blockers, notes) of ``call`` for ``profile``: every gate that fails, is unknown or flags."""
    outcomes = checks(call, profile, now=now, include_closed=include_closed, exclusions=exclusions)
    blockers = [c for c in outcomes if c.outcome == "blocked"]
    notes = [c for c in outcomes if c.outcome in ("unknown", "flag")]
    return blockers, notes


def _deadline_gate(
    call: Call, profile: Profile, now: datetime | None, include_closed: bool
) -> Check:
    if now is None:
        return Check(
            gate="deadline", outcome="unknown", message="no date given to check deadlines against"
        )
    status = call.status(now)
    if status == "closed":
        last = call.deadlines[-1].local().strftime("%Y-%m-%d %H:%M %Z") if call.deadlines else "?"
        if include_closed:
            return Check(
                gate="deadline", outcome="flag", message=f"closed: last deadline was {last}"
            )
        return Check(
            gate="deadline", outcome="blocked", message=f"closed: last deadline was {last}"
        )
    if status == "forthcoming":
        if call.opening is None:
            message = "not open yet (forthcoming; opening date not given)"
        else:
            message = f"not open yet: opens {call.opening.strftime('%Y-%m-%d')}"
        return Check(gate="deadline", outcome="flag", message=message)
    days = call.days_left(now)
    if days is None:
        return Check(gate="deadline", outcome="unknown", message="the call gives no deadline")
    if days < profile.prep_days:
        return Check(
            gate="deadline",
            outcome="blocked",
            message=f"only {days:.0f} days left; the profile needs {profile.prep_days} to prepare",
        )
    return Check(gate="deadline", outcome="pass", message=f"{days:.0f} days left")


def _instrument_gate(call: Call, profile: Profile) -> Check:
    if call.instrument is None:
        return Check(
            gate="instrument", outcome="unknown", message="the call does not say its instrument"
        )
    if call.instrument in profile.instruments:
        return Check(gate="instrument", outcome="pass", message=f"{call.instrument} is sought")
    return Check(
        gate="instrument",
        outcome="blocked",
        message=f"a {call.instrument}; the profile seeks "
        + (", ".join(profile.instruments) or "nothing"),
    )


def _geography_gate(call: Call, profile: Profile) -> Check:
    if not call.regions and not call.countries:
        return Check(gate="geography", outcome="unknown", message="the call names no eligible area")
    if profile.region is None and profile.country is None:
        return Check(gate="geography", outcome="unknown", message="the profile gives no location")
    where = profile.region or profile.country or ""
    if call.regions and profile.region is not None:
        if geo.is_within(profile.region, call.regions):
            name = geo.region(profile.region).name
            return Check(
                gate="geography",
                outcome="pass",
                message=f"{profile.region} ({name}) is inside the call's area",
            )
        if not call.countries or profile.country not in call.countries:
            if call.countries and not call.countries_complete and profile.country is not None:
                return _unlisted(profile.country)
            return Check(
                gate="geography",
                outcome="blocked",
                message=f"{where} is outside the eligible regions ({', '.join(call.regions[:8])}"
                + (", ...)" if len(call.regions) > 8 else ")"),
            )
    if call.countries:
        if profile.country in call.countries:
            return Check(gate="geography", outcome="pass", message=f"{profile.country} is eligible")
        if not call.countries_complete and profile.country is not None:
            return _unlisted(profile.country)
        return Check(
            gate="geography",
            outcome="blocked",
            message=f"{profile.country} is not among the eligible countries",
        )
    # Regions only, profile knows only its country: eligible if the country has a listed region.
    country_regions = [r for r in call.regions if geo.region_country(r) == profile.country]
    if country_regions:
        return Check(
            gate="geography",
            outcome="unknown",
            message=f"only some regions of {profile.country} are eligible; "
            "the profile gives no region",
        )
    return Check(
        gate="geography", outcome="blocked", message=f"{profile.country} has no eligible region"
    )


def _organisation_gate(call: Call, profile: Profile) -> Check:
    if not call.organisation_types:
        return Check(
            gate="organisation", outcome="unknown", message="the call names no organisation types"
        )
    if profile.organisation_type is None:
        return Check(
            gate="organisation", outcome="unknown", message="the profile gives no organisation type"
        )
    if profile.organisation_type in call.organisation_types:
        return Check(
            gate="organisation", outcome="pass", message=f"{profile.organisation_type} may apply"
        )
    return Check(
        gate="organisation",
        outcome="blocked",
        message=f"open to {', '.join(call.organisation_types)}, not {profile.organisation_type}",
    )


def _unlisted(country: str) -> Check:
    return Check(
        gate="geography",
        outcome="unknown",
        message=f"{country} is not among the countries listed, which are not all the eligible "
        "ones: read the call's conditions",
    )


def _budget_gate(call: Call, profile: Profile) -> Check:
    low, high = call.budget.per_project_min, call.budget.per_project_max
    cur = call.budget.currency
    if low is None and high is None:
        return Check(
            gate="budget", outcome="unknown", message="the call gives no per-project amount"
        )
    if profile.budget_min is None and profile.budget_max is None:
        return Check(gate="budget", outcome="unknown", message="the profile gives no budget")
    if high is not None and profile.budget_min is not None and high < profile.budget_min:
        # A smaller grant than planned (a cascade call's €60,000 for a €200,000 plan) can still
        # fund part of the work: worth knowing, not a reason to hide the call.
        return Check(
            gate="budget",
            outcome="flag",
            message=f"at most {high:,.0f} {cur} per project; "
            f"the profile seeks at least {profile.budget_min:,.0f}: a smaller grant than planned",
        )
    if low is not None and profile.budget_max is not None and low > profile.budget_max:
        # A per-project amount is the whole consortium's unless the call is for one applicant:
        # too large to lead alone is not too large to join, so only a single-applicant call
        # is ruled out; otherwise it is worth knowing, not a reason to hide the call.
        message = (
            f"at least {low:,.0f} {cur} per project; "
            f"the profile can handle at most {profile.budget_max:,.0f}"
        )
        if call.min_partners == 1 and not is_consortium_action(call):
            return Check(gate="budget", outcome="blocked", message=message)
        return Check(
            gate="budget",
            outcome="flag",
            message=f"{message}: fits as a partner of a consortium, not alone",
        )
    return Check(
        gate="budget", outcome="pass", message=f"{amount_range(low, high, cur)} per project fits"
    )


def partnership_gap(call: Call, profile: Profile) -> PartnershipGap | None:
    """What the profile's partnership lacks for ``call``'s minimum partners and countries.

    None when it lacks nothing, or when the call or the profile does not say enough to tell.
    Partner countries are known when the profile names them, or says it has no partners.
    """
    if call.min_partners is None and call.min_countries is None:
        return None
    have_partners = None if profile.partners is None else profile.partners + 1
    countries = {c for c in (profile.country, *profile.partner_countries) if c}
    known = bool(profile.partner_countries) or profile.partners == 0
    have_countries = len(countries) if countries and known else None
    more_partners = more_countries = 0
    if call.min_partners is not None and have_partners is not None:
        more_partners = max(0, call.min_partners - have_partners)
    if call.min_countries is not None and have_countries is not None:
        more_countries = max(0, call.min_countries - have_countries)
    if not more_partners and not more_countries:
        return None
    return PartnershipGap(
        partners=max(more_partners, more_countries),  # one new partner at least per country
        countries=more_countries,
        min_partners=call.min_partners,
        min_countries=call.min_countries,
        have_partners=have_partners,
        have_countries=have_countries,
    )


def _partnership_gate(call: Call, profile: Profile) -> Check:
    # Partners can be found: a partnership short of the call's minimum is a gap to close,
    # flagged with what is missing, never a reason to hide the call.
    if call.min_partners is None and call.min_countries is None:
        return Check(
            gate="partnership", outcome="unknown", message="the call states no partnership rule"
        )
    gap = partnership_gap(call, profile)
    if gap is not None:
        asked = []
        if gap.min_partners is not None and gap.have_partners is not None:
            asked.append(
                f"{gap.min_partners} partners (the profile has {gap.have_partners} with itself)"
            )
        if gap.min_countries is not None and gap.have_countries is not None:
            asked.append(f"{gap.min_countries} countries (the profile covers {gap.have_countries})")
        return Check(
            gate="partnership",
            outcome="flag",
            message=f"{gap}: the call asks for {' and '.join(asked)}",
        )
    if call.min_partners is not None and profile.partners is None:
        return Check(
            gate="partnership",
            outcome="unknown",
            message=f"needs {call.min_partners} partners; the profile does not say how many it has",
        )
    if call.min_countries is not None:
        countries = {c for c in (profile.country, *profile.partner_countries) if c}
        known = bool(profile.partner_countries) or profile.partners == 0
        if not countries or not known:
            return Check(
                gate="partnership",
                outcome="unknown",
                message=f"needs partners from {call.min_countries} countries; "
                "the profile does not say where its partners are",
            )
    return Check(gate="partnership", outcome="pass", message="the partnership rules are met")


# Types of action whose per-project amount is a consortium's (Horizon Europe RIA, IA, CSA and
# their lump-sum forms; Interreg projects; EU4Health and LIFE standard action projects): a
# partner joins for a share of it, so a large amount never rules a small organisation out.
_CONSORTIUM_ACTIONS = re.compile(
    r"\b(RIA|IA|CSA|COFUND|PCP|PPI|Research and Innovation|Innovation Actions?|"
    r"Coordination and Support|Interreg|Cooperation partnerships?)\b",
    re.IGNORECASE,
)


def is_consortium_action(call: Call) -> bool:
    """Whether the call's type of action is a consortium grant (its amount is shared)."""
    return call.action_type is not None and bool(_CONSORTIUM_ACTIONS.search(call.action_type))


def _exclude_gate(
    call: Call, profile: Profile, exclusions: Sequence[tuple[str, str]] | None
) -> Check:
    if exclusions is None:
        exclusions = [(term, norm_phrase(term)) for term in profile.exclude]
    if not exclusions:
        return Check(gate="exclude", outcome="pass", message="no excluded terms")
    fields = {
        "title": norm_phrase(call.title),
        "keywords": norm_phrase(" ; ".join((*call.keywords, *call.tags))),
        "description": norm_phrase(call.description),
    }
    for term, norm in exclusions:
        for where, text in fields.items():
            if norm and f" {norm} " in f" {text} ":
                return Check(
                    gate="exclude",
                    outcome="blocked",
                    message=f"mentions excluded term '{term}' in its {where}",
                )
    return Check(gate="exclude", outcome="pass", message="no excluded term found")
