"""Programme rules as facts: a call inherits its programme's general eligibility rules.

Where a programme's general rules decide eligibility (Horizon Europe: legal entities from
the EU Member States and associated countries; three independent entities from three
countries for research and innovation actions), ``calls/programmes.toml`` states them, each
rule with its document and the day it was read. :func:`inherit_rules` gives a call the facts
of the rules that cover its programme and type of action, only where the call states none
of its own, and records each inherited fact as a :class:`~fundmatch.models.FactSource`
naming the rule document. Unknown stays unknown: a call no rule covers is left as it is.

Pure: used by ``fundmatch update`` on every call it stores and by the snapshot build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fundmatch.models import Call, FactSource
from fundmatch.sources.registry import Programme, ProgrammeRule

__all__ = ["INHERITABLE", "inherit_rules", "programme_for", "rules_for"]

INHERITABLE = ("countries", "min_partners", "min_countries", "co_financing_rate")
"""The Call fields a programme rule can state."""


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _programmes(programmes: Mapping[str, Programme] | Iterable[Programme]) -> list[Programme]:
    return list(programmes.values()) if isinstance(programmes, Mapping) else list(programmes)


def programme_for(
    call: Call, programmes: Mapping[str, Programme] | Iterable[Programme]
) -> Programme | None:
    """The programme whose name (or an alias) is the call's ``programme``, or None."""
    if not call.programme:
        return None
    wanted = _key(call.programme)
    for programme in _programmes(programmes):
        if wanted in {_key(programme.name), *(_key(a) for a in programme.aliases)}:
            return programme
    return None


def _names(action_type: str, listed: str) -> bool:
    """True when the call's type of action is ``listed``: the Portal writes a code, a name or
    both (``HORIZON-CSA HORIZON Coordination and Support Actions``)."""
    have, want = _key(action_type), _key(listed)
    return have == want or have.startswith(want + " ") or have.endswith(" " + want)


def _covers(rule: ProgrammeRule, call: Call) -> bool:
    if rule.action_types and (
        call.action_type is None
        or not any(_names(call.action_type, listed) for listed in rule.action_types)
    ):
        return False
    if rule.call_prefixes:
        identifiers = [i for i in (call.call_id, call.id) if i]
        return any(i.startswith(p) for i in identifiers for p in rule.call_prefixes)
    return True


def rules_for(call: Call, programme: Programme) -> list[ProgrammeRule]:
    """The programme's rules that cover the call (its type of action and identifier)."""
    return [rule for rule in programme.rules if _covers(rule, call)]


def _stated(value: Any) -> bool:
    return value is not None and value != ()


def inherit_rules(call: Call, programmes: Mapping[str, Programme] | Iterable[Programme]) -> Call:
    """The call with its programme's rules filled in where it states nothing of its own.

    For each fact the last covering rule that states it wins (the file lists general rules
    first, narrower ones after). Each rule used is recorded in ``fact_sources`` with the
    facts taken from it. Applying it twice changes nothing more. A cascade-funding call takes
    none: the project running it sets its own rules (a programme's consortium rule is the
    project's, not that of the third parties it funds).
    """
    programme = None if call.kind == "cascade" else programme_for(call, programmes)
    if programme is None:
        return call
    taken: dict[str, tuple[ProgrammeRule, Any]] = {}
    for rule in rules_for(call, programme):
        for field in INHERITABLE:
            value = getattr(rule, field)
            if _stated(value) and not _stated(getattr(call, field)):
                taken[field] = (rule, value)
    if not taken:
        return call
    by_rule: dict[int, list[str]] = {}
    for field, (rule, _) in taken.items():
        by_rule.setdefault(id(rule), []).append(field)
    sources = [
        FactSource(
            url=rule.url,
            read_on=rule.read_on,
            facts=tuple(by_rule[id(rule)]),
            note=f"{programme.name} rule inherited: {rule.document}",
        )
        for rule in programme.rules
        if id(rule) in by_rule
    ]
    update: dict[str, Any] = {field: value for field, (_, value) in taken.items()}
    if "countries" in taken and not taken["countries"][0].countries_complete:
        update["countries_complete"] = False
    update["fact_sources"] = (*call.fact_sources, *sources)
    return Call.model_validate({**call.model_dump(), **update})
