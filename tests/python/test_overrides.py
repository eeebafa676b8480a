"""Score overrides end to end on a small built warehouse (docs/overrides.md).

One workspace, copied from the session's canonical build (2,000 leads) with the scoring
clock pinned, is scored and synced once without overrides (everything acknowledged). Then
an overrides file lands (good rows, and rows that must be rejected or must not apply), and
only what depends on it is rebuilt. The tests check that an override changes the effective
grade / MQL decision and exactly those CRM sync rows, is audited in lead_score_history, is
rejected with a reason when malformed, never reaches the training set, and expires on the
scoring clock; and that account_scores (built in the same run) covers every account with
people and marks the leads of marketing qualified accounts. The first sync runs the CLI
(`leadscore sync --target salesforce`): it writes an Account batch keyed by Salesforce Account
Ids; a second sync without changes writes no account rows, and after an account override sets
a grade the account sync carries exactly that account.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import Workspace, make_workspace

from leadscore.overrides import override_summary, summary_lines
from leadscore.sync import ack_batches, load_mapping, sync_target, validate_batch_file

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("overrides")]

AS_OF = "2026-06-30 00:00:00"
LATER = "2026-07-15 00:00:00"  # after the expiry of the 'lowered' override, before the rest
VARS = json.dumps({"as_of": AS_OF})
HEADER = [
    "Override Id",
    "Record Type",
    "Record Id",
    "Grade",
    "Is MQL",
    "Set By",
    "Set At",
    "Reason",
    "Expires At",
]
TRAINING = ("int_training_examples", "int_training_sample")


def _rows(db: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def _table(db: Path, name: str) -> list[tuple]:
    return _rows(db, f"select * from {name} order by all")


@dataclass
class Scenario:
    ws: Workspace
    raised: tuple  # (lead_id, sf_lead_id, model grade): override to A1 + MQL by Salesforce id
    lowered: tuple  # (lead_id, hubspot_record_id, model grade): D4 by HubSpot id, expires
    account: tuple  # (account_id, domain): MQL false for every lead of the account
    superseded: str  # lead_id overridden twice; the newer one (C3) applies
    graded_account: tuple  # (account_id, sf_account_id, model grade): set to A1 by account id
    before: dict[str, tuple]  # lead_id -> (grade, is_mql, effective_grade, effective_is_mql)
    training_before: dict[str, list[tuple]]
    synced_after: set[str]  # Salesforce ids in the sync after the overrides landed
    account_first: tuple  # (CLI stderr, account records written, Account ids, without an id)
    account_again: int  # account records written by a second sync with nothing changed
    accounts_after: dict[str, dict[str, str]]  # Account Id -> row synced after the overrides


def _effective(db: Path) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in _rows(
            db, "select lead_id, grade, is_mql, effective_grade, effective_is_mql from lead_scores"
        )
    }


def _synced_salesforce_rows(out: Path, result) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for batch in result.batches:
        with (out / batch.file).open(newline="", encoding="utf-8") as fh:
            rows |= {row["Id"]: row for row in csv.DictReader(fh)}
    return rows


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, built_workspace: Workspace) -> Scenario:
    root = tmp_path_factory.mktemp("overrides")
    raw_dir = root / "raw"
    shutil.copytree(built_workspace.raw_dir, raw_dir)
    ws = make_workspace(root / "ws", raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    db, outbox = ws.db_path, ws.settings.outbox_dir / "salesforce"
    ws.dbt(["build", "--select", "path:models/intermediate/scoring+", "--vars", VARS])
    before = _effective(db)
    assert all(v[0] == v[2] and v[1] == v[3] for v in before.values()), "no override yet"
    training_before = {name: _table(db, name) for name in TRAINING}
    account_first = _cli_sync_and_ack(ws, outbox)
    account_again = sum(r.records_written for r in sync_target(db, "salesforce", outbox))

    raised = _rows(
        db,
        "select lead_id, sf_lead_id, grade from lead_scores where sf_lead_id is not null "
        "and grade <> 'A1' and not is_mql order by lead_id limit 1",
    )[0]
    lowered = _rows(
        db,
        "select lead_id, hubspot_record_id, grade from lead_scores "
        "where hubspot_record_id is not null and sf_lead_id is not null "
        "and grade not like 'D%' and lead_id <> ? order by lead_id limit 1",
        [raised[0]],
    )[0]
    account = _rows(
        db,
        "select a.account_id, a.domain from dim_accounts a join lead_scores s "
        "on s.lead_id in (select lead_id from dim_leads where account_id = a.account_id) "
        "where s.is_mql and s.sf_lead_id is not null and a.account_id not in "
        "(select account_id from dim_leads where lead_id in (?, ?) and account_id is not null) "
        "group by 1, 2 order by 1 limit 1",
        [raised[0], lowered[0]],
    )[0]
    superseded = _rows(
        db,
        "select lead_id from lead_scores where grade <> 'C3' and lead_id not in (?, ?) "
        "and lead_id not in (select lead_id from dim_leads where account_id = ?) "
        "order by lead_id limit 1",
        [raised[0], lowered[0], account[0]],
    )[0][0]
    graded_account = _rows(
        db,
        "select account_id, sf_account_id, account_grade from account_scores "
        "where sf_account_id is not null and account_grade <> 'A1' and account_id <> ? "
        "and account_id not in (select account_id from dim_leads "
        "where lead_id in (?, ?, ?) and account_id is not null) order by account_id limit 1",
        [account[0], raised[0], lowered[0], superseded],
    )[0]
    rows = [
        ["r1", "lead", raised[1], "a1", "true", "Dana Reyes", "2026-06-20T10:00:00Z",
         "Met at the trade show: budget approved", ""],
        ["r2", "lead", lowered[1], "D4", "", "Lee Chan", "2026-06-25 09:00:00",
         "Student project, not a buyer", "2026-07-10T00:00:00Z"],
        ["r3", "account", account[1].upper(), "", "no", "Sam Ortiz", "2026-06-21T00:00:00Z",
         "Existing customer: renewals go through the account manager", ""],
        ["r4", "lead", superseded, "B1", "", "Lee Chan", "2026-06-01T00:00:00Z",
         "First impression", ""],
        ["r5", "lead", superseded, "C3", "", "Dana Reyes", "2026-06-10T00:00:00Z",
         "Second call: smaller budget", ""],
        ["r6", "lead", "no-such-lead", "A1", "", "Lee Chan", "2026-06-10T00:00:00Z", "Typo", ""],
        ["r7", "lead", superseded, "A1", "", "Lee Chan", "2026-07-20T00:00:00Z",
         "Set after the clock", ""],
        ["r8", "lead", raised[0], "A1", "", "Lee Chan", "2026-01-02T00:00:00Z",
         "Expired by the default expiry", ""],
        ["r9", "account", graded_account[0], "A1", "", "Dana Reyes", "2026-06-22T00:00:00Z",
         "Buying committee formed: CFO sponsor", ""],
        ["b1", "lead", raised[0], "Z9", "", "Lee Chan", "2026-06-10T00:00:00Z", "Bad grade", ""],
        ["b2", "lead", raised[0], "", "", "Lee Chan", "2026-06-10T00:00:00Z", "No value", ""],
        ["b3", "lead", raised[0], "", "maybe", "Lee Chan", "2026-06-10T00:00:00Z", "MQL?", ""],
        ["b4", "contact", raised[0], "A1", "", "Lee Chan", "2026-06-10T00:00:00Z", "Type", ""],
        ["b5", "lead", raised[0], "A1", "", "", "2026-06-10T00:00:00Z", "Nobody", ""],
        ["b6", "lead", raised[0], "A1", "", "Lee Chan", "2026-06-10T00:00:00Z", "Backwards",
         "2026-06-01T00:00:00Z"],
    ]  # fmt: skip
    folder = raw_dir / "overrides"
    folder.mkdir()
    with (folder / "score_overrides.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    # What depends on the overrides, plus the training models (rebuilt with the file present).
    ws.dbt(["build", "--select", "source:overrides+", *TRAINING, "--vars", VARS])
    res, accounts = sync_target(db, "salesforce", outbox)
    synced = _synced_salesforce_rows(outbox, res)
    accounts_after = _synced_salesforce_rows(outbox / "accounts", accounts)
    return Scenario(
        ws,
        raised,
        lowered,
        account,
        superseded,
        graded_account,
        before,
        training_before,
        set(synced),
        account_first,
        account_again,
        accounts_after,
    )


def _cli_sync_and_ack(ws: Workspace, outbox: Path) -> tuple:
    """`leadscore sync --target salesforce` as a scheduler runs it, then every batch acked."""
    env = {
        **os.environ,
        "COLUMNS": "200",
        "LEADSCORE_DB": str(ws.db_path),
        "LEADSCORE_RAW_DIR": str(ws.raw_dir),
        "LEADSCORE_PUBLISHED_DIR": str(ws.settings.published_dir),
        "LEADSCORE_OUTBOX_DIR": str(ws.settings.outbox_dir),
        "LEADSCORE_REPORTS_DIR": str(ws.settings.reports_dir),
    }
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("leadscore")), "sync", "--target", "salesforce"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    manifests = [outbox / "manifest.json", outbox / "accounts" / "manifest.json"]
    leads, accounts = (json.loads(m.read_text()) for m in manifests)
    assert accounts["stream"] == "salesforce_account" and accounts["api"]["object"] == "Account"
    mapping = load_mapping("salesforce", record_type="account")
    ids: set[str] = set()
    for batch in accounts["batches"]:
        path = outbox / "accounts" / batch["file"]
        assert validate_batch_file(path, mapping, 10_000) == []
        with path.open(newline="", encoding="utf-8") as fh:
            ids |= {row["Id"] for row in csv.DictReader(fh)}
    ack_batches(ws.db_path, [b["batch_id"] for b in leads["batches"] + accounts["batches"]])
    without = _rows(ws.db_path, "select count(*) from account_scores where sf_account_id is null")
    return proc.stderr, accounts["records"], ids, without[0][0]


def _accounts_sync_by_salesforce_account_id_change_only(scenario: Scenario) -> None:
    db = scenario.ws.db_path
    stderr, records, ids, without = scenario.account_first
    with_ids = {r[0] for r in _rows(db, "select sf_account_id from account_scores")} - {None}
    assert records == len(ids) == len(with_ids) > 0 and ids == with_ids
    summary = [line for line in stderr.splitlines() if line.startswith("salesforce accounts:")]
    assert len(summary) == 1 and f"{records:,} records (1 new)" in summary[0], stderr
    if without:  # accounts known only from people or HubSpot have no Salesforce Account
        assert (
            f"{without:,} account" in summary[0]
            and "Salesforce Account Id not synced" in (summary[0])
        )
    assert scenario.account_again == 0, "nothing changed: no lead or account rows"
    account_id, sf_account_id, model_grade = scenario.graded_account
    assert set(scenario.accounts_after) == {sf_account_id}
    row = scenario.accounts_after[sf_account_id]
    assert row["Leadscore_Account_Grade__c"] == "A1" != model_grade
    assert _rows(
        db,
        "select account_grade, effective_grade, override_id from account_scores "
        "where account_id = ?",
        [account_id],
    ) == [(model_grade, "A1", "r9")]
    print(f"account sync: {records} accounts with a Salesforce Account Id, {without} without")


def _override_changes_the_effective_grade_and_the_sync_batch(scenario: Scenario) -> None:
    db = scenario.ws.db_path
    after = _effective(db)
    lead, sf_id, model_grade = scenario.raised
    assert after[lead] == (model_grade, scenario.before[lead][1], "A1", True)
    lead2, _, model_grade2 = scenario.lowered
    assert after[lead2][0] == model_grade2 and after[lead2][2] == "D4"
    assert after[scenario.superseded][2] == "C3"
    account_leads = {
        r[0] for r in _rows(db, "select lead_id from dim_leads where account_id = ?",
                            [scenario.account[0]])
    }  # fmt: skip
    for lead_id in account_leads & set(after):
        assert after[lead_id][3] is False, "the account's override takes MQL away"
    # The model's own values never move; leads without an override are untouched.
    assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in scenario.before.items()}
    graded_leads = {
        r[0] for r in _rows(db, "select lead_id from dim_leads where account_id = ?",
                            [scenario.graded_account[0]])
    }  # fmt: skip
    for lead_id in graded_leads & set(after):
        assert after[lead_id][2] == "A1", "the account's grade override reaches its leads"
    touched = {lead, lead2, scenario.superseded} | account_leads | graded_leads
    assert {k: v for k, v in after.items() if k not in touched} == {
        k: v for k, v in scenario.before.items() if k not in touched
    }
    # The sync carries exactly the leads whose effective grade or MQL decision changed.
    changed = {k for k, v in after.items() if v[2:] != scenario.before[k][2:]}
    sf_ids = dict(_rows(db, "select lead_id, sf_lead_id from lead_scores"))
    expected = {sf_ids[k] for k in changed if sf_ids[k]}
    assert sf_id in expected
    assert scenario.synced_after == expected
    payload = _rows(
        db,
        "select payload->>'Lead_Grade__c', payload->>'Is_MQL__c' from crm_sync__lead_scores "
        "where target = 'salesforce' and crm_id = ?",
        [sf_id],
    )
    assert payload == [("A1", "true")]


def _override_is_audited_in_history_and_score_overrides(scenario: Scenario) -> None:
    db = scenario.ws.db_path
    lead, _, model_grade = scenario.raised
    history = _rows(
        db,
        "select grade, effective_grade, is_mql, effective_is_mql, override_id, "
        "override_set_by, override_reason, override_expires_at from lead_score_history "
        "where lead_id = ? and as_of = ?",
        [lead, AS_OF],
    )
    assert len(history) == 1
    grade, effective, is_mql, effective_mql, override_id, by, reason, until = history[0]
    assert (grade, effective, is_mql, effective_mql) == (model_grade, "A1", False, True)
    assert (override_id, by) == ("r1", "Dana Reyes")
    assert reason == "Met at the trade show: budget approved"
    # No Expires At: the policy default (90 days after Set At).
    assert str(until) == "2026-09-18 10:00:00"
    statuses = dict(_rows(db, "select override_id, override_status from score_overrides"))
    assert statuses == {
        "r1": "active",
        "r2": "active",
        "r3": "active",
        "r4": "superseded",
        "r5": "active",
        "r6": "unknown_record",
        "r7": "not_yet_set",
        "r8": "expired",
        "r9": "active",
    }


def _bad_override_rows_are_rejected_with_reasons(scenario: Scenario) -> None:
    db = scenario.ws.db_path
    rejected = dict(
        _rows(
            db,
            "select source_id, rejection_reason from rejected_rows "
            "where source_system = 'overrides'",
        )
    )
    assert rejected == {
        "b1": "invalid_grade",
        "b2": "no_override_value",
        "b3": "unparseable_override_is_mql",
        "b4": "invalid_record_type",
        "b5": "missing_set_by",
        "b6": "expires_before_set",
    }
    recon = _rows(
        db,
        "select landed_rows, staged_rows, rejected_rows, is_reconciled "
        "from staging_reconciliation where source_system = 'overrides'",
    )
    assert recon == [(15, 9, 6, True)]
    with duckdb.connect(str(db), read_only=True) as con:
        summary = override_summary(con)
    assert summary is not None
    assert summary.active == 5 and summary.rejected_rows == 6
    n_account = _rows(
        db,
        "select count(*) from lead_scores where override_scope = 'account'",
    )[0][0]
    assert summary.overridden_open_leads == 3 + n_account
    assert summary_lines(summary)[0].startswith("Overrides: 5 active, set by 3 people")


def _overrides_never_reach_the_training_set(scenario: Scenario) -> None:
    ws = scenario.ws
    for name in TRAINING:
        assert _table(ws.db_path, name) == scenario.training_before[name], name
    downstream = set(
        ws.dbt(["ls", "--select", "source:overrides+", "--resource-type", "model",
                "--output", "name", "--vars", VARS, "-q"]).split()
    )  # fmt: skip
    training = set(
        ws.dbt(["ls", "--select", "+ml_model_registry", "--resource-type", "model",
                "--output", "name", "--vars", VARS, "-q"]).split()
    )  # fmt: skip
    assert "lead_scores" in downstream and "int_training_sample" in training
    assert not downstream & training, "training reads a model that depends on overrides"


def _account_scores_cover_every_account_with_people(scenario: Scenario) -> None:
    """Built in the same scoring run (account_scores feeds lead_scores' account_reason)."""
    db = scenario.ws.db_path
    with_people = {
        r[0]
        for r in _rows(db, "select distinct account_id from dim_leads where account_id is not null")
    }
    scores = _rows(
        db,
        "select account_id, account_fit_score, account_engagement_score, engaged_people, "
        "account_grade, effective_grade, is_mqa, override_id from account_scores",
    )
    assert {r[0] for r in scores} == with_people and len(scores) == len(with_people)
    grades = {f"{a}{d}" for a in "ABCD" for d in "1234"}
    graded = scenario.graded_account[0]
    for account_id, fit, engagement, people, grade, effective, mqa, _ in scores:
        assert 0 <= fit <= 100 and 0 <= engagement <= 100 and grade in grades
        assert effective == ("A1" if account_id == graded else grade), "only r9 sets a grade"
        if mqa:  # the policy's thresholds (seeds/policy/policy_account_scoring.csv)
            assert fit >= 50 and engagement >= 75 and people >= 2
    assert any(r[6] for r in scores) and not all(r[6] for r in scores)
    assert {r[7] for r in scores if r[0] == scenario.account[0]} == {"r3"}
    leads = _rows(
        db,
        "select s.account_is_mqa, s.account_reason, a.is_mqa from lead_scores s "
        "left join dim_leads l using (lead_id) left join account_scores a using (account_id)",
    )
    for lead_mqa, reason, account_mqa in leads:
        assert lead_mqa == bool(account_mqa)
        assert (reason or "").startswith("Hot account") == bool(account_mqa)


def _override_expires_on_the_scoring_clock(scenario: Scenario) -> None:
    """Last: it moves the clock of this workspace's score_overrides."""
    ws, db = scenario.ws, scenario.ws.db_path
    lead, _, model_grade = scenario.lowered
    assert _effective(db)[lead][2] == "D4"
    later = json.dumps({"as_of": LATER})
    ws.dbt(["build", "--select", "int_scoring_clock", "score_overrides", "lead_scores",
            "--vars", later])  # fmt: skip
    statuses = dict(_rows(db, "select override_id, override_status from score_overrides"))
    assert statuses["r2"] == "expired" and statuses["r1"] == "active"
    row = _rows(
        db,
        "select grade, effective_grade, is_overridden from lead_scores where lead_id = ?",
        [lead],
    )
    assert row == [(model_grade, model_grade, False)]


def test_overrides_end_to_end(scenario: Scenario) -> None:
    """One test over one build: pytest-xdist may split a module's tests over workers, and
    each worker would then build the scenario again."""
    _override_changes_the_effective_grade_and_the_sync_batch(scenario)
    _override_is_audited_in_history_and_score_overrides(scenario)
    _bad_override_rows_are_rejected_with_reasons(scenario)
    _overrides_never_reach_the_training_set(scenario)
    _account_scores_cover_every_account_with_people(scenario)
    _accounts_sync_by_salesforce_account_id_change_only(scenario)
    _override_expires_on_the_scoring_clock(scenario)
