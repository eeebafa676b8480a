"""Inbound validation of landing files (`leadscore validate`), before dbt runs.

Which files, and what a file must hold, come from the system contracts
(macros/systems/<system>.sql via `leadscore.contract`): the same tables, the same declared
columns and the same spelling rule staging uses, for each system's layout (`export` files as
the tool exports them, or a connector's tables landed as files). Validation judges the *file*;
staging judges each *row* with the same declaration (one judge), so a row-level problem here
(an empty id, a duplicate key) is reported as a warning with its count, and the row is
quarantined by staging with its reason; only file-level faults fail:

Python, streaming the raw bytes in 16 MB chunks (CSV only):
  - a required table's file present (an optional table may be absent: staged as empty);
    valid UTF-8 (first bad byte -> its byte offset and line number); a missing final newline
    hints at truncation (warning).
  - header row: every required declared column present under any accepted spelling (error
    per missing column, naming the spellings tried), optional declared columns (warning:
    staging null-fills them), duplicate names (error), columns no contract declares (warning).
DuckDB SQL, one multi-threaded scan of the whole file (`read_csv`, all VARCHAR, strict mode):
  - the file parses as CSV with the header's column count on every row (error names the line);
  - row count, and against the previous accepted load (`last_counts.json` next to the
    reports; a drop of more than `max_row_drop` fails: "truncated?");
  - empty required values and duplicate keys (warnings with counts: staging rejects those rows).
Great Expectations (pandas datasource, ephemeral context), on the first `sample_rows` rows:
  - the same expectations as a suite (required columns exist, not null, unique key); a missing
    column fails, row-level results are warnings.

Outputs: `<report-dir>/inbound_validation.html` (self-contained), `inbound_validation.json`,
and `last_counts.json` (updated only for files that passed).
"""

from __future__ import annotations

import codecs
import csv
import html
import json
import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from leadscore import contract
from leadscore.contract import Column, System, Table
from leadscore.quality._gx import Expectation, run_suite

CHUNK = 16 * 1024 * 1024
STATE_FILE = "last_counts.json"
REPORT_HTML = "inbound_validation.html"
REPORT_JSON = "inbound_validation.json"


@dataclass(frozen=True)
class LandingFile:
    """One landing file (or glob of split files) of a contract table in a layout."""

    system: System
    table: Table
    layout: str
    name: str  # relative to <raw>/<system>/

    @property
    def relpath(self) -> str:
        return f"{self.system.name}/{self.name}"

    def path(self, raw_dir: Path) -> Path:
        return raw_dir / self.system.name / self.name

    @property
    def fmt(self) -> str:
        return "parquet" if self.name.endswith(".parquet") else "csv"

    @property
    def per_type(self) -> bool:
        """One of a connector's per-type tables (e.g. Fivetran's Marketo activity_*)."""
        return bool(self.table.union_tables.get(self.layout))


def landing_files(
    raw_dir: Path, layouts: Mapping[str, str] | None = None, systems: set[str] | None = None
) -> list[LandingFile]:
    """The files staging reads for each system (all contract systems when `systems` is None).

    Mirrors macros/contract.sql's `landed_location`: the export layout's declared file name;
    other layouts `<identifier>.parquet` or `.csv`; a connector's per-type tables each as
    `<table>.parquet|.csv` when present.
    """
    layouts = layouts or {}
    out: list[LandingFile] = []
    for sys_ in contract.systems():
        if systems is not None and sys_.name not in systems:
            continue
        layout = layouts.get(sys_.name, "export")
        for table in sys_.tables:
            per_type = table.union_tables.get(layout)
            if per_type:
                for name in per_type:
                    for ext in (".parquet", ".csv"):
                        if (raw_dir / sys_.name / f"{name}{ext}").exists():
                            out.append(LandingFile(sys_, table, layout, f"{name}{ext}"))
                            break
                continue
            declared = table.file(layout)
            if declared is None:
                ident = table.identifier(layout)
                declared = next(
                    (
                        f"{ident}{ext}"
                        for ext in (".parquet", ".csv")
                        if (raw_dir / sys_.name / f"{ident}{ext}").exists()
                    ),
                    f"{ident}.csv",
                )
            out.append(LandingFile(sys_, table, layout, declared))
    return out


