"""How a profile would apply to a call, in a few words a person reads on every surface.

Pure: a call and a profile in, text out. The words come from
:func:`fundmatch.display.application_kind`; this module only reads the facts it needs.
"""

from __future__ import annotations

from fundmatch.display import application_kind
from fundmatch.match.gates import is_consortium_action, partnership_gap
from fundmatch.models import Call, Profile

__all__ = ["application"]


def application(call: Call, profile: Profile | None) -> str:
    """How ``profile`` would apply to ``call``: ``alone``, ``as a partner of a consortium
    (€5.4 M per project)``, ``needs 3 partners from 3 countries``, ``in a consortium`` or
    ``partnership not stated``; with what the partnership still lacks (the partnership gate's
    :func:`~fundmatch.match.partnership_gap`): ``needs 5 partners from 5 countries (2 more
    partners from 2 more countries to find)``."""
    gap = None if profile is None else partnership_gap(call, profile)
    return application_kind(
        min_partners=call.min_partners,
        min_countries=call.min_countries,
        per_project_min=call.budget.per_project_min,
        per_project_max=call.budget.per_project_max,
        currency=call.budget.currency,
        consortium_action=is_consortium_action(call),
        budget_max=None if profile is None else profile.budget_max,
        gap=None if gap is None else str(gap),
    )
