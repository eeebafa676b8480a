"""Batch files in the formats the CRM APIs take, and validators for them.

Salesforce Bulk API 2.0 (ingest job, operation=update, CSV): UTF-8, comma delimiter, LF line
endings, a header of field API names with `Id` first, ISO-8601 datetimes in UTC
(`2025-03-04T14:15:22.000Z`), booleans `true`/`false`. An empty cell means "leave unchanged"
in Bulk API 2.0, so a value that became null is written as `#N/A` (Salesforce's "set to null").
A cell that a spreadsheet would read as a formula (leading `=`, `+`, `-`, `@`, tab, CR) is
written with a leading apostrophe, as OWASP advises for CSV files people open.

HubSpot CRM v3 batch update (`POST /crm/v3/objects/contacts/batch/update`): a JSON body
`{"inputs": [{"id": "<record id>", "properties": {"<property>": "<string>"}}]}`; every
property value is a string and an empty string clears the property.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from leadscore.sync.mapping import TargetMapping

SF_NULL = "#N/A"
SF_ID_RE = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")
HUBSPOT_ID_RE = re.compile(r"^[0-9]+$")
TYPE_RE: dict[str, re.Pattern[str]] = {
    "integer": re.compile(r"^-?[0-9]+$"),
    "double": re.compile(r"^-?[0-9]+(\.[0-9]+)?$"),
    "boolean": re.compile(r"^(true|false)$"),
    "datetime": re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"),
    "string": re.compile(r"^.*$", re.DOTALL),
}


def format_value(value: Any, crm_type: str) -> str | None:
    """Render one value as the CRM text for `crm_type`; None for null."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if crm_type == "boolean":
        if isinstance(value, str):
            return "true" if value.strip().lower() in ("true", "1", "t", "yes") else "false"
        return "true" if bool(value) else "false"
    if crm_type == "integer":
        return str(round(float(value)))
    if crm_type == "double":
        text = f"{float(value):.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    if crm_type == "datetime":
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, datetime):
            value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
            return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
        if isinstance(value, date):
            return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, Decimal | float | int) and crm_type in ("id", "string"):
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value)


