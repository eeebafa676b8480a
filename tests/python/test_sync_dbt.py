"""CRM sync end to end on a small built warehouse: dbt's `crm_sync__lead_scores` + `leadscore sync`.

One workspace, built once from the session's canonical build (2,000 leads) with the scoring
clock pinned, walks through: first sync (no ledger yet: every lead with a CRM id is due),
batch files validated against the target formats, acknowledgement, a second sync with no
changes (zero rows), then one lead's activities change in the landing files, a rebuild, and
a sync that carries exactly the leads whose score, grade, reasons or MQL flag changed.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import Workspace, make_workspace

from leadscore.sync import ack_batches, load_mapping, run_sync, validate_batch_file
from leadscore.sync.engine import API_MAX_RECORDS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sync_dbt")]

AS_OF = "2026-06-30 00:00:00"  # pinned scoring clock: only landing-file edits change inputs
VARS = json.dumps({"as_of": AS_OF})
MODEL = "crm_sync__lead_scores"
TRIGGERS = ("score", "effective_grade", "reason_1", "reason_2", "reason_3", "effective_is_mql")
KEYS = {"salesforce": "sf_lead_id", "hubspot": "hubspot_record_id"}


def _rows(db: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def _lead_outputs(db: Path) -> dict[str, tuple]:
    cols = ", ".join(("sf_lead_id", "hubspot_record_id", *TRIGGERS))
    return {r[0]: r[1:] for r in _rows(db, f"select lead_id, {cols} from lead_scores")}


def _synced_ids(out: Path, result) -> set[str]:
    ids: set[str] = set()
    for batch in result.batches:
        path = out / batch.file
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as fh:
                ids |= {row["Id"] for row in csv.DictReader(fh)}
        else:
            ids |= {item["id"] for item in json.loads(path.read_text())["inputs"]}
    return ids


def _assert_valid(out: Path, result, target: str) -> None:
    mapping = load_mapping(target)
    limit = 100 if target == "hubspot" else API_MAX_RECORDS
    for batch in result.batches:
        problems = validate_batch_file(out / batch.file, mapping, limit)
        assert problems == [], f"{batch.file}: {problems[:5]}"
        assert batch.records <= limit


def _append_form_fill(raw_dir: Path, marketo_lead_id: str) -> None:
    """A high-intent Marketo activity (form fill + pricing page) for one lead, before AS_OF."""
    path = raw_dir / "marketo" / "activities.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        next_guid = max(int(r["marketoGUID"]) for r in reader) + 1
    rows = [
        {
            "marketoGUID": str(next_guid),
            "leadId": marketo_lead_id,
            "activityDate": "2026-06-29T15:04:05Z",
            "activityTypeId": "2",
            "activityTypeName": "Fill Out Form",
            "primaryAttributeValue": "Contact Sales - Request a Demo",
            "attributes": '[{"name":"Webpage ID","value":"4002"}]',
        },
        {
            "marketoGUID": str(next_guid + 1),
            "leadId": marketo_lead_id,
            "activityDate": "2026-06-29T15:01:00Z",
            "activityTypeId": "1",
            "activityTypeName": "Visit Webpage",
            "primaryAttributeValue": "https://www.leadscore-demo.com/pricing",
            "attributes": "[]",
        },
    ]
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writerows([{k: r.get(k, "") for k in fields} for r in rows])


@pytest.fixture(scope="module")
def scored_ws(tmp_path_factory: pytest.TempPathFactory, built_workspace: Workspace) -> Workspace:
    """A private copy of the session's canonical build, with ML, scoring and sync built on it."""
    root = tmp_path_factory.mktemp("sync_dbt")
    raw_dir = root / "raw"
    shutil.copytree(built_workspace.raw_dir, raw_dir)
    ws = make_workspace(root / "ws", raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    # The clock and everything downstream of it: scoring features, ML, scoring, sync, metrics.
    ws.dbt(["build", "--select", "path:models/intermediate/scoring+", "--vars", VARS])
    return ws


def test_dbt_sync_model_and_engine_agree_end_to_end(scored_ws: Workspace) -> None:
    ws, db = scored_ws, scored_ws.db_path
    outbox = ws.settings.outbox_dir
    before = _lead_outputs(db)

    # 1. No ledger yet: the model holds every lead with a CRM id, per target.
    for target, key in KEYS.items():
        n_model = _rows(db, f"select count(*) from {MODEL} where target = ?", [target])[0][0]
        n_ids = len({v[0 if key == "sf_lead_id" else 1] for v in before.values()} - {None})
        assert n_model == n_ids > 0, target

    # 2. First sync reads the model, files validate, then everything is acknowledged.
    first = {}
    for target in KEYS:
        res = run_sync(db, target, outbox / target)
        assert res.source.endswith(f'"{MODEL}"') and res.records_written > 0
        _assert_valid(outbox / target, res, target)
        first[target] = res
        ack_batches(db, [b.batch_id for b in res.batches])

    # 3. Second sync, no changes: zero rows, no files, before and after a rebuild of the model.
    for target in KEYS:
        files = sorted(p.name for p in (outbox / target).iterdir())
        again = run_sync(db, target, outbox / target)
        assert again.records_written == 0 and again.manifest is None
        assert sorted(p.name for p in (outbox / target).iterdir()) == files
    ws.dbt(["run", "--select", MODEL, "--vars", VARS])
    assert _rows(db, f"select count(*) from {MODEL}")[0][0] == 0
    assert all(run_sync(db, t, outbox / t).records_written == 0 for t in KEYS)

    # 4. One lead's activities change (a demo-request form fill by a fitting non-MQL lead).
    candidates = _rows(
        db,
        "select lead_id, marketo_lead_id from lead_scores where marketo_lead_id is not null "
        "and sf_lead_id is not null and not is_mql and fit_score >= 40 "
        "and score_status = 'scored' order by engagement_score, lead_id limit 1",
    )
    assert candidates, "no non-MQL, fitting Marketo lead with a Salesforce id in the test data"
    lead_id, marketo_id = candidates[0]
    _append_form_fill(ws.raw_dir, marketo_id)
    ws.dbt(["build", "--select", "source:marketo+", "--vars", VARS])
    after = _lead_outputs(db)

    changed = {
        lead for lead, out in after.items() if lead not in before or before[lead][2:] != out[2:]
    }
    assert lead_id in changed, "the form fill should flip the lead's MQL flag (policy hand-raiser)"
    assert after[lead_id][2 + TRIGGERS.index("effective_is_mql")] is True

    # 5. The model and the sync carry exactly the changed leads, per target.
    synced: dict[str, set[str]] = {}
    for target, key in KEYS.items():
        pos = 0 if key == "sf_lead_id" else 1
        expected = {after[lead][pos] for lead in changed if after[lead][pos]}
        in_model = {
            r[0] for r in _rows(db, f"select crm_id from {MODEL} where target = ?", [target])
        }
        assert in_model == expected, target
        res = run_sync(db, target, outbox / target)
        _assert_valid(outbox / target, res, target)
        synced[target] = _synced_ids(outbox / target, res)
        assert synced[target] == expected, target
        assert res.records_written == len(expected)
    assert after[lead_id][0] in synced["salesforce"]
    print(  # figures for -s / -rP runs
        f"changed leads: {len(changed)} of {len(after)}; synced: "
        + ", ".join(f"{t} {len(ids)}" for t, ids in synced.items())
        + "; first sync: "
        + ", ".join(f"{t} {r.records_written}" for t, r in first.items())
    )
