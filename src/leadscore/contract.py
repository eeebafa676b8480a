"""The landing contracts in Python: the same declarations dbt stages with.

Each source system declares its tables once, in `macros/systems/<system>.sql` (a YAML
document inside a dbt macro, so dbt reads it at parse time and a new system is a new file).
This module reads the same YAML for `leadscore validate`, the generator's connector layouts
and the generated docs (docs/contract.md), and applies the same spelling rule as
macros/contract.sql: a landed column matches a declared one when both are equal in lower case
with only letters and digits kept ("Create Date" = `createdate` = `CREATEDATE`), trying the
declared name, its labels, then the layout's column prefix (`property_createdate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from leadscore.config import PROJECT_DIR

LAYOUTS: tuple[str, ...] = ("export", "fivetran", "airbyte")
_YAML_BLOCK = re.compile(
    r"{%\s*macro\s+system__(?P<name>\w+)__yaml\(\)\s*%}(?P<body>.*?){%\s*endmacro\s*%}", re.S
)


class ContractError(ValueError):
    """A contract file that cannot be read, or a name that is not declared."""


def column_key(name: str) -> str:
    """The spelling rule: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Column:
    name: str
    alias: str
    type: str = "text"
    required: bool = False
    labels: tuple[str, ...] = ()
    header: str | None = None
    fivetran: str | None = None
    airbyte: str | None = None
    prefixed: bool = True
    export_only: bool = False
    description: str = ""
    pii: bool = False
    minimum: float | None = None
    maximum: float | None = None
    formats: tuple[str, ...] = ()
    attribute: str | None = None

    @property
    def export_header(self) -> str:
        """The column's header in a hand export (the export layout)."""
        return self.header or self.name

    @classmethod
    def from_yaml(cls, raw: dict[str, Any]) -> Column:
        return cls(
            name=str(raw["name"]),
            alias=str(raw.get("as") or raw["name"]),
            type=str(raw.get("type", "text")),
            required=bool(raw.get("required", False)),
            labels=tuple(str(x) for x in raw.get("labels") or ()),
            header=raw.get("header"),
            fivetran=raw.get("fivetran"),
            airbyte=raw.get("airbyte"),
            prefixed=bool(raw.get("prefixed", True)),
            export_only=bool(raw.get("export_only", False)),
            description=str(raw.get("description") or ""),
            pii=bool(raw.get("pii", False)),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            formats=tuple(raw.get("formats") or ()),
            attribute=raw.get("attribute"),
        )


@dataclass(frozen=True)
class Layout:
    name: str
    description: str = ""
    time_zone: str = "UTC"
    time_zone_var: str | None = None
    column_prefix: str | None = None
    json_column: str | None = None
    deleted: tuple[str, ...] = ()
    active: str | None = None
    synced: str | None = None


@dataclass(frozen=True)
class Table:
    system: str
    name: str
    entity: str
    model: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    files: dict[str, str] = field(default_factory=dict)
    identifiers: dict[str, str] = field(default_factory=dict)
    union_tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    latest: str | None = None
    deleted: str | None = None
    optional: bool = False
    attributes_column: str | None = None

    @property
    def base_model(self) -> str:
        return f"base_{self.system}__{self.model}"

    @property
    def staged_model(self) -> str:
        return f"stg_{self.system}__{self.model}"

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required or c.name in self.key)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise ContractError(f"{self.system}.{self.name} declares no column {name!r}")

    def identifier(self, layout: str) -> str:
        return self.identifiers.get(layout, self.name)

    def file(self, layout: str) -> str | None:
        """The landing file (or glob) of the layout, relative to <raw>/<system>/."""
        return self.files.get(layout)


@dataclass(frozen=True)
class System:
    name: str
    label: str
    description: str
    layouts: dict[str, Layout]
    tables: tuple[Table, ...]
    path: Path
    optional: bool = False  # a run without its landing folder is normal, not worth a notice

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise ContractError(f"the {self.name} contract has no table {name!r}")

    def spellings(self, column: Column, layout: str) -> list[str]:
        """Spellings a declared column may have in a layout, in order of preference."""
        names = [column.name]
        names += [
            x
            for x in (column.header, *column.labels, column.fivetran, column.airbyte)
            if x is not None
        ]
        prefix = self.layouts[layout].column_prefix
        if prefix and column.prefixed:
            names.append(prefix + column.name)
        return names

    def column_name(self, column: Column, layout: str) -> str:
        """The column's name in a connector's table (what the connector lands)."""
        prefix = self.layouts[layout].column_prefix
        if layout == "fivetran":
            if column.fivetran:
                return column.fivetran
            return (
                f"{prefix}{column.name}" if prefix and column.prefixed else snake_case(column.name)
            )
        if layout == "airbyte" and column.airbyte:
            return column.airbyte
        if layout == "export":
            return column.export_header
        return f"{prefix}{column.name}" if prefix and column.prefixed else column.name

    def matching_columns(self, column: Column, layout: str, present: Sequence[str]) -> list[str]:
        """Landed columns that hold a declared column (macros/contract.sql's rule)."""
        found: list[str] = []
        for spelling in self.spellings(column, layout):
            key = column_key(spelling)
            for name in present:
                if column_key(name) == key and name not in found:
                    found.append(name)
        return found