#: Leading characters a spreadsheet reads as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def formula_safe(cell: str) -> str:
    """A CSV cell Excel and Sheets show as text: one starting with = + - @ tab or CR gets a
    leading apostrophe (OWASP's advice); numbers, such as -5, are left as they are."""
    if cell.startswith(FORMULA_START) and not NUMBER_RE.match(cell):
        return "'" + cell
    return cell


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a hidden temp file and rename; the temp file never outlives a failure."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def salesforce_csv(mapping: TargetMapping, rows: Sequence[Sequence[Any]]) -> bytes:
    """rows: (crm_id, value per mapping.fields...) -> Bulk API 2.0 update CSV bytes."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([mapping.key.crm_field, *mapping.crm_fields])
    types = [f.crm_type for f in mapping.fields]
    for row in rows:
        cells = [format_value(v, t) for v, t in zip(row[1:], types, strict=True)]
        safe = [SF_NULL if c is None else formula_safe(c) for c in cells]
        writer.writerow([formula_safe(str(row[0])), *safe])
    return buf.getvalue().encode("utf-8")


def hubspot_json(mapping: TargetMapping, rows: Sequence[Sequence[Any]]) -> bytes:
    """rows: (crm_id, value per mapping.fields...) -> batch update request body bytes."""
    types = [f.crm_type for f in mapping.fields]
    inputs = []
    for row in rows:
        props = {
            f.crm_field: (format_value(v, t) or "")
            for f, v, t in zip(mapping.fields, row[1:], types, strict=True)
        }
        inputs.append({"id": format_value(row[0], "id"), "properties": props})
    return (json.dumps({"inputs": inputs}, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def render(mapping: TargetMapping, rows: Sequence[Sequence[Any]]) -> tuple[str, bytes]:
    """(file suffix, bytes) of one batch for mapping.target."""
    if mapping.target == "salesforce":
        return ".csv", salesforce_csv(mapping, rows)
    return ".json", hubspot_json(mapping, rows)


def write_batch(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, data)


# ---------------------------------------------------------------- validators (tests, self-check)


def validate_salesforce_csv(path: Path, mapping: TargetMapping, max_records: int) -> list[str]:
    """Problems with a Salesforce batch file (empty list = valid)."""
    raw = path.read_bytes()
    problems: list[str] = []
    if b"\r" in raw:
        problems.append("CR found: Bulk API job declares lineEnding=LF")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"not UTF-8 at byte {exc.start}"]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return ["empty file"]
    header, body = rows[0], rows[1:]
    expected = [mapping.key.crm_field, *mapping.crm_fields]
    if header != expected:
        problems.append(f"header {header} != {expected}")
    if header[:1] != ["Id"]:
        problems.append("first column must be Id")
    if not body:
        problems.append("no records")
    if len(body) > max_records:
        problems.append(f"{len(body)} records > limit {max_records}")
    types = [f.crm_type for f in mapping.fields]
    for n, row in enumerate(body, start=2):
        if len(row) != len(expected):
            problems.append(f"line {n}: {len(row)} cells, expected {len(expected)}")
            continue
        if not SF_ID_RE.match(row[0]):
            problems.append(f"line {n}: bad Salesforce Id {row[0]!r}")
        for cell, crm_type, name in zip(row[1:], types, expected[1:], strict=True):
            if cell == "":
                problems.append(f"line {n}: {name} empty (use #N/A for null)")
            elif cell != SF_NULL and not TYPE_RE[crm_type].match(cell):
                problems.append(f"line {n}: {name}={cell!r} is not a valid {crm_type}")
        if len(problems) > 20:
            break
    return problems


def validate_hubspot_json(path: Path, mapping: TargetMapping, max_records: int) -> list[str]:
    """Problems with a HubSpot batch file (empty list = valid)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not UTF-8 JSON: {exc}"]
    if not isinstance(doc, dict) or set(doc) != {"inputs"} or not isinstance(doc["inputs"], list):
        return ['top level must be {"inputs": [...]}']
    inputs = doc["inputs"]
    problems: list[str] = []
    if not inputs:
        problems.append("no records")
    if len(inputs) > max_records:
        problems.append(f"{len(inputs)} inputs > limit {max_records}")
    wanted = set(mapping.crm_fields)
    types = {f.crm_field: f.crm_type for f in mapping.fields}
    ids: set[str] = set()
    for i, item in enumerate(inputs):
        if not isinstance(item, dict) or set(item) != {"id", "properties"}:
            problems.append(f"inputs[{i}]: keys must be id, properties")
            continue
        rid, props = item["id"], item["properties"]
        if not isinstance(rid, str) or not HUBSPOT_ID_RE.match(rid):
            problems.append(f"inputs[{i}]: id {rid!r} is not a HubSpot record id string")
        if rid in ids:
            problems.append(f"inputs[{i}]: duplicate id {rid}")
        ids.add(rid)
        if not isinstance(props, dict) or set(props) != wanted:
            problems.append(f"inputs[{i}]: properties {sorted(props)} != {sorted(wanted)}")
            continue
        for name, value in props.items():
            if not isinstance(value, str):
                problems.append(f"inputs[{i}].{name}: value must be a string")
            elif value and not TYPE_RE[types[name]].match(value):
                problems.append(f"inputs[{i}].{name}={value!r} is not a valid {types[name]}")
        if len(problems) > 20:
            break
    return problems


def validate_batch_file(path: Path, mapping: TargetMapping, max_records: int) -> list[str]:
    if mapping.target == "salesforce":
        return validate_salesforce_csv(path, mapping, max_records)
    return validate_hubspot_json(path, mapping, max_records)
