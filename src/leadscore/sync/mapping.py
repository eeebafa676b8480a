"""CRM field mapping, read from the dbt seed `seeds/crm_field_mapping.csv`.

Seed columns: record_type (`lead`: a `lead_scores` row to a Salesforce Lead / HubSpot contact;
`account`: an `account_scores` row to a Salesforce Account / HubSpot company), target
(`salesforce`, `hubspot`, or `all` for a field both CRMs get), source_column (a column of that
record type's table), crm_field (API name), crm_type (id / string / integer / double / boolean /
datetime) and triggers_sync (true when a change in this column alone makes the record due for
sync: score, grade, reasons, MQL / MQA flag; probability, model version and timestamps travel
along but do not trigger a sync).

A `target = all` row names the field once, as Salesforce spells it (a custom field,
`Leadscore_Account_Grade__c`); HubSpot's property is the same name lowercased without `__c`
(`leadscore_account_grade`), the rule the lead rows follow (`Lead_Grade__c` / `lead_grade`):
see :func:`crm_field_name`. The key (crm_type `id`) is one row per target, as the CRM ids
differ. A seed without a record_type column holds lead rows only.

Each (target, record type) is one sync *stream* with its own entries in the sync ledger:
`salesforce` and `hubspot` for leads (the names the ledger has always used),
`salesforce_account` and `hubspot_account` for accounts (:func:`sync_stream`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from leadscore.config import PROJECT_DIR

Target = Literal["salesforce", "hubspot"]
TARGETS: tuple[Target, ...] = ("salesforce", "hubspot")
RecordType = Literal["lead", "account"]
RECORD_TYPES: tuple[RecordType, ...] = ("lead", "account")
ALL_TARGETS = "all"
CRM_TYPES = ("id", "string", "integer", "double", "boolean", "datetime")
MAPPING_SEED = PROJECT_DIR / "seeds" / "crm_field_mapping.csv"

#: The table each record type's rows are read from (the engine's default source).
RECORD_TABLES: dict[str, str] = {"lead": "lead_scores", "account": "account_scores"}

# What each stream's batch file feeds (recorded in the manifest for whoever delivers it).
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
    "salesforce_account": {
        "api": "Bulk API 2.0 ingest job",
        "object": "Account",
        "operation": "update",
        "contentType": "CSV",
        "columnDelimiter": "COMMA",
        "lineEnding": "LF",
    },
    "hubspot_account": {
        "api": "CRM v3 batch update",
        "object": "companies",
        "endpoint": "POST /crm/v3/objects/companies/batch/update",
        "contentType": "application/json",
    },
}


class MappingError(ValueError):
    """The mapping seed is malformed for a target."""


def crm_field_name(target: str, salesforce_name: str) -> str:
    """A field's API name in `target`, from its Salesforce name: Salesforce keeps it, HubSpot's
    property is it lowercased without the custom-field suffix (`Lead_Grade__c` -> `lead_grade`)."""
    if target == "salesforce":
        return salesforce_name
    name = salesforce_name[:-3] if salesforce_name.lower().endswith("__c") else salesforce_name
    return name.lower()


def sync_stream(target: str, record_type: str = "lead") -> str:
    """The ledger's name for one target's records of one type: `salesforce` (leads),
    `salesforce_account` (accounts)."""
    return target if record_type == "lead" else f"{target}_{record_type}"


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
    record_type: str = "lead"

    @property
    def stream(self) -> str:
        """The ledger's name for these records (see :func:`sync_stream`)."""
        return sync_stream(self.target, self.record_type)

    @property
    def table(self) -> str:
        """The table these records are read from by default."""
        return RECORD_TABLES[self.record_type]

    @property
    def trigger_columns(self) -> tuple[str, ...]:
        return tuple(f.source_column for f in self.fields if f.triggers_sync)

    @property
    def crm_fields(self) -> tuple[str, ...]:
        return tuple(f.crm_field for f in self.fields)


def load_mapping(
    target: str, path: Path | None = None, *, record_type: str = "lead"
) -> TargetMapping:
    path = path or MAPPING_SEED
    if target not in TARGETS:
        raise MappingError(f"Unknown sync target {target!r}; choose one of {', '.join(TARGETS)}.")
    if record_type not in RECORD_TYPES:
        raise MappingError(
            f"Unknown record type {record_type!r}; choose one of {', '.join(RECORD_TYPES)}."
        )
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if (r.get("record_type") or "lead").strip() == record_type
            and r.get("target", "").strip() in (target, ALL_TARGETS)
        ]
    maps = [
        FieldMap(
            target=target,
            source_column=r["source_column"].strip(),
            crm_field=crm_field_name(target, r["crm_field"].strip())
            if r["target"].strip() == ALL_TARGETS
            else r["crm_field"].strip(),
            crm_type=r["crm_type"].strip().lower(),
            triggers_sync=r.get("triggers_sync", "false").strip().lower() == "true",
        )
        for r in rows
    ]
    what = f"{target} {record_type}s"
    bad = [m.crm_type for m in maps if m.crm_type not in CRM_TYPES]
    if bad:
        raise MappingError(f"{path}: unknown crm_type {bad[0]!r} for {what}.")
    keys = [m for m in maps if m.is_id]
    if len(keys) != 1:
        raise MappingError(f"{path}: {what} need exactly one crm_type=id row, found {len(keys)}.")
    fields = tuple(m for m in maps if not m.is_id)
    if not any(m.triggers_sync for m in fields):
        raise MappingError(f"{path}: {what} have no triggers_sync=true field.")
    return TargetMapping(target=target, key=keys[0], fields=fields, record_type=record_type)
