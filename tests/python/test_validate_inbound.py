"""Inbound validation: each corrupted export gives a clear error naming file and column."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from leadscore.landing import EXPORTS, EXPORTS_BY_PATH, ExportFile
from leadscore.quality.inbound import TIME_FORMATS, InboundSettings, scan_utf8, validate_landing

SETTINGS = InboundSettings(max_bad_share=0.01, max_row_drop=0.5, sample_rows=2000)


def _value(export: ExportFile, col: str, i: int) -> str:
    if col in export.times:
        return TIME_FORMATS[export.times[col]][2]
    if col in export.numerics:
        return str(10 + i % 50)
    if col == export.primary_key:
        return f"K{i:015d}X"
    if export.system == "intent" and col == "Domain":
        return f"d{i}.example.com"
    return "" if (i % 7 == 0 and col not in export.required) else f"{col} {i} é"


def write_landing(raw: Path, n: int = 400) -> None:
    for export in EXPORTS:
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
    assert len(counts) == len(EXPORTS)
    html = Path(report.html_path).read_text()
    assert "PASSED" in html and "gx, first" in html
    summary = json.loads(Path(report.json_path).read_text())
    assert summary["passed"] is True and len(summary["files"]) == len(EXPORTS)


def test_corruptions_give_clear_errors(landing: tuple[Path, Path]) -> None:
    raw, reports = landing
    validate_landing(raw, reports, SETTINGS)  # baseline counts
    lead = raw / "salesforce/Lead.csv"
    # duplicate primary keys
    _rewrite(lead, lambda rows: [*rows, rows[5], rows[6]])
    # unparseable date column (every value)
    opp = raw / "salesforce/Opportunity.csv"
    col = EXPORTS_BY_PATH["salesforce/Opportunity.csv"].columns.index("CloseDate")
    _rewrite(
        opp, lambda rows: [rows[0], *([*r[:col], "31.12.2025", *r[col + 1 :]] for r in rows[1:])]
    )
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

    errors = _errors(raw, reports)
    text = "\n".join(errors)
    assert any("salesforce/Lead.csv" in e and "`Id`" in e and "duplicate" in e for e in errors), (
        text
    )
    assert any(
        "salesforce/Opportunity.csv" in e and "`CloseDate`" in e and "31.12.2025" in e
        for e in errors
    ), text
    assert any("hubspot/contacts.csv" in e and "`Record ID` is missing" in e for e in errors), text
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


def test_small_share_of_bad_values_is_tolerated(landing: tuple[Path, Path]) -> None:
    raw, reports = landing
    lead = raw / "salesforce/Lead.csv"
    col = EXPORTS_BY_PATH["salesforce/Lead.csv"].columns.index("AnnualRevenue")
    _rewrite(
        lead, lambda rows: [*rows[:2], [*rows[2][:col], "n/a", *rows[2][col + 1 :]], *rows[3:]]
    )
    report = validate_landing(raw, reports, SETTINGS)
    assert report.passed
    lead_rep = next(f for f in report.files if f.file == "salesforce/Lead.csv")
    assert lead_rep.status == "warn"
    strict = validate_landing(raw, reports, InboundSettings(max_bad_share=0.0, sample_rows=2000))
    assert any("`AnnualRevenue`" in e and "'n/a'" in e for e in strict.errors)


def test_missing_file_and_ragged_rows(landing: tuple[Path, Path]) -> None:
    raw, reports = landing
    (raw / "salesforce/Campaign.csv").unlink()
    with (raw / "salesforce/Account.csv").open("a") as fh:
        fh.write("only,three,cells\n")
    errors = _errors(raw, reports)
    assert any("salesforce/Campaign.csv" in e and "missing" in e for e in errors)
    assert any("salesforce/Account.csv" in e and "Line: 402" in e for e in errors), errors


def test_utf8_scan_offsets(tmp_path: Path) -> None:
    p = tmp_path / "f.csv"
    p.write_bytes(b"a,b\n\xc3\xa9,1\n2,\xff\n")
    assert scan_utf8(p)[:2] == (11, 3)
