"""Bad input never slips through (issue 11): every case below ends in a stated outcome.

Row-level cases are planted together in one small generated landing folder (each as a new
row, so they cannot mask one another) and staged by one dbt build: each must be quarantined
with its reason, soft-deleted, or staged with the bad value named in `parse_issues` (null,
counted in field_quality), and every file must reconcile (landed = staged + deleted +
rejected). File-level cases each break one file and must fail or warn in `leadscore validate`
with a message naming the file (and the column where there is one), without printing a row.

docs/bad-input.md is generated from these tables (`LEADSCORE_WRITE_DOCS=1 pytest -k docs`);
a test keeps it current.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import Workspace, generate_exports, make_workspace

from leadscore.config import PROJECT_DIR
from leadscore.quality.inbound import InboundSettings, validate_landing

DOC = PROJECT_DIR / "docs" / "bad-input.md"
BASE = {
    "salesforce/Lead.csv": ("base_salesforce__leads", "Id"),
    "salesforce/Opportunity.csv": ("base_salesforce__opportunities", "Id"),
    "salesforce/CampaignMember.csv": ("base_salesforce__campaign_members", "Id"),
    "salesforce/LeadHistory.csv": ("base_salesforce__lead_histories", "Id"),
    "hubspot/contacts.csv": ("base_hubspot__contacts", "Record ID"),
    "hubspot/companies.csv": ("base_hubspot__companies", "Record ID"),
    "marketo/leads.csv": ("base_marketo__leads", "id"),
    "marketo/activities.csv": ("base_marketo__activities", "marketoGUID"),
    "intent/topic_surges.csv": ("base_intent__topic_surges", "Domain"),
}


@dataclass(frozen=True)
class RowCase:
    """A landed row with one problem, and what staging must do with it."""

    case: str
    file: str
    change: dict[str, str]
    outcome: str  # the row's row_status
    issue: str | None = None  # a column named in parse_issues (value staged as null)
    check: str | None = None  # a SQL condition on the staged row that must hold
    copies: int = 1  # rows appended (duplicates: the latest one stays)


ROW_CASES: tuple[RowCase, ...] = (
    RowCase("empty id", "salesforce/Lead.csv", {"Id": ""}, "rejected:missing_id"),
    RowCase(
        "duplicate id (3 rows)",
        "salesforce/Lead.csv",
        {"Id": "00Q000000000DUP001"},
        "rejected:duplicate_id",
        copies=3,
    ),
    RowCase(
        "created in the year 2999",
        "salesforce/Lead.csv",
        {"CreatedDate": "2999-01-01T00:00:00.000Z"},
        "rejected:out_of_bounds_created_at",
    ),
    RowCase(
        "created in 1850",
        "salesforce/Lead.csv",
        {"CreatedDate": "1850-06-01T00:00:00.000Z"},
        "rejected:out_of_bounds_created_at",
    ),
    RowCase(
        "unparseable required date",
        "salesforce/Lead.csv",
        {"CreatedDate": "31/31/2025 25:61"},
        "rejected:unparseable_created_at",
    ),
    RowCase(
        "negative employee count",
        "salesforce/Lead.csv",
        {"NumberOfEmployees": "-5"},
        "staged",
        issue="number_of_employees",
    ),
    RowCase(
        "employee count too large (1e12)",
        "salesforce/Lead.csv",
        {"NumberOfEmployees": "1e12"},
        "staged",
        issue="number_of_employees",
    ),
    RowCase(
        "text in a number column",
        "salesforce/Lead.csv",
        {"AnnualRevenue": "n/a"},
        "staged",
        issue="annual_revenue",
    ),
    RowCase("IsDeleted = yes", "salesforce/Lead.csv", {"IsDeleted": "yes"}, "deleted"),
    RowCase("IsDeleted = 1", "salesforce/Lead.csv", {"IsDeleted": "1"}, "deleted"),
    RowCase(
        "IsDeleted = deleted (not a boolean)",
        "salesforce/Lead.csv",
        {"IsDeleted": "deleted"},
        "rejected:unparseable_is_deleted",
    ),
    RowCase(
        "malformed email", "salesforce/Lead.csv", {"Email": "not-an-email@"}, "staged", "email"
    ),
    RowCase(
        "a timestamp in a date field",
        "salesforce/Lead.csv",
        {"IsConverted": "true", "ConvertedDate": "2025-03-04 00:00:00"},
        "staged",
        check="converted_date = date '2025-03-04'",
    ),
    RowCase(
        "epoch milliseconds",
        "salesforce/Lead.csv",
        {"CreatedDate": "1741082400000"},
        "staged",
        check="created_at = timestamp '2025-03-04 10:00:00'",
    ),
    RowCase(
        "an offset timestamp",
        "salesforce/Lead.csv",
        {"CreatedDate": "2025-03-04T10:00:00+02:00"},
        "staged",
        check="created_at = timestamp '2025-03-04 08:00:00'",
    ),
    RowCase(
        "a spaced +0000 offset",
        "salesforce/Lead.csv",
        {"CreatedDate": "2025-03-04 10:00:00.000 +0000"},
        "staged",
        check="created_at = timestamp '2025-03-04 10:00:00'",
    ),
    RowCase(
        "a quoted newline inside a field",
        "salesforce/Lead.csv",
        {"Title": "VP\nSales"},
        "staged",
        check="job_title = 'VP' || chr(10) || 'Sales'",
    ),
    RowCase(
        "a formula-looking value (kept as text)",
        "salesforce/Lead.csv",
        {"Company": '=HYPERLINK("http://x")'},
        "staged",
        check="company_name = '=HYPERLINK(\"http://x\")'",
    ),
    RowCase(
        "negative amount", "salesforce/Opportunity.csv", {"Amount": "-100"}, "staged", "amount"
    ),
    RowCase(
        "a forecast close date in the future",
        "salesforce/Opportunity.csv",
        {"IsClosed": "false", "IsWon": "false", "CloseDate": "2031-01-31"},
        "staged",
        check="close_date = date '2031-01-31'",
    ),
    RowCase(
        "a campaign member with neither lead nor contact",
        "salesforce/CampaignMember.csv",
        {"LeadId": "", "ContactId": ""},
        "rejected:missing_member_id",
    ),
    RowCase(
        "a history row without its lead",
        "salesforce/LeadHistory.csv",
        {"LeadId": ""},
        "rejected:missing_sf_lead_id",
    ),
    RowCase(
        "a HubSpot time ending in Z (UTC, not portal time)",
        "hubspot/contacts.csv",
        {"Create Date": "2025-03-04T15:00:00Z"},
        "staged",
        check="created_at = timestamp '2025-03-04 15:00:00'",
    ),
    RowCase(
        "a record id landed as a float",
        "hubspot/contacts.csv",
        {"Record ID": "987654321.0"},
        "staged",
        check="hubspot_contact_id = '987654321'",
    ),
    RowCase(
        "negative revenue",
        "hubspot/companies.csv",
        {"Annual Revenue": "-1"},
        "staged",
        "annual_revenue",
    ),
    RowCase(
        "malformed activity attributes JSON",
        "marketo/activities.csv",
        {"activityTypeId": "104", "attributes": '[{"name": "New Status", "value": '},
        "staged",
        issue="attributes",
    ),
    RowCase(
        "activity type is not a number",
        "marketo/activities.csv",
        {"activityTypeId": "abc"},
        "rejected:unparseable_activity_type_id",
    ),
    RowCase(
        "activity dated 2999",
        "marketo/activities.csv",
        {"activityDate": "2999-05-05T00:00:00Z"},
        "rejected:out_of_bounds_activity_at",
    ),
    RowCase(
        "a Marketo lead id that is not an integer",
        "marketo/leads.csv",
        {"id": "L-1"},
        "rejected:unparseable_marketo_lead_id",
    ),
    RowCase(
        "intent score 150",
        "intent/topic_surges.csv",
        {"Composite Score": "150", "Topic Name": "Case 150"},
        "rejected:out_of_bounds_composite_score",
    ),
    RowCase(
        "intent score -10",
        "intent/topic_surges.csv",
        {"Composite Score": "-10", "Topic Name": "Case -10"},
        "rejected:out_of_bounds_composite_score",
    ),
    RowCase(
        "intent score 1e9",
        "intent/topic_surges.csv",
        {"Composite Score": "1e9", "Topic Name": "Case 1e9"},
        "rejected:out_of_bounds_composite_score",
    ),
    RowCase(
        "an impossible date",
        "intent/topic_surges.csv",
        {"Week Start Date": "13/45/2025", "Topic Name": "Case date"},
        "rejected:unparseable_week_start_date",
    ),
)


@dataclass(frozen=True)
class FileCase:
    """A landing file with a file-level fault, and what `leadscore validate` must say."""

    case: str
    file: str
    break_it: Callable[[Path], None] = field(repr=False)
    status: str  # fail | warn (the file's status in the report)
    says: tuple[str, ...] = ()  # every one must appear in one message


def _rewrite(path: Path, edit: Callable[[list[list[str]]], list[list[str]]]) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(edit(rows))


def _drop_column(name: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        def edit(rows: list[list[str]]) -> list[list[str]]:
            i = rows[0].index(name)
            return [r[:i] + r[i + 1 :] for r in rows]

        _rewrite(path, edit)

    return run


def _bytes(transform: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        path.write_bytes(transform(path.read_bytes()))

    return run


def _extra_file(name: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        target = path.parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("a,b\n1,2\n", encoding="utf-8")

    return run


def _wrong_parquet(path: Path) -> None:
    for old in path.parent.glob("events*.parquet"):
        old.unlink()
    pq.write_table(
        pa.table({"id": ["m1"], "type": ["page"], "timestamp": ["2025-01-01T00:00:00Z"]}),
        path.parent / "events.parquet",
    )


FILE_CASES: tuple[FileCase, ...] = (
    FileCase(
        "empty file (0 bytes)",
        "salesforce/Lead.csv",
        _bytes(lambda b: b""),
        "fail",
        ("salesforce/Lead.csv", "required column"),
    ),
    FileCase(
        "header only",
        "salesforce/Account.csv",
        _bytes(lambda b: b.split(b"\n", 1)[0] + b"\n"),
        "warn",
        ("salesforce/Account.csv", "no data rows"),
    ),
    FileCase(
        "semicolon delimiter",
        "salesforce/Contact.csv",
        _bytes(lambda b: b.replace(b",", b";")),
        "fail",
        ("salesforce/Contact.csv", "required column `Id`"),
    ),
    FileCase(
        "Latin-1 bytes",
        "hubspot/contacts.csv",
        _bytes(lambda b: b.replace(b"\n", "\nM\u00fcller,".encode("latin-1"), 3)),
        "fail",
        ("hubspot/contacts.csv", "not valid UTF-8", "line"),
    ),
    FileCase(
        "a ragged row",
        "salesforce/Opportunity.csv",
        _bytes(lambda b: b + b"only,three,cells\n"),
        "fail",
        ("salesforce/Opportunity.csv", "cannot be read as CSV", "Line"),
    ),
    FileCase(
        "a truncated last line",
        "marketo/leads.csv",
        _bytes(lambda b: b[: len(b) - 40]),
        "fail",
        ("marketo/leads.csv",),
    ),
    FileCase(
        "missing required column",
        "salesforce/Lead.csv",
        _drop_column("CreatedDate"),
        "fail",
        ("salesforce/Lead.csv", "`CreatedDate`", "missing"),
    ),
    FileCase(
        "missing optional column",
        "salesforce/Lead.csv",
        _drop_column("Rating"),
        "warn",
        ("salesforce/Lead.csv", "`Rating`", "null-fills"),
    ),
    FileCase(
        "a required table absent",
        "salesforce/Opportunity.csv",
        lambda p: p.unlink(),
        "fail",
        ("salesforce/Opportunity.csv", "missing", "salesforce_enabled: false"),
    ),
    FileCase(
        "an unexpected file",
        "salesforce/Lead.csv",
        _extra_file("notes.csv"),
        "warn",
        ("salesforce/notes.csv", "nothing reads"),
    ),
    FileCase(
        "a duplicate export file",
        "salesforce/Lead.csv",
        lambda p: shutil.copy2(p, p.with_name("Lead (1).csv")),
        "warn",
        ("salesforce/Lead (1).csv",),
    ),
    FileCase(
        "an unknown system folder",
        "salesforce/Lead.csv",
        _extra_file("../pardot/x.csv"),
        "warn",
        ("pardot/x.csv", "no system"),
    ),
    FileCase(
        "wrong Parquet schema",
        "web/events.parquet",
        _wrong_parquet,
        "fail",
        ("web/events", "`anonymousId`", "missing"),
    ),
    FileCase(
        "a BOM and CRLF line ends (accepted)",
        "salesforce/Lead.csv",
        _bytes(lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
        "pass",
    ),
    FileCase(
        "a 10 MB field",
        "salesforce/Lead.csv",
        _bytes(lambda b: b.replace(b"\n", b"\n" + b"x" * 10_000_000, 2)),
        "fail",
        ("salesforce/Lead.csv", "cannot be read as CSV"),
    ),
)


# --- the landing folder and the staging build, once ------------------------------------------


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad_input")
    generate_exports(root / "raw", root / "truth", 300, 3)
    return root / "raw"


def _plant(raw: Path) -> dict[str, list[tuple[RowCase, int]]]:
    """Append every row case to its file; return file -> [(case, landed_row_number)]."""
    planted: dict[str, list[tuple[RowCase, int]]] = {}
    by_file: dict[str, list[RowCase]] = {}
    for case in ROW_CASES:
        by_file.setdefault(case.file, []).append(case)
    for rel, cases in by_file.items():
        path = raw / rel
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
            fields = list(rows[0].keys())
        key = BASE[rel][1]
        template = rows[-1]
        for n, case in enumerate(cases):
            for copy in range(case.copies):
                row = {**template, key: f"{template[key]}-case{n}"}
                if rel == "intent/topic_surges.csv":
                    row["Domain"] = f"case{n}.example.com"
                row.update(case.change)
                rows.append(row)
                planted.setdefault(rel, []).append((case, len(rows)))
                del copy
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return planted


@pytest.fixture(scope="module")
def staged(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict]:
    root = tmp_path_factory.mktemp("bad_rows")
    raw = root / "raw"
    shutil.copytree(landing, raw)
    planted = _plant(raw)
    ws = make_workspace(root / "ws", raw, root / "truth")
    ws.dbt(
        [
            "build",
            "--select",
            "path:seeds",
            "path:models/staging",
            "--exclude",
            "resource_type:test",
        ]
    )
    return ws, planted


# --- row-level cases ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("dbt_bad_input")
@pytest.mark.parametrize("case", ROW_CASES, ids=[c.case for c in ROW_CASES])
def test_a_bad_row_is_quarantined_or_named(case: RowCase, staged: tuple[Workspace, dict]) -> None:
    ws, planted = staged
    model = BASE[case.file][0]
    numbers = [n for c, n in planted[case.file] if c is case]
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        rows = con.sql(
            f"select row_status, parse_issues, landed_row_number from {model} "
            f"where landed_row_number in ({', '.join(map(str, numbers))}) "
            "order by landed_row_number"
        ).fetchall()
        assert len(rows) == len(numbers), (case.case, rows)
        statuses = [r[0] for r in rows]
        if case.copies > 1:  # equally recent copies: the last landed stays
            assert statuses == [case.outcome] * (case.copies - 1) + ["staged"], (case.case, rows)
        else:
            assert statuses == [case.outcome], (case.case, rows)
        if case.issue:
            assert case.issue in (rows[0][1] or "").split(", "), (case.case, rows)
        if case.check:
            held = con.sql(
                f"select {case.check} from {model} where landed_row_number = {numbers[0]}"
            ).fetchall()[0][0]
            assert held, (case.case, case.check)
        if case.outcome.startswith("rejected:"):
            raw_record = con.sql(
                f"select raw_record from {model} where landed_row_number = {numbers[0]}"
            ).fetchall()[0][0]
            assert raw_record, "a rejected row keeps what landed"


@pytest.mark.slow
@pytest.mark.xdist_group("dbt_bad_input")
def test_every_file_reconciles(staged: tuple[Workspace, dict]) -> None:
    """landed = staged + soft-deleted + rejected, counted from the files themselves."""
    ws, _ = staged
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        for rel, (model, _) in BASE.items():
            with (ws.raw_dir / rel).open(newline="", encoding="utf-8") as fh:
                landed = sum(1 for _ in csv.reader(fh)) - 1
            counts = dict(
                con.sql(f"select row_status, count(*) from {model} group by 1").fetchall()
            )
            staged_n = counts.pop("staged", 0)
            deleted = counts.pop("deleted", 0)
            rejected = sum(v for k, v in counts.items() if k.startswith("rejected:"))
            assert landed == staged_n + deleted + rejected, (rel, landed, counts)


# --- file-level cases --------------------------------------------------------------------------


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.case for c in FILE_CASES])
def test_a_bad_file_fails_or_warns_naming_it(case: FileCase, landing: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(landing, raw)
    case.break_it(raw / case.file)
    report = validate_landing(raw, tmp_path / "reports", InboundSettings(sample_rows=500))
    messages = [c.message for f in report.files for c in f.checks if c.status == case.status]
    if case.status == "pass":
        assert report.passed and not report.errors, report.errors
        target = next(f for f in report.files if f.file.endswith(case.file.split("/")[-1]))
        assert target.status == "pass", [c.message for c in target.checks]
        return
    assert any(all(s in m for s in case.says) for m in messages), (case.case, messages)
    if case.status == "fail":
        assert not report.passed
    # no landed row is ever echoed: the planted text of a Latin-1 row, a name, an email
    everything = json.dumps([c.message for f in report.files for c in f.checks])
    assert "M\\u00fcller" not in everything and "@" not in everything.replace("`", "")


# --- the documented table ----------------------------------------------------------------------


def _doc() -> str:
    lines = [
        "# Bad input: the cases and what happens",
        "",
        "Generated from `tests/python/test_bad_input.py`, which asserts every row below on",
        "every `make test` (`LEADSCORE_WRITE_DOCS=1 pytest tests/python/test_bad_input.py -k docs`",
        "rewrites this page). Row-level problems are decided by staging with the system",
        "contract (one judge): the row is quarantined in `stg_<system>__rejected_rows` with its",
        "reason and raw record, soft-deleted, or staged with the unusable value as null and its",
        "column named in `parse_issues` (counted in `field_quality`, gated by",
        "`unparseable_value_share`). File-level faults stop `leadscore validate` (and so",
        "`leadscore run`) naming the file and column; warnings are reported. Landed rows are",
        "never printed: a CSV error names the line, not its contents.",
        "",
        "## Rows (staging)",
        "",
        "| case | file | landed value | outcome |",
        "|---|---|---|---|",
    ]
    for c in ROW_CASES:
        value = "; ".join(f"`{k}` = `{v!r}`" for k, v in c.change.items())
        outcome = f"`{c.outcome}`"
        if c.issue:
            outcome += f", `{c.issue}` null and named in parse_issues"
        if c.check:
            outcome += f", `{c.check}`"
        if c.copies > 1:
            outcome = f"{c.copies} rows: the latest staged, the others {outcome}"
        lines.append(f"| {c.case} | {c.file} | {value} | {outcome} |")
    lines += [
        "",
        "## Files (`leadscore validate`)",
        "",
        "| case | file | outcome |",
        "|---|---|---|",
    ]
    for f in FILE_CASES:
        says = ", ".join(f"'{s}'" for s in f.says)
        lines.append(
            f"| {f.case} | {f.file} | {f.status}" + (f" naming {says}" if says else "") + " |"
        )
    lines += [
        "",
        "Also decided by the build, with tests elsewhere: a file where most rows are",
        "soft-deleted fails `assert_deleted_share_below_error_threshold`; a share of rejected",
        "rows above policy fails `rejected_share_below_policy`; unmapped vocabulary above policy",
        "fails the taxonomy gate naming fields and values; a second `leadscore run` on the same",
        "warehouse exits 2 naming the running one (tests/python/test_locking.py).",
    ]
    return "\n".join(lines) + "\n"


def test_docs_list_every_case() -> None:
    if os.environ.get("LEADSCORE_WRITE_DOCS"):
        DOC.write_text(_doc(), encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == _doc(), "run with LEADSCORE_WRITE_DOCS=1 -k docs"
    assert len(ROW_CASES) + len(FILE_CASES) >= 40
