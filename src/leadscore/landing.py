"""Landing files of the `export` layout, derived from the system contracts.

The contracts (macros/systems/<system>.sql, read by `leadscore.contract`) declare every table,
its columns and the file a hand export lands in; this module only presents the export
layout's files in the shape the generator and `leadscore validate` use: the file path under
<raw>/<system>/, its headers in contract order, the key and the required columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from leadscore import contract
from leadscore.contract import Table

FileFormat = Literal["csv", "parquet"]


@dataclass(frozen=True)
class ExportFile:
    """One table of a system as a hand export lands it (the `export` layout)."""

    table: Table
    name: str  # file name relative to <raw>/<system>/ (a glob for split files)

    @property
    def system(self) -> str:
        return self.table.system

    @property
    def columns(self) -> tuple[str, ...]:
        """Headers in contract order (an export may lack optional ones)."""
        return tuple(c.export_header for c in self.table.columns)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(self.table.column(k).export_header for k in self.table.key)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.export_header for c in self.table.required)

    @property
    def fmt(self) -> FileFormat:
        return "parquet" if self.name.endswith(".parquet") else "csv"

    @property
    def optional(self) -> bool:
        return self.table.optional

    @property
    def relpath(self) -> str:
        return f"{self.system}/{self.name}"

    def path(self, raw_dir: Path) -> Path:
        return raw_dir / self.system / self.name


def export_files(systems: tuple[str, ...] | None = None) -> tuple[ExportFile, ...]:
    """Every table with an export-layout file, of the given systems (all when None)."""
    return tuple(
        ExportFile(t, t.files["export"])
        for t in contract.tables(systems)
        if t.file("export") is not None
    )


EXPORTS: tuple[ExportFile, ...] = export_files()
EXPORTS_BY_PATH: dict[str, ExportFile] = {e.relpath: e for e in EXPORTS}
SYSTEMS: tuple[str, ...] = tuple(s.name for s in contract.systems())
