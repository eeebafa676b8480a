"""File sinks for the exports: CSV appended chunk by chunk, Parquet row group by row group.

CSV goes through DuckDB's writer: minimal quoting (`"` only where needed), `\\n` line ends,
null as an empty field, booleans as `true`/`false`, and fast. Each chunk is written to a part
file and appended, so memory stays bounded by one chunk. Columns must be declared in
the system's contract and come out in the contract's order (`leadscore.landing`).

Parquet is written with fixed settings (zstd, dictionary, fixed row-group per chunk) and no
pandas metadata, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from leadscore.landing import EXPORTS_BY_PATH, ExportFile


def _coerce(table: pa.Table | dict[str, object], spec: ExportFile) -> pa.Table:
    """Declared columns only, in the contract's order; every required one present."""
    if isinstance(table, dict):
        table = pa.table(table)
    missing = [c for c in spec.required if c not in table.column_names]
    extra = [c for c in table.column_names if c not in spec.columns]
    if missing or extra:
        raise ValueError(f"{spec.relpath}: missing columns {missing}, unexpected {extra}")
    ordered = [c for c in spec.columns if c in table.column_names]
    return table.select(ordered).replace_schema_metadata(None)


class CsvSink:
    """One CSV export file, written in appended chunks."""

    def __init__(self, con: duckdb.DuckDBPyConnection, out: Path, relpath: str) -> None:
        self.spec = EXPORTS_BY_PATH[relpath]
        self.path = out / relpath
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)
        self._part = self.path.with_name(self.path.name + ".part")
        self._con = con
        self.rows = 0
        self._header_done = False

    def write(self, table: pa.Table | dict[str, object]) -> None:
        t = _coerce(table, self.spec)
        if t.num_rows == 0 and self._header_done:
            return
        self._con.register("chunk", t)
        header = "false" if self._header_done else "true"
        self._con.execute(
            f"COPY chunk TO '{self._part}' (FORMAT csv, HEADER {header}, DELIMITER ',', "
            "NEW_LINE '\\n')"
        )
        self._con.unregister("chunk")
        with self._part.open("rb") as src, self.path.open("ab") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        self._part.unlink()
        self._header_done = True
        self.rows += t.num_rows

    def close(self) -> None:
        if not self._header_done:
            raise RuntimeError(f"{self.spec.relpath}: nothing written (not even a header)")


class ParquetSink:
    """One Parquet export file; each chunk becomes one row group."""

    def __init__(self, out: Path, relpath: str, filename: str) -> None:
        self.spec = EXPORTS_BY_PATH[relpath]
        self.path = out / self.spec.system / filename
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # staging reads the glob (events*.parquet): stale split files of an older run must go
        for stale in sorted(self.path.parent.glob(self.spec.name)):
            stale.unlink()
        self._writer: pq.ParquetWriter | None = None
        self.rows = 0

    def write(self, table: pa.Table | dict[str, object]) -> None:
        t = _coerce(table, self.spec)
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self.path,
                t.schema,
                compression="zstd",
                compression_level=3,
                use_dictionary=True,
                write_statistics=True,
                version="2.6",
            )
        if t.num_rows:
            self._writer.write_table(t, row_group_size=1 << 20)
            self.rows += t.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def connect() -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB used only as a fast, order-preserving CSV writer."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET threads = 2")
    return con