def _system_from_yaml(raw: dict[str, Any], path: Path) -> System:
    name = str(raw["name"])
    layouts = {
        lname: Layout(
            name=lname,
            description=str(spec.get("description") or ""),
            time_zone=str(spec.get("time_zone") or "UTC"),
            time_zone_var=spec.get("time_zone_var"),
            column_prefix=spec.get("column_prefix"),
            json_column=spec.get("json_column"),
            deleted=tuple(spec.get("deleted") or ()),
            active=spec.get("active"),
            synced=spec.get("synced"),
        )
        for lname, spec in (raw.get("layouts") or {}).items()
    }
    tables = []
    for t in raw.get("tables") or ():
        key = t["key"]
        tables.append(
            Table(
                system=name,
                name=str(t["name"]),
                entity=str(t.get("entity") or t["name"]),
                model=str(t.get("model") or t["name"]),
                columns=tuple(Column.from_yaml(c) for c in t["columns"]),
                key=(key,) if isinstance(key, str) else tuple(key),
                description=str(t.get("description") or ""),
                files=dict(t.get("files") or {}),
                identifiers=dict(t.get("identifiers") or {}),
                union_tables={k: tuple(v) for k, v in (t.get("union_tables") or {}).items()},
                latest=t.get("latest"),
                deleted=t.get("deleted"),
                optional=bool(t.get("optional", False)),
                attributes_column=t.get("attributes_column"),
            )
        )
    return System(
        name=name,
        label=str(raw.get("label") or name),
        description=str(raw.get("description") or ""),
        layouts=layouts,
        tables=tuple(tables),
        path=path,
        optional=bool(raw.get("optional", False)),
    )


COLUMN_KEYS = frozenset(
    [
        "name",
        "as",
        "type",
        "required",
        "labels",
        "header",
        "fivetran",
        "airbyte",
        "prefixed",
        "export_only",
        "description",
        "pii",
        "min",
        "max",
        "formats",
        "attribute",
        "default",
        "first_of_list",
        "integer_id",
        "lowercase",
        "fold_case_in_key",
        "future_ok",
    ]
)
TABLE_KEYS = frozenset(
    [
        "name",
        "entity",
        "model",
        "description",
        "files",
        "identifiers",
        "union_tables",
        "attributes_column",
        "key",
        "latest",
        "deleted",
        "optional",
        "columns",
    ]
)
LAYOUT_KEYS = frozenset(
    [
        "description",
        "time_zone",
        "time_zone_var",
        "column_prefix",
        "json_column",
        "deleted",
        "active",
        "synced",
    ]
)


def unknown_keys(path: Path) -> list[str]:
    """Keys of a contract file that no part of the engine reads (typos), as `where: key`."""
    raw = yaml.safe_load(_YAML_BLOCK.search(path.read_text(encoding="utf-8")).group("body"))
    found = [
        f"layouts.{n}: {k}"
        for n, lay in raw["layouts"].items()
        for k in lay
        if k not in LAYOUT_KEYS
    ]
    for t in raw["tables"]:
        found += [f"{t['name']}: {k}" for k in t if k not in TABLE_KEYS]
        for c in t["columns"]:
            found += [f"{t['name']}.{c['name']}: {k}" for k in c if k not in COLUMN_KEYS]
    return found


def read_contract_file(path: Path) -> System:
    text = path.read_text(encoding="utf-8")
    match = _YAML_BLOCK.search(text)
    if not match:
        raise ContractError(f"{path}: no `system__<name>__yaml` macro with the contract YAML")
    try:
        raw = yaml.safe_load(match.group("body"))
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: the contract YAML does not parse: {exc}") from exc
    system = _system_from_yaml(raw, path)
    if system.name != match.group("name"):
        raise ContractError(f"{path}: macro system__{match.group('name')} declares {system.name}")
    return system


@cache
def _load(folder: Path) -> tuple[System, ...]:
    return tuple(read_contract_file(p) for p in sorted(folder.glob("*.sql")))


def systems(project_dir: Path = PROJECT_DIR) -> tuple[System, ...]:
    """Every system contract of the project, sorted by name."""
    return _load(project_dir / "macros" / "systems")


def system(name: str, project_dir: Path = PROJECT_DIR) -> System:
    for s in systems(project_dir):
        if s.name == name:
            return s
    known = ", ".join(s.name for s in systems(project_dir))
    raise ContractError(f"unknown system {name!r}; known: {known}")


