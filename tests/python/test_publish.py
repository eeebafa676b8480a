"""Publish: a read-only copy swapped atomically; readers never see a half-written version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from leadscore.publish import GateFailed, publish
from leadscore.quality.fixtures import create_lead_scores

READER = r"""
import json, sys, time
from pathlib import Path
import duckdb

db, log, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

def observe(con):
    # Two tables written by one rebuild must agree: same version, metrics row count = rows.
    versions = con.sql("select distinct model_version from lead_scores").fetchall()
    rows = con.sql("select count(*) from lead_scores").fetchall()[0][0]
    meta = con.sql("select model_version, n_rows from model_metrics").fetchall()
    pub = con.sql("select version from _publish_meta").fetchall()
    return {"versions": [v[0] for v in versions], "rows": rows, "meta": meta, "pub": pub}

held = duckdb.connect(db, read_only=True)
first = observe(held)
with log.open("w") as out:
    out.write(json.dumps({"kind": "held-start", **first}) + "\n")
    n = 0
    while not stop.exists():
        n += 1
        for kind in ("held", "fresh"):
            try:
                if kind == "held":
                    obs = observe(held)
                else:
                    with duckdb.connect(db, read_only=True) as con:
                        obs = observe(con)
                out.write(json.dumps({"kind": kind, **obs}) + "\n")
            except Exception as exc:
                out.write(json.dumps({"kind": kind, "error": repr(exc)}) + "\n")
        out.flush()
        time.sleep(0.005)
held.close()
"""


def _rebuild(work: Path, i: int) -> tuple[str, int]:
    """Stand-in for `leadscore run`: rewrite the marts of the working DB in place."""
    version, n = f"v{i}", 2000 + 311 * i
    with duckdb.connect(str(work)) as con:
        create_lead_scores(con, n, seed=i, model_version=version)
        con.execute(
            "create or replace table model_metrics as select ? as model_version, ? as n_rows, "
            "0.8 as roc_auc",
            [version, n],
        )
    return version, n


def _consistent(obs: dict) -> bool:
    return (
        len(obs["versions"]) == 1
        and obs["meta"] == [[obs["versions"][0], obs["rows"]]]
        and len(obs["pub"]) == 1
    )


def test_reader_holds_connection_through_10_rebuild_and_publish_cycles(tmp_path: Path) -> None:
    work, pub = tmp_path / "work.duckdb", tmp_path / "published"
    _rebuild(work, 0)
    publish(work, pub, gate=False, keep=3)
    log, stop = tmp_path / "reader.jsonl", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(pub / "leadscore.duckdb"), str(log), str(stop)]
    )
    try:
        while not log.exists() or log.stat().st_size == 0:
            assert reader.poll() is None, "reader died on start"
            time.sleep(0.01)
        expected = {"v0": 2000}
        for i in range(1, 11):
            version, n = _rebuild(work, i)
            result = publish(work, pub, gate=(i % 5 == 0), keep=3)
            expected[version] = n
            assert result.tables["lead_scores"] == n
            time.sleep(0.05)  # let the reader open a few fresh connections on this version
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert reader.returncode == 0
    records = [json.loads(line) for line in log.read_text().splitlines()]
    errors = [r for r in records if "error" in r]
    assert errors == [], errors[:3]
    held = [r for r in records if r["kind"] in ("held-start", "held")]
    fresh = [r for r in records if r["kind"] == "fresh"]
    assert len(held) > 10 and len(fresh) > 10
    # The held connection keeps its complete snapshot (v0), even after v0 is pruned.
    assert all(r["versions"] == ["v0"] and r["rows"] == 2000 for r in held)
    # Fresh readers see one complete version at a time, never a mix.
    assert all(_consistent(r) for r in fresh)
    assert all(r["rows"] == expected[r["versions"][0]] for r in fresh)
    seen = {r["versions"][0] for r in fresh}
    assert len(seen) >= 5, seen  # the reader really ran across the swaps
    # Pruning kept the newest 3 versions; the stable path points at the last one.
    assert len([p for p in (pub / "versions").iterdir() if not p.name.startswith(".")]) == 3
    with duckdb.connect(str(pub / "leadscore.duckdb"), read_only=True) as con:
        assert con.sql("select distinct model_version from lead_scores").fetchall() == [("v10",)]
    assert (pub / "parquet" / "lead_scores.parquet").exists()


def test_publish_copies_existing_marts_and_parquet(tmp_path: Path) -> None:
    work, pub = tmp_path / "work.duckdb", tmp_path / "published"
    _rebuild(work, 1)
    with duckdb.connect(str(work)) as con:
        con.execute("create table dim_leads as select lead_id from lead_scores")
        con.execute("create table scratch_not_published as select 1 as x")
    result = publish(work, pub, gate=False)
    assert set(result.tables) == {"lead_scores", "model_metrics", "dim_leads"}
    assert "sales_priority_queue" in result.skipped
    with duckdb.connect(str(pub / "leadscore.duckdb"), read_only=True) as con:
        tables = {
            r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()
        }
    assert tables == {"lead_scores", "model_metrics", "dim_leads", "_publish_meta"}
    parquet = duckdb.sql(f"select count(*) from '{pub / 'parquet' / 'dim_leads.parquet'}'")
    assert parquet.fetchall()[0][0] == result.tables["dim_leads"]
    assert os.path.islink(pub / "current") and os.path.islink(pub / "leadscore.duckdb")
    manifest = json.loads((result.version_dir / "manifest.json").read_text())
    assert manifest["tables"]["lead_scores"] == result.tables["lead_scores"]


def test_failed_gate_publishes_nothing(tmp_path: Path) -> None:
    work, pub = tmp_path / "work.duckdb", tmp_path / "published"
    _rebuild(work, 1)
    first = publish(work, pub)  # real gate, no previous copy
    assert first.gate is not None and first.gate.passed and first.gate.psi is None
    with duckdb.connect(str(work)) as con:
        con.execute("update lead_scores set grade = 'Z9' where lead_id = 'L000000001'")
        con.execute("update lead_scores set score = 50")  # collapsed distribution
    with pytest.raises(GateFailed) as info:
        publish(work, pub)
    reasons = "\n".join(info.value.gate.reasons)
    assert "grade" in reasons and "Z9" in reasons and "stdev" in reasons and "PSI" in reasons
    assert os.readlink(pub / "current") == f"versions/{first.version}"
    assert len(list((pub / "versions").iterdir())) == 1


def test_missing_working_db_says_run_first(tmp_path: Path) -> None:
    from leadscore.quality._duck import WarehouseError

    with pytest.raises(WarehouseError, match="leadscore run"):
        publish(tmp_path / "nope.duckdb", tmp_path / "published")
