"""CRM field mapping, read from the dbt seed `seeds/crm_field_mapping.csv`.

Seed columns: target, source_column (a `lead_scores` column), crm_field (API name),
crm_type (id / string / integer / double / boolean / datetime) and triggers_sync (true when a
change in this column alone makes the lead due for sync: score, grade, reasons, MQL flag;
probability, model version and timestamps travel along but do not trigger a sync).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from leadscore.config import PROJECT_DIR

Target = Literal["salesforce", "hubspot"]
TARGETS: tuple[Target, ...] = ("salesforce", "hubspot")
CRM_TYPES = ("id", "string", "integer", "double", "boolean", "datetime")
MAPPING_SEED = PROJECT_DIR / "seeds" / "crm_field_mapping.csv"

# What each target's batch file feeds (recorded in the manifest for whoever delivers it).
TARGET_API: dict[str, dict[str, str]] = {
    "salesforce": {
        "api": "Bulk API 2.0 ingest job",
        "object": "Lead",
        "operation": "update",
        "contentType": "CSV",
        "columnDelimiter": "COMMA",
        "lineEnding": "LF",
    },
    "hubspot": {
        "api": "CRM v3 batch update",
        "object": "contacts",
        "endpoint": "POST /crm/v3/objects/contacts/batch/update",
        "contentType": "application/json",
    },
}


class MappingError(ValueError):
    """The mapping seed is malformed for a target."""


@dataclass(frozen=True)
class FieldMap:
    target: str
    source_column: str
    crm_field: str
    crm_type: str
    triggers_sync: bool

    @property
    def is_id(self) -> bool:
        return self.crm_type == "id"


@dataclass(frozen=True)
class TargetMapping:
    target: str
    key: FieldMap  # the CRM record id
    fields: tuple[FieldMap, ...]  # everything but the key, in seed order

    @property
    def trigger_columns(self) -> tuple[str, ...]:
        return tuple(f.source_column for f in self.fields if f.triggers_sync)

    @property
    def crm_fields(self) -> tuple[str, ...]:
        return tuple(f.crm_field for f in self.fields)


def load_mapping(target: str, path: Path | None = None) -> TargetMapping:
    path = path or MAPPING_SEED
    if target not in TARGETS:
        raise MappingError(f"Unknown sync target {target!r}; choose one of {', '.join(TARGETS)}.")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("target", "").strip() == target]
    maps = [
        FieldMap(
            target=target,
            source_column=r["source_column"].strip(),
            crm_field=r["crm_field"].strip(),
            crm_type=r["crm_type"].strip().lower(),
            triggers_sync=r.get("triggers_sync", "false").strip().lower() == "true",
        )
        for r in rows
    ]
    bad = [m.crm_type for m in maps if m.crm_type not in CRM_TYPES]
    if bad:
        raise MappingError(f"{path}: unknown crm_type {bad[0]!r} for {target}.")
    keys = [m for m in maps if m.is_id]
    if len(keys) != 1:
        raise MappingError(
            f"{path}: {target} needs exactly one crm_type=id row, found {len(keys)}."
        )
    fields = tuple(m for m in maps if not m.is_id)
    if not any(m.triggers_sync for m in fields):
        raise MappingError(f"{path}: {target} has no triggers_sync=true field.")
    return TargetMapping(target=target, key=keys[0], fields=fields)
