"""The data model: calls, their deadlines and budgets, project profiles, matches and changes.

Plain, frozen pydantic models with no I/O (loading a profile file lives in ``config.py``).
Field docstrings are the documentation and flow into the JSON Schema (``fundmatch schema``).

One module per noun: ``base`` (the base model, vocabularies and field types), ``call`` (a call
and its parts), ``profile``, ``results`` (reasons, checks, matches), ``partners`` (candidate
partners and precedents), ``changes`` (store history) and ``schema`` (the published JSON
form). Every name is imported from here; the classes keep ``fundmatch.models`` as their
module, so pickles and documentation name them as before.
"""

from __future__ import annotations

from fundmatch.models.base import Amount as Amount
from fundmatch.models.base import (
    CallKind,
    CallStatus,
    DeadlineModel,
    Instrument,
    OrganisationType,
)
from fundmatch.models.base import Country as Country
from fundmatch.models.base import FundmatchModel as FundmatchModel
from fundmatch.models.base import HttpUrl as HttpUrl
from fundmatch.models.base import Language as Language
from fundmatch.models.base import NutsCode as NutsCode
from fundmatch.models.base import Rate as Rate
from fundmatch.models.base import RequiredUrl as RequiredUrl
from fundmatch.models.call import (
    ActionBudget,
    Budget,
    Call,
    Deadline,
    FactSource,
    Link,
    ParentTopic,
    Priority,
)
from fundmatch.models.changes import Change, FieldChange
from fundmatch.models.partners import Partner, Partners, Precedent, Precedents, ProjectRole
from fundmatch.models.profile import Profile
from fundmatch.models.results import Check, LeftOut, Match, Matches, PartnershipGap, Reason
from fundmatch.models.schema import SCHEMA_DIALECT as SCHEMA_DIALECT
from fundmatch.models.schema import json_dump, json_schemas

__all__ = [
    "ActionBudget",
    "Budget",
    "Call",
    "CallKind",
    "CallStatus",
    "Change",
    "Check",
    "Deadline",
    "DeadlineModel",
    "FactSource",
    "FieldChange",
    "Instrument",
    "LeftOut",
    "Link",
    "Match",
    "Matches",
    "OrganisationType",
    "ParentTopic",
    "Partner",
    "Partners",
    "PartnershipGap",
    "Precedent",
    "Precedents",
    "Priority",
    "Profile",
    "ProjectRole",
    "Reason",
    "json_dump",
    "json_schemas",
]

# The classes and functions name this package as their module, as when it was one file:
# pickles, reprs and documentation keep ``fundmatch.models.Call``.
for _public in (
    FundmatchModel,
    Deadline,
    ActionBudget,
    Budget,
    FactSource,
    Link,
    Priority,
    ParentTopic,
    Call,
    Profile,
    Reason,
    Check,
    PartnershipGap,
    Match,
    Matches,
    LeftOut,
    FieldChange,
    Change,
    Partner,
    Partners,
    Precedent,
    Precedents,
    ProjectRole,
    json_dump,
    json_schemas,
):
    _public.__module__ = __name__
del _public