@dataclass(frozen=True)
class InboundSettings:
    max_row_drop: float = 0.5  # fail when rows fall by more than this vs the previous load
    sample_rows: int = 50_000  # rows per file handed to Great Expectations


@dataclass
class Check:
    check: str
    status: str  # pass | warn | fail
    message: str
    column: str | None = None
    observed: Any = None
    example: Any = None
    engine: str = "duckdb"


@dataclass
class FileReport:
    file: str
    path: str
    rows: int | None = None
    previous_rows: int | None = None
    seconds: float = 0.0
    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> str:
        states = {c.status for c in self.checks}
        return "fail" if "fail" in states else "warn" if "warn" in states else "pass"

    def add(self, check: str, status: str, message: str, **kw: Any) -> None:
        self.checks.append(Check(check, status, f"{self.file}: {message}", **kw))


@dataclass
class InboundReport:
    raw_dir: str
    report_dir: str
    started_at: str
    seconds: float
    settings: dict[str, Any]
    files: list[FileReport]
    html_path: str = ""
    json_path: str = ""

    @property
    def passed(self) -> bool:
        return all(f.status != "fail" for f in self.files)

    @property
    def errors(self) -> list[str]:
        return [c.message for f in self.files for c in f.checks if c.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        for f, fd in zip(self.files, data["files"], strict=True):
            fd["status"] = f.status
        return data


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def scan_utf8(path: Path) -> tuple[int | None, int | None, str, bool]:
    """(bad byte offset, its 1-based line, hex of the bad bytes, ends with newline)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pos = exc.start - pending  # position inside this chunk (may be < 0)
                bad = offset + pos
                prefix = chunk[: max(pos, 0)]
                return (
                    bad,
                    lines + prefix.count(b"\n") + 1,
                    exc.object[exc.start : exc.end].hex(),
                    False,
                )
            lines += chunk.count(b"\n")
            offset += len(chunk)
            last = chunk[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset, lines + 1, "(truncated multi-byte sequence)", False
    return None, None, "", last == b"\n"


def _read_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh), [])


def _load_state(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def without_row_contents(message: str) -> str:
    """A DuckDB read error without the landed row it quotes (it may hold names and emails):
    the file, line and cause stay, `Original Line: ...` and the fix-up hints go."""
    kept = message.split("Possible fixes")[0]
    kept = re.sub(r"Original Line:.*?(?=\n\S|$)", "Original Line: (not shown)", kept, flags=re.S)
    kept = re.sub(r"(?m)^Line: \d+\s*$", "", kept)
    return " ".join(kept.split())


def _resolve(lf: LandingFile, header: list[str]) -> dict[str, list[str]]:
    """Declared column name -> landed columns that hold it (the contract's spelling rule)."""
    return {c.name: lf.system.matching_columns(c, lf.layout, header) for c in lf.table.columns}


def _known_elsewhere(lf: LandingFile, column: Column, header: list[str]) -> bool:
    """A declared column staging finds without its own landed column (JSON or attributes)."""
    layout = lf.system.layouts[lf.layout]
    keys = {contract.column_key(h) for h in header}
    if column.attribute and lf.table.attributes_column:
        holder = lf.table.column(lf.table.attributes_column)
        if any(contract.column_key(n) in keys for n in lf.system.spellings(holder, lf.layout)):
            return True
    return bool(
        layout.json_column and column.prefixed and contract.column_key(layout.json_column) in keys
    )


def _metadata_keys(lf: LandingFile) -> set[str]:
    layout = lf.system.layouts[lf.layout]
    names = [*layout.deleted, layout.active, layout.synced, layout.json_column]
    names += ["_airbyte_raw_id", "_airbyte_meta", "_airbyte_generation_id", "_fivetran_id"]
    names += ["_fivetran_start", "_fivetran_end", "_file", "_line", "_modified"]
    return {contract.column_key(n) for n in names if n}


def _validate_file(
    con: duckdb.DuckDBPyConnection,
    lf: LandingFile,
    raw_dir: Path,
    settings: InboundSettings,
    previous: dict[str, Any],
) -> FileReport:
    t0 = time.perf_counter()
    rep = FileReport(file=lf.relpath, path=str(lf.path(raw_dir)))
    try:
        _check_file(con, lf, raw_dir, settings, previous, rep)
    finally:
        rep.seconds = round(time.perf_counter() - t0, 3)
    return rep


def _check_file(
    con: duckdb.DuckDBPyConnection,
    lf: LandingFile,
    raw_dir: Path,
    settings: InboundSettings,
    previous: dict[str, Any],
    rep: FileReport,
) -> None:
    what = f"{lf.system.label} {lf.table.entity}, layout {lf.layout}"
    # ---- presence, encoding, header
    if lf.fmt == "parquet":
        files = sorted((raw_dir / lf.system.name).glob(lf.name))
        if not files:
            _absent(lf, raw_dir, rep, what)
            return
        source = f"read_parquet({_lit(str(lf.path(raw_dir)))}, union_by_name = true)"
        try:
            described = con.sql(f"describe select * from {source}").fetchall()
        except duckdb.Error as exc:
            rep.add("readable", "fail", f"not a readable Parquet file: {str(exc).splitlines()[0]}")
            return
        header = [r[0] for r in described]
        rep.add("present", "pass", f"{len(files)} Parquet file(s) ({what})", engine="python")
    else:
        path = lf.path(raw_dir)
        if not path.is_file():
            _absent(lf, raw_dir, rep, what)
            return
        rep.add("present", "pass", f"present ({what})", engine="python")
        bad, line, hexbytes, ends_nl = scan_utf8(path)
        if bad is not None:
            rep.add(
                "utf8",
                "fail",
                f"not valid UTF-8: byte 0x{hexbytes} at byte offset {bad} (line {line}); "
                "re-export as UTF-8",
                observed=bad,
                example=hexbytes,
                engine="python",
            )
            return
        rep.add("utf8", "pass", "valid UTF-8", engine="python")
        if not ends_nl and path.stat().st_size > 0:
            rep.add(
                "newline_at_end", "warn", "last line has no newline (truncated?)", engine="python"
            )
        header = _read_header(path)
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            rep.add("header", "fail", f"duplicate column name(s) {dupes}", engine="python")
            return
        columns = "{" + ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header) + "}"
        source = (
            f"read_csv({_lit(str(path))}, header=true, auto_detect=false, columns={columns}, "
            "delim=',', quote='\"', escape='\"', strict_mode=true, null_padding=false)"
        )
    resolved = _resolve(lf, header)
    key_names = set(lf.table.key)
    for col in lf.table.columns:
        if resolved[col.name] or _known_elsewhere(lf, col, header):
            continue
        spellings = " / ".join(f"`{x}`" for x in lf.system.spellings(col, lf.layout))
        if col.required or col.name in key_names:
            rep.add(
                "column_present",
                "fail",
                f"required column {spellings} is missing",
                column=col.name,
                engine="python",
            )
        else:
            rep.add(
                "column_present",
                "warn",
                f"column {spellings} is missing (staging null-fills it)",
                column=col.name,
                engine="python",
            )
    used = {name for names in resolved.values() for name in names}
    meta = _metadata_keys(lf)
    extra = [h for h in header if h not in used and contract.column_key(h) not in meta]
    if extra and not lf.per_type:
        rep.add(
            "unexpected_columns",
            "warn",
            f"{len(extra)} column(s) no contract declares (not staged unless passed through): "
            + ", ".join(extra[:20])
            + (" ..." if len(extra) > 20 else ""),
            engine="python",
        )
    # ---- one full scan in DuckDB
    required = [(c.name, resolved[c.name]) for c in lf.table.required if resolved.get(c.name)]
    parts = ["count(*) as n"]
    for i, (_, names) in enumerate(required):
        value = _coalesce(names)
        parts.append(f"count(*) filter (where {value} is null) as null_{i}")
    key_cols = [resolved.get(k) or [] for k in lf.table.key]
    key_present = all(key_cols)
    if key_present:
        exprs = [_coalesce(names) for names in key_cols]
        key_expr = (
            exprs[0]
            if len(exprs) == 1
            else "concat_ws(chr(31), " + ", ".join(f"coalesce({e}, '')" for e in exprs) + ")"
        )
        parts.append(f"count({key_expr}) - count(distinct {key_expr}) as dup_keys")
    try:
        rel = con.sql(f"select {', '.join(parts)} from {source}")
        values = dict(zip(rel.columns, rel.fetchall()[0], strict=True))
    except duckdb.Error as exc:
        rep.add("readable", "fail", f"cannot be read as CSV: {without_row_contents(str(exc))}")
        return
    rows = int(values["n"])
    rep.rows = rows
    rep.add("readable", "pass", f"{rows} rows parsed", observed=rows)
    for i, (name, _) in enumerate(required):
        n_null = int(values[f"null_{i}"])
        if n_null:
            rep.add(
                "not_null",
                "warn",
                f"required column `{name}` is empty on {n_null} of {rows} rows "
                "(staging rejects those rows with a reason)",
                column=name,
                observed=n_null,
            )
        else:
            rep.add("not_null", "pass", f"`{name}` always filled", column=name, observed=0)
    label = " + ".join(lf.table.key)
    if key_present:
        dups = int(values["dup_keys"])
        if dups:
            rep.add(
                "unique_key",
                "warn",
                f"key `{label}`: {dups} duplicate value(s) (staging keeps the latest row and "
                "rejects the others as duplicate_id)",
                column=label,
                observed=dups,
            )
        else:
            rep.add("unique_key", "pass", f"`{label}` unique", column=label, observed=0)
    prev = (
        previous.get(lf.relpath, {}).get("rows")
        if isinstance(previous.get(lf.relpath), dict)
        else None
    )
    rep.previous_rows = prev
    if prev:
        drop = 1 - rows / prev
        if drop > settings.max_row_drop:
            rep.add(
                "row_count",
                "fail",
                f"row count fell from {prev} to {rows} ({drop:.0%} drop, limit "
                f"{settings.max_row_drop:.0%}): truncated?",
                observed=rows,
            )
        else:
            rep.add("row_count", "pass", f"{rows} rows vs {prev} previously", observed=rows)
    elif rows == 0:
        rep.add("row_count", "warn", "no data rows", observed=0)
    else:
        rep.add("row_count", "pass", f"{rows} rows (no previous load recorded)", observed=rows)
    # ---- Great Expectations on a bounded sample
    _gx_sample(con, lf, source, resolved, settings, rep)


def _unexpected_files(raw_dir: Path, expected: list[LandingFile], systems: set[str]) -> FileReport:
    """Files and folders under the landing folder that nothing reads: listed, as a warning."""
    rep = FileReport(file="(other files)", path=str(raw_dir))
    read: set[Path] = set()
    for lf in expected:
        read.update(p.resolve() for p in (raw_dir / lf.system.name).glob(lf.name))
    known = {s.name for s in contract.systems()}
    extra: list[str] = []
    for path in sorted(raw_dir.rglob("*")):
        rel = path.relative_to(raw_dir)
        if path.is_dir() or rel.parts[0].startswith("."):
            continue
        if rel.parts[0] not in known:
            extra.append(f"{rel} (no system is called {rel.parts[0]!r})")
        elif rel.parts[0] not in systems:
            extra.append(f"{rel} ({rel.parts[0]} is switched off)")
        elif path.resolve() not in read:
            extra.append(f"{rel} (no table of the {rel.parts[0]} contract lands there)")
    if extra:
        rep.add(
            "unexpected_files",
            "warn",
            f"{len(extra)} file(s) nothing reads: "
            + "; ".join(extra[:20])
            + (" ..." if len(extra) > 20 else ""),
            engine="python",
        )
    else:
        rep.add("unexpected_files", "pass", "every file in the landing folder is read")
    return rep


def _coalesce(names: list[str]) -> str:
    parts = [f"nullif(trim(cast({_q(n)} as varchar)), '')" for n in names]
    return parts[0] if len(parts) == 1 else "coalesce(" + ", ".join(parts) + ")"


def _absent(lf: LandingFile, raw_dir: Path, rep: FileReport, what: str) -> None:
    where = lf.path(raw_dir)
    if lf.table.optional or lf.per_type:
        rep.add("present", "pass", f"optional, absent: staged as empty ({what})", engine="python")
        return
    rep.add(
        "present",
        "fail",
        f"missing: {where} ({what}). Land it there, or run without {lf.system.label}: "
        f"--vars '{{{lf.system.name}_enabled: false}}'",
        engine="python",
    )


def _gx_sample(
    con: duckdb.DuckDBPyConnection,
    lf: LandingFile,
    source: str,
    resolved: dict[str, list[str]],
    settings: InboundSettings,
    rep: FileReport,
) -> None:
    wanted = [(c.name, resolved[c.name][0]) for c in lf.table.columns if resolved[c.name]]
    if not wanted:
        return
    select = ", ".join(f"{_q(landed)} as {_q(name)}" for name, landed in wanted)
    frame = con.sql(f"select {select} from {source} limit {int(settings.sample_rows)}").df()
    must_have = [c.name for c in lf.table.required]
    exps = [
        Expectation("ExpectTableColumnsToMatchSet", {"column_set": must_have, "exact_match": False})
    ]
    exps += [
        Expectation("ExpectColumnValuesToNotBeNull", {"column": c})
        for c in must_have
        if c in frame.columns
    ]
    keys = [k for k in lf.table.key if k in frame.columns]
    if len(keys) == len(lf.table.key) == 1:
        exps.append(Expectation("ExpectColumnValuesToBeUnique", {"column": keys[0]}))
    elif len(keys) == len(lf.table.key):
        exps.append(Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": keys}))
    sample = f"gx, first {len(frame)} rows"
    for out in run_suite(f"inbound_{lf.system.name}_{lf.name}", frame, exps):
        name = out.expectation.removeprefix("expect_")
        col = f"`{out.column}` " if out.column else ""
        if out.success:
            msg = f"{col}{name.replace('_', ' ')}: ok"
        elif out.error:
            msg = f"{col}{name.replace('_', ' ')} could not run: {out.error[:200]}"
        else:
            cnt = (
                f"{out.unexpected_count} values"
                if out.unexpected_count
                else f"observed {out.observed}"
            )
            if isinstance(out.observed, list) and name == "table_columns_to_match_set":
                cnt = f"missing {sorted(set(must_have) - set(out.observed))}"
            msg = f"{col}{name.replace('_', ' ')} failed ({cnt})"
        is_columns = name == "table_columns_to_match_set"
        rep.add(
            f"gx:{name}",
            "pass" if out.success else ("fail" if is_columns else "warn"),
            msg,
            column=out.column,
            observed=out.unexpected_count if out.unexpected_count is not None else None,
            engine=sample,
        )


def validate_landing(
    raw_dir: Path,
    report_dir: Path,
    settings: InboundSettings | None = None,
    layouts: Mapping[str, str] | None = None,
    systems: set[str] | None = None,
) -> InboundReport:
    """Validate the landing files of `systems` (default: every system with a folder under
    `raw_dir`) in their `layouts`; write the HTML/JSON reports and the row-count state."""
    settings = settings or InboundSettings()
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    report_dir.mkdir(parents=True, exist_ok=True)
    state_path = report_dir / STATE_FILE
    previous = _load_state(state_path)
    if systems is None:
        systems = {s.name for s in contract.systems() if (raw_dir / s.name).is_dir()}
    con = duckdb.connect()
    expected = landing_files(raw_dir, layouts, systems)
    try:
        files = [_validate_file(con, lf, raw_dir, settings, previous) for lf in expected]
    finally:
        con.close()
    files.append(_unexpected_files(raw_dir, expected, systems))
    report = InboundReport(
        raw_dir=str(raw_dir),
        report_dir=str(report_dir),
        started_at=started.isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - t0, 3),
        settings=asdict(settings),
        files=files,
    )
    state = dict(previous)
    for f in files:
        if f.status != "fail" and f.rows is not None:
            state[f.file] = {"rows": f.rows, "validated_at": report.started_at}
    state_path.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    report.html_path = str(report_dir / REPORT_HTML)
    report.json_path = str(report_dir / REPORT_JSON)
    Path(report.json_path).write_text(json.dumps(report.to_dict(), indent=2, default=str) + "\n")
    Path(report.html_path).write_text(render_html(report), encoding="utf-8")
    return report


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}
th{background:#f4f4f4}.pass{color:#1a7f37}.warn{color:#9a6700}.fail{color:#cf222e;font-weight:600}
code{background:#f6f8fa;padding:0 .2rem}
"""


def render_html(report: InboundReport) -> str:
    esc = html.escape
    verdict = "PASSED" if report.passed else "FAILED"
    out = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>leadscore inbound validation: {verdict}</title><style>{_CSS}</style></head><body>",
        f"<h1>Inbound validation <span class='{'pass' if report.passed else 'fail'}'>"
        f"{verdict}</span></h1>",
        f"<p>Landing folder <code>{esc(report.raw_dir)}</code>, run {esc(report.started_at)}, "
        f"{report.seconds:.1f}s. Row-drop limit "
        f"{report.settings['max_row_drop']:.0%}, "
        f"GX sample {report.settings['sample_rows']} rows.</p>",
        "<h2>Files</h2><table><tr><th>file</th><th>status</th><th>rows</th><th>previous</th>"
        "<th>seconds</th><th>first problem</th></tr>",
    ]
    for f in report.files:
        first = next(
            (c.message for c in f.checks if c.status == f.status and f.status != "pass"), ""
        )
        out.append(
            f"<tr><td><a href='#{esc(f.file)}'>{esc(f.file)}</a></td><td class='{f.status}'>"
            f"{f.status}</td><td>{'' if f.rows is None else f.rows}</td>"
            f"<td>{'' if f.previous_rows is None else f.previous_rows}</td><td>{f.seconds}</td>"
            f"<td>{esc(first)}</td></tr>"
        )
    out.append("</table>")
    for f in report.files:
        out.append(
            f"<h2 id='{esc(f.file)}'>{esc(f.file)} <span class='{f.status}'>{f.status}"
            f"</span></h2><p><code>{esc(f.path)}</code></p>"
        )
        out.append(
            "<table><tr><th>check</th><th>engine</th><th>column</th><th>status</th>"
            "<th>message</th><th>example</th></tr>"
        )
        for c in f.checks:
            out.append(
                f"<tr><td>{esc(c.check)}</td><td>{esc(c.engine)}</td><td>{esc(c.column or '')}"
                f"</td><td class='{c.status}'>{c.status}</td><td>{esc(c.message)}</td>"
                f"<td>{esc('' if c.example is None else repr(c.example))}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out)
