"""Outbound gate on lead_scores, and the validate / publish / sync commands end to end."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.quality.fixtures import create_lead_scores
from leadscore.quality.outbound import OutboundPolicy, check_frame, psi, run_outbound_gate

runner = CliRunner()


def _frame(n: int = 500, seed: int = 0):
    with duckdb.connect() as con:
        create_lead_scores(con, n, seed=seed)
        return con.sql("select * from lead_scores").df()


def test_gate_passes_on_good_scores_and_names_each_failure() -> None:
    good = _frame()
    assert check_frame(good, good["score"].to_numpy(float)).passed
    bad = good.copy()
    bad.loc[0, "lead_id"] = bad.loc[1, "lead_id"]
    bad.loc[2, "conversion_probability"] = 1.7
    bad.loc[3, "score"] = 140
    bad.loc[4, "grade"] = "E5"
    bad.loc[5, "model_version"] = None
    result = check_frame(bad)
    assert not result.passed
    text = "\n".join(result.reasons)
    for needle in (
        "`lead_id`",
        "unique",
        "`conversion_probability`",
        "1.7",
        "`score`",
        "140",
        "`grade`",
        "E5",
        "`model_version`",
    ):
        assert needle in text, (needle, text)


def test_gate_rejects_collapsed_and_shifted_distributions() -> None:
    frame = _frame()
    collapsed = frame.assign(score=50)
    reasons = "\n".join(check_frame(collapsed).reasons)
    assert "stdev" in reasons and "unique value count" in reasons
    shifted = frame.assign(score=np.minimum(frame["score"] + 40, 100))
    result = check_frame(shifted, frame["score"].to_numpy(float), OutboundPolicy(max_psi=0.25))
    assert not result.passed and result.psi is not None and result.psi > 0.25
    assert any("PSI" in r for r in result.reasons)
    # A different random draw of the same distribution is not a shift.
    assert check_frame(_frame(seed=9), frame["score"].to_numpy(float)).passed


def test_insufficient_data_rows_may_lack_scores() -> None:
    frame = _frame()
    frame.loc[:9, ["score", "grade", "conversion_probability"]] = None
    assert not check_frame(frame).passed
    frame.loc[:9, "score_status"] = "insufficient_data"
    assert check_frame(frame).passed


def test_psi_is_zero_for_identical_samples() -> None:
    x = np.arange(100.0)
    assert psi(x, x) == pytest.approx(0.0)


def test_cli_without_db_says_run_first(env: Path) -> None:
    for args in (["publish"], ["sync", "--target", "salesforce"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "leadscore run" in result.output
    assert runner.invoke(app, ["sync"]).exit_code == 2
    assert runner.invoke(app, ["sync", "--target", "pipedrive"]).exit_code == 2
    assert runner.invoke(app, ["validate"]).exit_code == 2  # no landing folder


def test_cli_publish_sync_ack_and_gate_failure(env: Path) -> None:
    db = env / "warehouse/work.duckdb"
    db.parent.mkdir(parents=True)
    with duckdb.connect(str(db)) as con:
        create_lead_scores(con, 1200)
    result = runner.invoke(app, ["publish"])
    assert result.exit_code == 0, result.output
    assert (env / "published/leadscore.duckdb").exists()
    assert json.loads((env / "reports/outbound/last_gate.json").read_text())["passed"]

    result = runner.invoke(app, ["sync", "--target", "salesforce"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((env / "outbox/salesforce/manifest.json").read_text())
    batch = manifest["batches"][0]["batch_id"]
    assert manifest["records"] == 1200
    assert runner.invoke(app, ["sync", "--ack", batch]).exit_code == 0
    assert runner.invoke(app, ["sync", "--ack", "salesforce-nope"]).exit_code == 2
    result = runner.invoke(app, ["sync", "--target", "salesforce"])
    assert result.exit_code == 0 and "nothing written" in result.output

    with duckdb.connect(str(db)) as con:
        con.execute(
            "update lead_scores set conversion_probability = 2.0 where lead_id = 'L000000005'"
        )
    for args in (["publish"], ["sync", "--target", "hubspot"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "conversion_probability" in result.output
    assert not (env / "outbox/hubspot").exists()


def test_gate_reads_db_read_only_while_db_is_missing_table(env: Path) -> None:
    db = env / "empty.duckdb"
    duckdb.connect(str(db)).close()
    from leadscore.quality._duck import WarehouseError

    with pytest.raises(WarehouseError, match="leadscore run"):
        run_outbound_gate(db)


def test_cli_validate_exit_codes(env: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_validate_inbound import write_landing

    write_landing(env / "raw", 200)
    result = runner.invoke(app, ["validate", "--sample-rows", "1000"])
    assert result.exit_code == 0, result.output
    assert (env / "reports/validation/inbound_validation.html").exists()
    (env / "raw/salesforce/Lead.csv").write_bytes(b"Id,CreatedDate\n\xff\n")
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    assert "salesforce/Lead.csv" in result.output and "UTF-8" in result.output
