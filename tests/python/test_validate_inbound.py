"""Inbound validation: file-level faults fail naming file and column; row-level problems are
counted as warnings (staging quarantines those rows); spellings follow the contracts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from leadscore.landing import EXPORTS, ExportFile
from leadscore.quality.inbound import InboundSettings, scan_utf8, validate_landing

SETTINGS = InboundSettings(max_row_drop=0.5, sample_rows=2000)
SAMPLE = {
    "timestamp": "2025-03-04T14:15:22.000Z",
    "date": "2025-03-04",
    "integer": "42",
    "number": "12.5",
    "boolean": "false",
    "email": "someone@example.com",
    "json": "[]",
    "domain": "example.com",
}


def _value(export: ExportFile, col: str, i: int) -> str:
    column = next(c for c in export.table.columns if c.export_header == col)
    if col in export.primary_key:
        return f"d{i}.example.com" if column.type == "domain" else f"K{i:015d}X"
    if "us_date" in column.formats:
        return "03/04/2025"
    if column.type in SAMPLE:
        return SAMPLE[column.type]
    return "" if (i % 7 == 0 and col not in export.required) else f"{col} {i} é"


def write_landing(raw: Path, n: int = 400) -> None:
    for export in EXPORTS:
        if export.relpath == "hubspot/owners.csv":
            continue  # an optional table a UI export does not have
        rows = [[_value(export, c, i) for c in export.columns] for i in range(n)]
        target = raw / export.system
        target.mkdir(parents=True, exist_ok=True)
        if export.fmt == "parquet":
            frame = pd.DataFrame(rows, columns=list(export.columns))
            frame.to_parquet(target / "events.parquet", index=False)
            continue
        with export.path(raw).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(export.columns)
            w.writerows(rows)


@pytest.fixture
def landing(tmp_path: Path) -> tuple[Path, Path]:
    raw, reports = tmp_path / "raw", tmp_path / "reports"
    write_landing(raw)
    return raw, reports


def _rewrite(path: Path, edit) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows = edit(rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _errors(raw: Path, reports: Path) -> list[str]:
    report = validate_landing(raw, reports, SETTINGS)
    assert Path(report.html_path).exists() and Path(report.json_path).exists()
    return report.errors


def test_clean_landing_passes_and_records_counts(landing: tuple[Path, Path]) -> None:
    raw, reports = landing
    report = validate_landing(raw, reports, SETTINGS)
    assert report.errors == [] and report.passed
    counts = json.loads((reports / "last_counts.json").read_text())
    assert counts["salesforce/Lead.csv"]["rows"] == 400
    assert len(counts) == len(EXPORTS) - 1  # hubspot/owners.csv is optional and absent
    html = Path(report.html_path).read_text()
    assert "PASSED" in html and "gx, first" in html
    summary = json.loads(Path(report.json_path).read_text())
    # one entry per declared export, plus the check for files nothing reads
    files = [f["file"] for f in summary["files"]]
    assert summary["passed"] is True and files == [e.relpath for e in EXPORTS] + ["(other files)"]
    owners = next(f for f in report.files if f.file == "hubspot/owners.csv")
    assert "optional, absent" in owners.checks[0].message


def test_file_faults_fail_and_row_problems_warn(landing: tuple[Path, Path]) -> None:
    raw, reports = landing
    validate_landing(raw, reports, SETTINGS)  # baseline counts
    lead = raw / "salesforce/Lead.csv"
    # duplicate primary keys and an empty id: row-level, staging rejects those rows
    _rewrite(lead, lambda rows: [*rows, rows[5], rows[6], ["", *rows[7][1:]]])
    # missing required column
    contacts = raw / "hubspot/contacts.csv"
    _rewrite(contacts, lambda rows: [r[1:] for r in rows])  # drops "Record ID"
    # truncated file (keep 30% of the rows)
    acts = raw / "marketo/activities.csv"
    _rewrite(acts, lambda rows: rows[:121])
    # non-UTF-8 bytes
    intent = raw / "intent/topic_surges.csv"
    data = bytearray(intent.read_bytes())
    third_line = data.index(b"\n", data.index(b"\n") + 1) + 1
    data[third_line + 2 : third_line + 3] = b"\xe9"
    intent.write_bytes(bytes(data))

    report = validate_landing(raw, reports, SETTINGS)
    errors = report.errors
    text = "\n".join(errors)
    assert not any("salesforce/Lead.csv" in e for e in errors), text
    lead_rep = next(f for f in report.files if f.file == "salesforce/Lead.csv")
    warnings = [c.message for c in lead_rep.checks if c.status == "warn"]
    assert any("`Id`: 2 duplicate" in w and "duplicate_id" in w for w in warnings), warnings
    assert any("`Id` is empty on 1 of 403 rows" in w for w in warnings), warnings
    assert any(
        "hubspot/contacts.csv" in e and "`id` / `Record ID`" in e and "missing" in e for e in errors
    ), text
    assert any("marketo/activities.csv" in e and "truncated?" in e for e in errors), text
    assert any(
        "intent/topic_surges.csv" in e
        and "UTF-8" in e
        and f"offset {third_line + 2}" in e
        and "line 3" in e
        for e in errors
    ), text
    # Failed files do not move the row-count baseline.
    counts = json.loads((reports / "last_counts.json").read_text())
    assert counts["marketo/activities.csv"]["rows"] == 400


def test_other_spellings_of_a_column_are_accepted(landing: tuple[Path, Path]) -> None:
    """What staging accepts, validation accepts: case, spacing and connector spellings."""
    raw, reports = landing
    lead = raw / "salesforce/Lead.csv"
    _rewrite(
        lead,
        lambda rows: [
            ["ID", "is_deleted", *rows[0][2:-2], " created date", *rows[0][-1:]],
            *rows[1:],
        ],
    )
    report = validate_landing(raw, reports, SETTINGS)
    assert not [e for e in report.errors if "salesforce/Lead.csv" in e], report.errors
    lead_rep = next(f for f in report.files if f.file == "salesforce/Lead.csv")
    assert not [c for c in lead_rep.checks if c.check == "column_present"], lead_rep.checks


def test_missing_file_and_ragged_rows(landing: tuple[Path, Path]) -> None:
    raw, reports = landing
    (raw / "salesforce/Opportunity.csv").unlink()  # required: the outcome label
    (raw / "salesforce/Campaign.csv").unlink()  # optional: staged as empty
    with (raw / "salesforce/Account.csv").open("a") as fh:
        fh.write("only,three,cells\n")
    errors = _errors(raw, reports)
    assert any(
        "salesforce/Opportunity.csv" in e and "missing" in e and "salesforce_enabled: false" in e
        for e in errors
    ), errors
    assert not any("salesforce/Campaign.csv" in e for e in errors), errors
    assert any("salesforce/Account.csv" in e and "Line: 402" in e for e in errors), errors


def test_utf8_scan_offsets(tmp_path: Path) -> None:
    p = tmp_path / "f.csv"
    p.write_bytes(b"a,b\n\xc3\xa9,1\n2,\xff\n")
    assert scan_utf8(p)[:2] == (11, 3)
