"""The published JSON form: full dumps and the JSON Schema of each published model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from fundmatch.models.call import Call
from fundmatch.models.changes import Change
from fundmatch.models.profile import Profile
from fundmatch.models.results import Match


def json_dump(item: Call | Match) -> dict[str, Any]:
    """``item.model_dump(mode="json")`` with every field of the published schema: a call's
    empty ``priorities`` and ``fact_sources``, left out of ordinary dumps, are written as
    ``[]``, its unknown ``kind`` and ``parent`` as null."""
    data = item.model_dump(mode="json")
    call = data if isinstance(item, Call) else data["call"]
    call.setdefault("priorities", [])
    call.setdefault("fact_sources", [])
    call.setdefault("kind", None)
    call.setdefault("parent", None)
    return data


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect pydantic writes (``$schema`` of every published schema)."""


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each published model, by file stem (``call``, ``profile``, ...).

    Each carries ``$schema`` (draft 2020-12) and an ``$id`` naming it
    (``urn:fundmatch:schema:call``), so a validator knows the dialect and a document can
    point at the schema it follows.
    """
    models: dict[str, type[BaseModel]] = {
        "call": Call,
        "profile": Profile,
        "match": Match,
        "change": Change,
    }
    return {
        name: {
            "$schema": SCHEMA_DIALECT,
            "$id": f"urn:fundmatch:schema:{name}",
            **model.model_json_schema(mode="serialization"),
        }
        for name, model in models.items()
    }
