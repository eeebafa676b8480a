"""Inbound validation of landing files (`leadscore validate`), before dbt runs.

Each file of `leadscore.landing.EXPORTS` is checked against the landing contract. What is
checked where (so multi-GB exports stay fast and memory-flat):

Python, streaming the raw bytes in 16 MB chunks (CSV only):
  - file present; valid UTF-8 (first bad byte -> its byte offset and line number); whether the
    file ends with a newline (a missing one hints at truncation: warning).
  - header row: required/key columns present (error per missing column), other contract
    columns present (warning: staging null-fills them), duplicate or unexpected names.
DuckDB SQL, one multi-threaded scan of the whole file (`read_csv`, all VARCHAR, strict mode):
  - the file parses as CSV with the header's column count on every row (error names the line);
  - row count, and row count against the previous accepted load (`last_counts.json` next to
    the reports; a drop of more than `max_row_drop` fails: "truncated?");
  - required values not null/blank on every row;
  - share of values that do not parse in the declared time format or as a number, per column
    (fails above `max_bad_share`; the error names file, column and an example bad value);
  - primary-key duplicates (the intent file's composite key Domain + Topic Name + Week Start
    Date), with an example duplicated key.
Great Expectations (pandas datasource, ephemeral context), on the first `sample_rows` rows:
  - the same contract as an expectation suite (columns exist, not null, regex formats with
    `mostly = 1 - max_bad_share`, unique keys). Its results go into the report next to the
    DuckDB results and count toward pass/fail; the full-file verdicts come from DuckDB.

Outputs: `<report-dir>/inbound_validation.html` (self-contained), `inbound_validation.json`,
and `last_counts.json` (updated only for files that passed).
"""

from __future__ import annotations

import codecs
import csv
import html
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from leadscore.landing import EXPORTS, INTENT_KEY, ExportFile
from leadscore.quality._gx import Expectation, run_suite

CHUNK = 16 * 1024 * 1024
STATE_FILE = "last_counts.json"
REPORT_HTML = "inbound_validation.html"
REPORT_JSON = "inbound_validation.json"

# Per declared time format: DuckDB strptime formats (full-file check), a regex (GX sample
# check) and an example for messages.
TIME_FORMATS: dict[str, tuple[list[str], str, str]] = {
    "sf_datetime": (
        ["%Y-%m-%dT%H:%M:%S.%gZ"],
        r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
        "2025-03-04T14:15:22.000Z",
    ),
    "date": (["%Y-%m-%d"], r"^\d{4}-\d{2}-\d{2}$", "2025-03-04"),
    "hubspot_local": (
        ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?$",
        "2025-03-04 09:15",
    ),
    "iso_z": (
        ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"],
        r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$",
        "2025-03-04T14:15:22Z",
    ),
    "iso_offset": (
        ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"],
        r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2}:?\d{2}$",
        "2025-03-04T09:15:22-05:00",
    ),
    "us_date": (["%m/%d/%Y"], r"^\d{1,2}/\d{1,2}/\d{4}$", "03/04/2025"),
}
NUMERIC_REGEX = r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$"


@dataclass(frozen=True)
class InboundSettings:
    max_bad_share: float = 0.01  # tolerated share of unparseable values per column
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


def _time_expr(col: str, fmt: str) -> str:
    formats = "[" + ", ".join(_lit(f) for f in TIME_FORMATS[fmt][0]) + "]"
    return f"try_strptime(trim({col}), {formats}) is null"


def _key_columns(export: ExportFile) -> tuple[str, ...]:
    return INTENT_KEY if not export.primary_key else (export.primary_key,)


def _validate_file(
    con: duckdb.DuckDBPyConnection,
    export: ExportFile,
    raw_dir: Path,
    settings: InboundSettings,
    previous: dict[str, Any],
) -> FileReport:
    t0 = time.perf_counter()
    rep = FileReport(file=export.relpath, path=str(export.path(raw_dir)))
    try:
        _check_file(con, export, raw_dir, settings, previous, rep)
    finally:
        rep.seconds = round(time.perf_counter() - t0, 3)
    return rep


