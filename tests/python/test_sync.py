"""CRM sync: changed rows only, deterministic batches, formats the CRM APIs accept."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from leadscore.quality.fixtures import create_lead_scores
from leadscore.sync import (
    DEFAULT_BATCH_SIZE,
    ack_batches,
    load_mapping,
    run_sync,
    validate_batch_file,
)
from leadscore.sync.formats import format_value


def _db(tmp_path: Path, n: int = 300) -> Path:
    db = tmp_path / "work.duckdb"
    with duckdb.connect(str(db)) as con:
        create_lead_scores(con, n)
    return db


def _sql(db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(db)) as con:
        return con.sql(query).fetchall()


def _ack_all(db: Path, result) -> None:
    ack_batches(db, [b.batch_id for b in result.batches])


def test_second_sync_without_changes_writes_nothing(tmp_path: Path) -> None:
    db, out = _db(tmp_path), tmp_path / "out"
    first = run_sync(db, "salesforce", out)
    assert first.records_written == 300 and len(first.batches) == 1
    _ack_all(db, first)
    before = sorted(p.name for p in out.iterdir())
    second = run_sync(db, "salesforce", out)
    assert second.records_written == 0 and second.batches == [] and second.manifest is None
    assert sorted(p.name for p in out.iterdir()) == before


def test_changing_one_lead_syncs_exactly_that_lead(tmp_path: Path) -> None:
    db, out = _db(tmp_path), tmp_path / "out"
    _ack_all(db, run_sync(db, "salesforce", out))
    # Non-trigger columns (probability, scored_at) changing alone must not cause a sync.
    _sql(
        db,
        "update lead_scores set scored_at = scored_at + interval 1 day, "
        "conversion_probability = conversion_probability * 0.99",
    )
    assert run_sync(db, "salesforce", out).records_written == 0
    _sql(db, "update lead_scores set score = 100 - score where lead_id = 'L000000042'")
    result = run_sync(db, "salesforce", out)
    assert result.records_written == 1
    with (out / result.batches[0].file).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["Id"] for r in rows] == ["00Q000000000000042"]
    # HubSpot keeps its own ledger: everything is still due there.
    assert run_sync(db, "hubspot", tmp_path / "hs").records_written == 300


@pytest.mark.parametrize("column", ["effective_grade", "reason_2", "effective_is_mql"])
def test_each_trigger_column_causes_a_sync(tmp_path: Path, column: str) -> None:
    db, out = _db(tmp_path, 50), tmp_path / "out"
    _ack_all(db, run_sync(db, "hubspot", out))
    new = {
        "effective_grade": "'D4'",
        "reason_2": "null",
        "effective_is_mql": "not effective_is_mql",
    }[column]
    _sql(
        db, f"update lead_scores set {column} = {new} where lead_id in ('L000000001', 'L000000003')"
    )
    # L000000003 has reason_2 null already; a no-op update must not count.
    expected = 1 if column == "reason_2" else 2
    assert run_sync(db, "hubspot", out).records_written == expected


def test_unacknowledged_batch_is_reoffered_not_duplicated(tmp_path: Path) -> None:
    db, out = _db(tmp_path), tmp_path / "out"
    first = run_sync(db, "salesforce", out)
    second = run_sync(db, "salesforce", out)
    assert [b.batch_id for b in second.batches] == [b.batch_id for b in first.batches]
    assert second.batches[0].status == "re-offered"
    assert _sql(db, "select count(*) from sync_ledger")[0][0] == 300
    # A change while the batch is pending supersedes it with one new batch.
    _sql(db, "update lead_scores set effective_grade = 'D4' where lead_id = 'L000000007'")
    third = run_sync(db, "salesforce", out)
    assert third.superseded == [first.batches[0].batch_id]
    assert not (out / first.batches[0].file).exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [b["batch_id"] for b in manifest["batches"]] == [third.batches[0].batch_id]
    acked = ack_batches(db, [third.batches[0].batch_id])
    assert acked[0].records == 300
    assert ack_batches(db, [third.batches[0].batch_id])[0].status == "already-acknowledged"
    assert run_sync(db, "salesforce", out).records_written == 0


def test_25000_changed_rows_make_3_valid_salesforce_batches(tmp_path: Path) -> None:
    db, out = _db(tmp_path, 25_000), tmp_path / "out"
    result = run_sync(db, "salesforce", out)
    assert [b.records for b in result.batches] == [10_000, 10_000, 5_000]
    assert len({b.batch_id for b in result.batches}) == 3
    mapping = load_mapping("salesforce")
    for batch in result.batches:
        path = out / batch.file
        assert validate_batch_file(path, mapping, 10_000) == []
        raw = path.read_bytes()
        assert b"\r\n" not in raw
        header = raw.split(b"\n", 1)[0].decode()
        assert header == (
            "Id,Lead_Score__c,Lead_Grade__c,Conversion_Probability__c,Score_Reason_1__c,"
            "Score_Reason_2__c,Score_Reason_3__c,Score_Model_Version__c,Is_MQL__c,"
            "Score_Updated_At__c"
        )
    first_rows = (out / result.batches[0].file).read_text().splitlines()
    assert first_rows[1].endswith(",2025-03-04T14:15:22.123Z")
    assert "#N/A" in (out / result.batches[0].file).read_text()  # null reason_2 -> set null
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["records"] == 25_000 and manifest["api"]["lineEnding"] == "LF"
    # Deterministic: a fresh DB with the same content gives the same batch ids.
    db2 = tmp_path / "again"
    db2.mkdir()
    again = run_sync(_db(db2, 25_000), "salesforce", db2 / "out")
    assert [b.batch_id for b in again.batches] == [b.batch_id for b in result.batches]


def test_hubspot_batches_are_valid_request_bodies(tmp_path: Path) -> None:
    db, out = _db(tmp_path, 250), tmp_path / "out"
    result = run_sync(db, "hubspot", out)
    assert DEFAULT_BATCH_SIZE["hubspot"] == 100
    assert [b.records for b in result.batches] == [100, 100, 50]
    mapping = load_mapping("hubspot")
    for batch in result.batches:
        assert validate_batch_file(out / batch.file, mapping, 100) == []
    body = json.loads((out / result.batches[0].file).read_text())
    item = body["inputs"][0]
    assert item["id"] == "100000"
    assert set(item["properties"]) == {
        "lead_score",
        "lead_grade",
        "conversion_probability",
        "score_reason_1",
        "score_reason_2",
        "score_reason_3",
        "score_model_version",
        "is_mql",
    }
    assert all(isinstance(v, str) for v in item["properties"].values())
    assert item["properties"]["is_mql"] in ("true", "false")


def test_validators_reject_bad_files(tmp_path: Path) -> None:
    sf, hs = load_mapping("salesforce"), load_mapping("hubspot")
    bad_csv = tmp_path / "b.csv"
    bad_csv.write_bytes(b"Lead_Score__c,Id\r\n12,00Q000000000000001\r\n")
    assert validate_batch_file(bad_csv, sf, 10_000)
    bad_json = tmp_path / "b.json"
    bad_json.write_text(json.dumps({"inputs": [{"id": 5, "properties": {"lead_score": 12}}]}))
    assert validate_batch_file(bad_json, hs, 100)


def test_format_values() -> None:
    assert format_value(True, "boolean") == "true"
    assert format_value(0.1234567, "double") == "0.123457"
    assert format_value(87.0, "integer") == "87"
    assert format_value(None, "string") is None


def test_missing_table_and_unknown_batch_are_clear_errors(tmp_path: Path) -> None:
    from leadscore.quality._duck import WarehouseError

    with pytest.raises(WarehouseError, match="leadscore run"):
        run_sync(tmp_path / "nope.duckdb", "salesforce", tmp_path / "o")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(WarehouseError, match="lead_scores"):
        run_sync(empty, "salesforce", tmp_path / "o")
    with pytest.raises(WarehouseError, match="Unknown batch"):
        ack_batches(empty, ["salesforce-deadbeef"])


def test_csv_cells_never_start_a_formula() -> None:
    """Excel and Sheets run a cell starting with = + - @ as a formula: the sync CSV neutralises
    every such text cell (OWASP), keeps negative numbers as numbers."""
    import csv
    import io

    from leadscore.sync.formats import FORMULA_START, formula_safe, salesforce_csv
    from leadscore.sync.mapping import load_mapping

    mapping = load_mapping("salesforce")
    text_fields = [i for i, f in enumerate(mapping.fields) if f.crm_type == "string"]
    assert text_fields, "the mapping has text fields to check"
    attacks = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rcmd"]
    rows = []
    for n, attack in enumerate(attacks):
        row: list[object] = [f"00Q000000000000{n:03d}"] + [None] * len(mapping.fields)
        for i in text_fields:
            row[1 + i] = attack
        rows.append(row)
    text = salesforce_csv(mapping, rows).decode()
    cells = [c for r in csv.reader(io.StringIO(text, newline="")) for c in r]
    assert not [c for c in cells if c.startswith(FORMULA_START)], cells
    assert formula_safe("-5") == "-5" and formula_safe("-0.25") == "-0.25"
