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


def test_account_fields_are_spelled_by_the_lead_maps_convention() -> None:
    """Account fields are written once (target `all`) and spelled per target by the rule the
    lead rows follow: HubSpot's property is the Salesforce custom field lowercased without
    `__c` (Lead_Grade__c / lead_grade)."""
    from leadscore.sync.mapping import crm_field_name, sync_stream

    sf, hs = load_mapping("salesforce"), load_mapping("hubspot")
    sf_names = {f.source_column: f.crm_field for f in sf.fields}
    shared = [f for f in hs.fields if f.source_column in sf_names]
    assert len(shared) >= 8
    for field in shared:
        assert field.crm_field == crm_field_name("hubspot", sf_names[field.source_column])
    sf_account = load_mapping("salesforce", record_type="account")
    hs_account = load_mapping("hubspot", record_type="account")
    assert (sf_account.key.source_column, hs_account.key.source_column) == (
        "sf_account_id",
        "hubspot_company_id",
    )
    assert "Leadscore_Account_Grade__c" in sf_account.crm_fields
    assert hs_account.crm_fields == tuple(
        crm_field_name("hubspot", name) for name in sf_account.crm_fields
    )
    assert "leadscore_account_grade" in hs_account.crm_fields
    assert set(sf_account.trigger_columns) >= {"effective_grade", "is_mqa", "account_reason"}
    assert (sf_account.stream, hs_account.stream, sf.stream) == (
        "salesforce_account",
        "hubspot_account",
        sync_stream("salesforce"),
    )


def _account_scores(db: Path) -> None:
    """Four accounts as account_scores has them; one has no Salesforce Account (HubSpot only)."""
    _sql(
        db,
        """
        create or replace table account_scores as
        select * from (values
            ('a1', '001000000000000001', '101', 'A1', true,
             '5 people engaged in 90 days (it, sales); fit 90', 90, 99.5, 5),
            ('a2', '001000000000000002', '102', 'C3', false, 'Nobody engaged in 90 days', 40,
             0.0, 0),
            ('a3', '001000000000000003', null, 'B2', false, '=1 person engaged', 60, 50.0, 1),
            ('a4', null, '104', 'D4', false, 'Nobody engaged in 90 days', 10, 0.0, 0)
        ) as t(account_id, sf_account_id, hubspot_company_id, effective_grade, is_mqa,
               account_reason, account_fit_score, account_engagement_score, engaged_people)
        cross join (select timestamp '2026-06-30 00:00:00' as scored_at)
        """,
    )


def test_accounts_sync_by_their_crm_account_ids_change_only(tmp_path: Path) -> None:
    """Account rows go to the Account / company object by its CRM id, in their own stream of
    the same ledger: change-only, acknowledged like leads; accounts without an id are counted."""
    from leadscore.sync import sync_target
    from leadscore.sync.commands import summary_line

    db, out = _db(tmp_path, 20), tmp_path / "out"
    _account_scores(db)
    leads, accounts = sync_target(db, "salesforce", out)
    assert (leads.stream, leads.records_written) == ("salesforce", 20)
    assert (accounts.stream, accounts.records_written, accounts.without_crm_id) == (
        "salesforce_account",
        3,
        1,
    )
    assert accounts.batches[0].batch_id.startswith("salesforce_account-")
    sf_account = load_mapping("salesforce", record_type="account")
    path = out / "accounts" / accounts.batches[0].file
    assert validate_batch_file(path, sf_account, 10_000) == []
    with path.open(newline="") as fh:
        rows = {r["Id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {"001000000000000001", "001000000000000002", "001000000000000003"}
    assert rows["001000000000000001"]["Leadscore_Account_Grade__c"] == "A1"
    assert rows["001000000000000001"]["Leadscore_Is_MQA__c"] == "true"
    assert rows["001000000000000003"]["Leadscore_Account_Reason__c"] == "'=1 person engaged"
    manifest = json.loads((out / "accounts" / "manifest.json").read_text())
    assert manifest["api"]["object"] == "Account" and manifest["stream"] == "salesforce_account"
    assert summary_line(accounts).startswith("salesforce accounts: 1 batch, 3 records (1 new)")
    assert summary_line(accounts).endswith("; 1 account without a Salesforce Account Id not synced")

    ack_batches(db, [b.batch_id for b in leads.batches + accounts.batches])
    again = sync_target(db, "salesforce", out)
    assert [r.records_written for r in again] == [0, 0]
    assert summary_line(again[1]) == (
        "salesforce accounts: no changes to sync, nothing written; "
        "1 account without a Salesforce Account Id not synced"
    )
    # Engagement rank alone does not trigger a sync; the grade does, for that account only.
    _sql(db, "update account_scores set account_engagement_score = 1.0")
    assert sync_target(db, "salesforce", out)[1].records_written == 0
    _sql(db, "update account_scores set effective_grade = 'A2' where account_id = 'a2'")
    changed = sync_target(db, "salesforce", out)[1]
    with (out / "accounts" / changed.batches[0].file).open(newline="") as fh:
        assert [r["Id"] for r in csv.DictReader(fh)] == ["001000000000000002"]

    # HubSpot: companies by their record id, its own stream; a3 has no HubSpot company.
    _, hs_accounts = sync_target(db, "hubspot", tmp_path / "hs")
    assert hs_accounts.records_written == 3 and hs_accounts.without_crm_id == 1
    hs_path = tmp_path / "hs" / "accounts" / hs_accounts.batches[0].file
    hs_account = load_mapping("hubspot", record_type="account")
    assert validate_batch_file(hs_path, hs_account, 100) == []
    inputs = json.loads(hs_path.read_text())["inputs"]
    assert {i["id"] for i in inputs} == {"101", "102", "104"}
    assert {i["id"]: i["properties"]["leadscore_account_grade"] for i in inputs} == {
        "101": "A1",
        "102": "A2",
        "104": "D4",
    }