def _check_file(
    con: duckdb.DuckDBPyConnection,
    export: ExportFile,
    raw_dir: Path,
    settings: InboundSettings,
    previous: dict[str, Any],
    rep: FileReport,
) -> None:
    keys = _key_columns(export)
    must_have = tuple(dict.fromkeys((*keys, *export.required)))
    # ---- presence, encoding, header
    if export.fmt == "parquet":
        files = sorted((raw_dir / export.system).glob(export.name))
        if not files:
            rep.add("present", "fail", f"missing: no file matches {export.path(raw_dir)}")
            return
        source = f"read_parquet({_lit(str(raw_dir / export.system / export.name))})"
        try:
            described = con.sql(f"describe select * from {source}").fetchall()
        except duckdb.Error as exc:
            rep.add("readable", "fail", f"not a readable Parquet file: {str(exc).splitlines()[0]}")
            return
        header = [r[0] for r in described]
        types = {r[0]: str(r[1]).upper() for r in described}
        rep.add("present", "pass", f"{len(files)} Parquet file(s)", engine="python")
    else:
        path = export.path(raw_dir)
        if not path.is_file():
            rep.add("present", "fail", f"missing: {path} does not exist")
            return
        rep.add("present", "pass", "present", engine="python")
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
        types = dict.fromkeys(header, "VARCHAR")
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            rep.add("header", "fail", f"duplicate column name(s) {dupes}", engine="python")
            return
        columns = "{" + ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header) + "}"
        source = (
            f"read_csv({_lit(str(path))}, header=true, auto_detect=false, columns={columns}, "
            "delim=',', quote='\"', escape='\"', strict_mode=true, null_padding=false)"
        )
    present = set(header)
    for col in export.columns:
        if col in present:
            continue
        if col in must_have:
            rep.add(
                "column_present",
                "fail",
                f"required column `{col}` is missing",
                column=col,
                engine="python",
            )
        else:
            rep.add(
                "column_present",
                "warn",
                f"column `{col}` is missing (staging null-fills it)",
                column=col,
                engine="python",
            )
    extra = [h for h in header if h not in export.columns]
    if extra:
        rep.add(
            "unexpected_columns", "warn", f"columns not in the contract: {extra}", engine="python"
        )
    # ---- one full scan in DuckDB
    parts = ["count(*) as n"]
    checks: list[tuple[str, str, str]] = []  # (kind, column, alias prefix)
    for i, col in enumerate(c for c in export.required if c in present):
        parts.append(
            f"count(*) filter (where {_q(col)} is null "
            f"or trim(cast({_q(col)} as varchar)) = '') as null_{i}"
        )
        checks.append(("not_null", col, f"null_{i}"))
    parse_cols: list[tuple[str, str]] = []
    for col, fmt in export.times.items():
        if col not in present:
            continue
        if types.get(col, "VARCHAR") != "VARCHAR":
            rep.add("parse", "pass", f"`{col}` is typed {types[col]} in the file", column=col)
            continue
        parse_cols.append((col, fmt))
    parse_cols += [
        (c, "numeric") for c in export.numerics if c in present and types.get(c) == "VARCHAR"
    ]
    for i, (col, fmt) in enumerate(parse_cols):
        bad_expr = (
            f"try_cast(trim({_q(col)}) as double) is null"
            if fmt == "numeric"
            else _time_expr(_q(col), fmt)
        )
        cond = f"{_q(col)} is not null and trim({_q(col)}) <> '' and {bad_expr}"
        parts.append(
            f"count(*) filter (where {_q(col)} is not null and trim({_q(col)}) <> '') as filled_{i}"
        )
        parts.append(f"count(*) filter (where {cond}) as bad_{i}")
        parts.append(f"min({_q(col)}) filter (where {cond}) as badex_{i}")
    key_present = all(k in present for k in keys)
    if key_present:
        key_expr = (
            _q(keys[0])
            if len(keys) == 1
            else "concat_ws(chr(31), " + ", ".join(f"coalesce({_q(k)}, '')" for k in keys) + ")"
        )
        parts.append(f"count({key_expr}) - count(distinct {key_expr}) as dup_keys")
    try:
        cur = con.sql(f"select {', '.join(parts)} from {source}")
        names = cur.columns
        values = dict(zip(names, cur.fetchall()[0], strict=True))
    except duckdb.Error as exc:
        msg = " ".join(str(exc).split("Possible fixes")[0].split())
        rep.add("readable", "fail", f"cannot be read as CSV per the landing contract: {msg}")
        return
    rows = int(values["n"])
    rep.rows = rows
    rep.add("readable", "pass", f"{rows} rows parsed", observed=rows)
    for kind, col, alias in checks:
        n_null = int(values[alias])
        if n_null:
            rep.add(
                kind,
                "fail",
                f"required column `{col}` is empty on {n_null} of {rows} rows",
                column=col,
                observed=n_null,
            )
        else:
            rep.add(kind, "pass", f"`{col}` always filled", column=col, observed=0)
    for i, (col, fmt) in enumerate(parse_cols):
        filled, bad = int(values[f"filled_{i}"]), int(values[f"bad_{i}"])
        share = bad / filled if filled else 0.0
        want = "a number" if fmt == "numeric" else f"{fmt} ({TIME_FORMATS[fmt][2]})"
        example = values[f"badex_{i}"]
        status = "fail" if share > settings.max_bad_share else "warn" if bad else "pass"
        msg = (
            f"column `{col}`: {bad} of {filled} values ({share:.2%}) are not {want}"
            + (f", e.g. {example!r}" if bad else "")
            + (f" (tolerance {settings.max_bad_share:.2%})" if bad else "")
        )
        rep.add("parse", status, msg, column=col, observed=round(share, 6), example=example)
    if not key_present:
        rep.add("unique_key", "fail", f"key column(s) {list(keys)} missing: uniqueness unchecked")
    else:
        dups = int(values["dup_keys"])
        label = " + ".join(keys)
        if dups:
            sel = ", ".join(_q(k) for k in keys)
            ex = con.sql(
                f"select {sel}, count(*) as n from {source} group by all having count(*) > 1 "
                "order by n desc limit 1"
            ).fetchall()[0]
            example = " | ".join(str(v) for v in ex[:-1])
            rep.add(
                "unique_key",
                "fail",
                f"column `{label}`: {dups} duplicate key value(s), e.g. {example!r} "
                f"appears {ex[-1]} times",
                column=label,
                observed=dups,
                example=example,
            )
        else:
            rep.add("unique_key", "pass", f"`{label}` unique", column=label, observed=0)
    prev = (
        previous.get(export.relpath, {}).get("rows")
        if isinstance(previous.get(export.relpath), dict)
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
    _gx_sample(con, export, source, header, types, must_have, settings, rep)


def _gx_sample(
    con: duckdb.DuckDBPyConnection,
    export: ExportFile,
    source: str,
    header: list[str],
    types: dict[str, str],
    must_have: tuple[str, ...],
    settings: InboundSettings,
    rep: FileReport,
) -> None:
    present = set(header)
    wanted = [c for c in export.columns if c in present]
    if not wanted:
        return
    select = ", ".join(_q(c) for c in wanted)
    frame = con.sql(f"select {select} from {source} limit {int(settings.sample_rows)}").df()
    mostly = max(0.0, 1.0 - settings.max_bad_share)
    exps = [
        Expectation(
            "ExpectTableColumnsToMatchSet", {"column_set": list(must_have), "exact_match": False}
        )
    ]
    exps += [
        Expectation("ExpectColumnValuesToNotBeNull", {"column": c})
        for c in export.required
        if c in present
    ]
    for col, fmt in export.times.items():
        if col in present and types.get(col) == "VARCHAR":
            exps.append(
                Expectation(
                    "ExpectColumnValuesToMatchRegex",
                    {"column": col, "regex": TIME_FORMATS[fmt][1], "mostly": mostly},
                )
            )
    for col in export.numerics:
        if col in present and types.get(col) == "VARCHAR":
            exps.append(
                Expectation(
                    "ExpectColumnValuesToMatchRegex",
                    {"column": col, "regex": NUMERIC_REGEX, "mostly": mostly},
                )
            )
    keys = _key_columns(export)
    if all(k in present for k in keys):
        if len(keys) == 1:
            exps.append(Expectation("ExpectColumnValuesToBeUnique", {"column": keys[0]}))
        else:
            exps.append(Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": list(keys)}))
    sample = f"gx, first {len(frame)} rows"
    for out in run_suite(f"inbound_{export.system}_{export.name}", frame, exps):
        name = out.expectation.removeprefix("expect_")
        col = f"`{out.column}` " if out.column else ""
        if out.success:
            msg = f"{col}{name.replace('_', ' ')}: ok"
        elif out.error:
            msg = f"{col}{name.replace('_', ' ')} could not run: {out.error[:200]}"
        else:
            ex = f", e.g. {out.examples[0]!r}" if out.examples else ""
            cnt = (
                f"{out.unexpected_count} values"
                if out.unexpected_count
                else f"observed {out.observed}"
            )
            if isinstance(out.observed, list) and name == "table_columns_to_match_set":
                cnt = f"missing {sorted(set(must_have) - set(out.observed))}"
            msg = f"{col}{name.replace('_', ' ')} failed ({cnt}{ex})"
        rep.add(
            f"gx:{name}",
            "pass" if out.success else "fail",
            msg,
            column=out.column,
            observed=out.unexpected_count if out.unexpected_count is not None else None,
            example=out.examples[0] if out.examples else None,
            engine=sample,
        )


def validate_landing(
    raw_dir: Path,
    report_dir: Path,
    settings: InboundSettings | None = None,
    exports: tuple[ExportFile, ...] = EXPORTS,
) -> InboundReport:
    """Validate every landing file; write the HTML/JSON reports and the row-count state."""
    settings = settings or InboundSettings()
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    report_dir.mkdir(parents=True, exist_ok=True)
    state_path = report_dir / STATE_FILE
    previous = _load_state(state_path)
    con = duckdb.connect()
    try:
        files = [_validate_file(con, e, raw_dir, settings, previous) for e in exports]
    finally:
        con.close()
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
        f"{report.seconds:.1f}s. Tolerance for unparseable values "
        f"{report.settings['max_bad_share']:.2%}, row-drop limit "
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
