"""fundmatch: find the EU and Interreg funding calls that fit a project.

Usage::

    import fundmatch as fm

    profile = fm.load_profile("calls/profiles/marseille-open-data-sme.toml")
    call = fm.Call(id="X-1", title="Open data for smart cities")
    call.status(now=datetime.now(UTC))
    fm.partners(profile, countries=["EL", "HR"])  # who ran funded projects like it

The whole public API is the names below; everything else is internal.
"""

from fundmatch.config import load_profile as load_profile
from fundmatch.coverage import Coverage as Coverage
from fundmatch.coverage import coverage as coverage
from fundmatch.digest import Digest as Digest
from fundmatch.digest import DigestRun as DigestRun
from fundmatch.digest import Subscription as Subscription
from fundmatch.digest import Subscriptions as Subscriptions
from fundmatch.digest import load_subscriptions as load_subscriptions
from fundmatch.digest import render_digest as render_digest
from fundmatch.digest import run_digests as run_digests
from fundmatch.digest import select_digest as select_digest
from fundmatch.errors import ConfigError as ConfigError
from fundmatch.errors import FetchError as FetchError
from fundmatch.errors import FundmatchError as FundmatchError
from fundmatch.errors import MailError as MailError
from fundmatch.errors import MatchError as MatchError
from fundmatch.errors import ParseError as ParseError
from fundmatch.errors import SourceError as SourceError
from fundmatch.errors import StoreError as StoreError
from fundmatch.export import export_commongrants as export_commongrants
from fundmatch.export import export_csv as export_csv
from fundmatch.export import export_ics as export_ics
from fundmatch.export import export_json as export_json
from fundmatch.export import export_jsonl as export_jsonl
from fundmatch.geo import Region as Region
from fundmatch.geo import region as region
from fundmatch.mail import Delivery as Delivery
from fundmatch.mail import FileMailer as FileMailer
from fundmatch.mail import SmtpMailer as SmtpMailer
from fundmatch.mail import SmtpSettings as SmtpSettings
from fundmatch.match import Matcher as Matcher
from fundmatch.match import Meaning as Meaning
from fundmatch.match import Weights as Weights
from fundmatch.match import rank as rank
from fundmatch.models import ActionBudget as ActionBudget
from fundmatch.models import Budget as Budget
from fundmatch.models import Call as Call
from fundmatch.models import Change as Change
from fundmatch.models import Check as Check
from fundmatch.models import Deadline as Deadline
from fundmatch.models import FactSource as FactSource
from fundmatch.models import FieldChange as FieldChange
from fundmatch.models import LeftOut as LeftOut
from fundmatch.models import Link as Link
from fundmatch.models import Match as Match
from fundmatch.models import Matches as Matches
from fundmatch.models import ParentTopic as ParentTopic
from fundmatch.models import Partner as Partner
from fundmatch.models import Partners as Partners
from fundmatch.models import PartnershipGap as PartnershipGap
from fundmatch.models import Precedent as Precedent
from fundmatch.models import Precedents as Precedents
from fundmatch.models import Priority as Priority
from fundmatch.models import Profile as Profile
from fundmatch.models import ProjectRole as ProjectRole
from fundmatch.models import Reason as Reason
from fundmatch.models import json_schemas as json_schemas
from fundmatch.partners import partners as partners
from fundmatch.partners import precedents as precedents
from fundmatch.ranking import shortlist as shortlist
from fundmatch.report import render_report as render_report
from fundmatch.sources.feeds import parse_feed as parse_feed
from fundmatch.sources.ftportal import parse_ftportal as parse_ftportal
from fundmatch.sources.ftportal import parse_topic_details as parse_topic_details
from fundmatch.sources.registry import Source as Source
from fundmatch.sources.registry import load_sources as load_sources
from fundmatch.sources.snapshot import load_snapshot as load_snapshot
from fundmatch.store import Provenance as Provenance
from fundmatch.store import SourceState as SourceState
from fundmatch.store import Store as Store
from fundmatch.store import StoredCall as StoredCall
from fundmatch.update import SourceResult as SourceResult
from fundmatch.update import update as update

__version__ = "0.1.0.dev0"

__all__ = [
    "ActionBudget",
    "Budget",
    "Call",
    "Change",
    "Check",
    "ConfigError",
    "Coverage",
    "Deadline",
    "Delivery",
    "Digest",
    "DigestRun",
    "FactSource",
    "FetchError",
    "FieldChange",
    "FileMailer",
    "FundmatchError",
    "LeftOut",
    "Link",
    "MailError",
    "Match",
    "MatchError",
    "Matcher",
    "Matches",
    "Meaning",
    "ParentTopic",
    "ParseError",
    "Partner",
    "Partners",
    "PartnershipGap",
    "Precedent",
    "Precedents",
    "Priority",
    "Profile",
    "ProjectRole",
    "Provenance",
    "Reason",
    "Region",
    "SmtpMailer",
    "SmtpSettings",
    "Source",
    "SourceError",
    "SourceResult",
    "SourceState",
    "Store",
    "StoreError",
    "StoredCall",
    "Subscription",
    "Subscriptions",
    "Weights",
    "__version__",
    "coverage",
    "export_commongrants",
    "export_csv",
    "export_ics",
    "export_json",
    "export_jsonl",
    "json_schemas",
    "load_profile",
    "load_snapshot",
    "load_sources",
    "load_subscriptions",
    "parse_feed",
    "parse_ftportal",
    "parse_topic_details",
    "partners",
    "precedents",
    "rank",
    "region",
    "render_digest",
    "render_report",
    "run_digests",
    "select_digest",
    "shortlist",
    "update",
]
