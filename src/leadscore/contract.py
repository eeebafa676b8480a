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
    )


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