def tables(selected: Iterable[str] | None = None) -> list[Table]:
    """Tables of the selected systems (all when None)."""
    wanted = set(selected) if selected is not None else None
    return [t for s in systems() for t in s.tables if wanted is None or s.name in wanted]


def render_markdown() -> str:
    """docs/contract.md: every system's tables and columns, and each layout's spellings."""
    out = [
        "# Landing contracts",
        "",
        "Generated from `macros/systems/<system>.sql` by `leadscore contract --write` (a test",
        "checks it is current). Staging, `leadscore validate`, rejected rows, reconciliation and",
        "field_quality all read these declarations; change the contract, not this page.",
        "",
        "**Spelling rule.** A landed column holds a declared column when both are equal in lower",
        "case with only letters and digits kept (`CreatedDate` = `created_date` = `Created Date`),",
        "trying the declared name, the export header, other labels, the connector's own name,",
        "then the layout's column prefix (HubSpot: `property_` for Fivetran, `properties_` or the",
        "`properties` JSON object for Airbyte). Several matches are coalesced in that order.",
        "",
        "**Types.** `id` trimmed text (`123.0` from a float column reads `123`); `text`; `email`",
        "normalized; `domain` bare host; `boolean` from true/false, t/f, 1/0, yes/no, y/n;",
        "`integer`, `number`; `timestamp` as UTC from ISO 8601 with `Z` or an offset (also",
        "`+0000`, ` +00:00`, ` UTC`), `YYYY-MM-DD[ T]HH:MM[:SS[.f]]` in the layout's time zone, or",
        "epoch milliseconds; `date` from `YYYY-MM-DD`, the date part of a timestamp (connectors",
        "land date fields as midnight timestamps), epoch milliseconds, and `us_date` (MM/DD/YYYY)",
        "where declared; `json` must parse. A required column's bad value rejects the row",
        "(`unparseable_<column>`); an optional column's is staged as null, named in the row's",
        "`parse_issues` and counted in `field_quality` against `unparseable_value_share`.",
        "",
        "**Switches** (dbt vars): `<system>_enabled`, `<system>__<table>_enabled` (optional",
        "tables), `<system>_layout`, `<system>_schema` / `<system>_database` (read tables instead",
        "of files), `<system>_<table>_identifier`, `<system>__<table>_pass_through_columns`.",
        "",
    ]
    for s in systems():
        out += [f"## {s.label} (`{s.name}`)", "", s.description, "", "| layout | what lands |"]
        out.append("|---|---|")
        for layout in s.layouts.values():
            notes = [layout.description.rstrip(".")]
            zone = (
                f"var `{layout.time_zone_var}` (default {layout.time_zone})"
                if (layout.time_zone_var)
                else layout.time_zone
            )
            notes.append(f"times without an offset: {zone}")
            if layout.deleted:
                notes.append("deletes: " + ", ".join(f"`{d}`" for d in layout.deleted))
            if layout.synced:
                notes.append(f"synced: `{layout.synced}`")
            out.append(f"| `{layout.name}` | {'; '.join(notes)} |")
        out.append("")
        for t in s.tables:
            files = ", ".join(f"{k}: `{v}`" for k, v in t.files.items())
            idents = {lay: t.identifier(lay) for lay in s.layouts if lay != "export"}
            union = {k: ", ".join(v) for k, v in t.union_tables.items()}
            out += [
                f"### `{s.name}.{t.name}` ({t.entity}){' (optional)' if t.optional else ''}",
                "",
                t.description,
                "",
                f"Key: {', '.join(f'`{k}`' for k in t.key)}. Files: {files or 'none'}. "
                + "Tables: "
                + ", ".join(f"{k}: `{v}`" for k, v in idents.items())
                + (
                    f". Per-type tables ({', '.join(union)}): {'; '.join(union.values())}"
                    if union
                    else ""
                )
                + f". Models: `{t.base_model}`, `{t.staged_model}`.",
                "",
                "| column | staged as | type | required | export header | fivetran | airbyte |",
                "|---|---|---|---|---|---|---|",
            ]
            for c in t.columns:
                req = "yes" if (c.required or c.name in t.key) else ""
                bounds = [f">= {c.minimum}"] if c.minimum is not None else []
                bounds += [f"<= {c.maximum}"] if c.maximum is not None else []
                kind = c.type + (f" ({', '.join(bounds)})" if bounds else "")
                kind += " PII" if c.pii else ""
                ft, ab = (
                    f"`{s.column_name(c, lay)}`" if lay in s.layouts and not c.export_only else "-"
                    for lay in ("fivetran", "airbyte")
                )
                cells = [f"`{c.name}`", f"`{c.alias}`", kind, req, c.export_header, ft, ab]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def snake_case(name: str) -> str:
    """Fivetran's column naming: CamelCase split, non-alphanumerics as `_`, lower case."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_")
    return re.sub(r"_+", "_", s).lower()
