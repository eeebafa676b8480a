"""`leadscore sync` as a scheduler's log shows it: at 80 columns every batch id is whole (one
per line, first on its line, as `--ack` needs it) and one summary line names the manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from leadscore.quality.fixtures import create_lead_scores

LEADSCORE = Path(sys.executable).with_name("leadscore")


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LEADSCORE), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    db = tmp_path / "warehouse" / "work.duckdb"
    db.parent.mkdir(parents=True)
    with duckdb.connect(str(db)) as con:
        create_lead_scores(con, 1050)
    return {
        **os.environ,
        "COLUMNS": "80",
        "LINES": "25",
        "TERM": "xterm-256color",
        "LEADSCORE_DB": str(db),
        "LEADSCORE_RAW_DIR": str(tmp_path / "raw"),
        "LEADSCORE_PUBLISHED_DIR": str(tmp_path / "published"),
        "LEADSCORE_OUTBOX_DIR": str(tmp_path / "outbox"),
        "LEADSCORE_REPORTS_DIR": str(tmp_path / "reports"),
    }


def test_sync_prints_whole_batch_ids_and_one_summary_line_at_80_columns(
    env: dict[str, str],
) -> None:
    first = _run(env, "sync", "--target", "hubspot")
    assert first.returncode == 0, first.stderr
    out_dir = Path(env["LEADSCORE_OUTBOX_DIR"]) / "hubspot"
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    batches = manifest["batches"]
    assert len(batches) == 11  # 1,050 records, 100 per HubSpot request
    lines = first.stdout.splitlines()
    assert len(lines) == len(batches)
    for line, batch in zip(lines, batches, strict=True):
        words = line.split()
        assert words[0] == batch["batch_id"]
        assert words[1] == f"{batch['records']:,}" and words[2] == "new"
        assert words[3] == batch["file"] and (out_dir / words[3]).exists()
    output = first.stdout + first.stderr
    assert "…" not in output and "..." not in output
    summary = [line for line in first.stderr.splitlines() if line.startswith("hubspot:")]
    assert summary == [f"hubspot: 11 batches, 1,050 records (11 new); manifest {manifest_path}"], (
        first.stderr
    )
    assert "--ack BATCH_ID" in first.stderr

    # Not acknowledged yet: a second run offers the same batches again, under the same ids.
    again = _run(env, "sync", "--target", "hubspot")
    assert again.returncode == 0, again.stderr
    assert [line.split()[0] for line in again.stdout.splitlines()] == [
        b["batch_id"] for b in batches
    ]
    assert "(11 re-offered)" in again.stderr

    # The id as printed is what --ack takes.
    ack = _run(env, "sync", "--ack", lines[0].split()[0])
    assert ack.returncode == 0, ack.stderr
    assert "acknowledged (100 records)" in ack.stderr
