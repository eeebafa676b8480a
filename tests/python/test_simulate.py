"""`leadscore simulate` on the 2k-lead session workspace: two monthly builds of the scoring
layer on a private copy, the printed table and its CSV (one row per month, the champion's and
the truth's ROC-AUC on the next month's new leads)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import Workspace, make_workspace
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.simulate import TABLE_COLUMNS, month_clocks

pytestmark = pytest.mark.xdist_group("simulate")


def test_simulate_prints_a_row_per_month_with_monitors_retraining_and_auc(
    built_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path / "ws", built_workspace.raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    for var, value in {
        "LEADSCORE_DB": ws.db_path,
        "LEADSCORE_RAW_DIR": ws.raw_dir,
        "LEADSCORE_TRUTH_DIR": ws.truth_dir,
        **ws.env,
    }.items():
        monkeypatch.setenv(var, str(value))
    csv_path = tmp_path / "simulation.csv"
    # two monthly builds (each trains or reuses a model: ~1-2 min each on 2 cores)
    args = ["simulate", "--months", "2", "--start", "2026-05-01", "--scoring-only"]
    result = CliRunner().invoke(app, [*args, "--csv", str(csv_path)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Monthly simulation: no regime shift" in text
    assert "month 2/2: built in" in text
    assert "Pooled over all months: " in " ".join(text.split())
    rows = pd.read_csv(csv_path)
    assert tuple(rows.columns) == TABLE_COLUMNS
    assert list(rows["clock"]) == ["2026-05-01", "2026-06-01"]
    first, last = rows.iloc[0], rows.iloc[1]
    # the first build has no champion yet: it trains one
    assert first["retrained"].startswith("no_champion")
    # month 1's champion is judged on June's new leads, against the truth on the same leads
    assert first["eval_leads"] > 50 and first["eval_conversions"] > 0
    assert 0.5 < first["truth_auc"] <= 1 and 0.3 < first["champion_auc"] <= 1
    assert first["champion_to_truth"] == pytest.approx(
        first["champion_auc"] / first["truth_auc"], abs=1e-3
    )
    # without a shift the frozen model is the first champion: the same figure
    assert first["frozen_auc"] == pytest.approx(first["champion_auc"])
    # the last month has no next month to be judged on
    assert pd.isna(last["champion_auc"]) and last["eval_leads"] == 0


def test_clocks_are_calendar_months() -> None:
    from datetime import date

    clocks = month_clocks(date(2026, 1, 31), 3)
    assert [str(c.date()) for c in clocks] == ["2026-01-31", "2026-02-28", "2026-03-31"]


def test_shift_options_need_generate(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--shift", "upmarket"])
    assert result.exit_code == 2
    assert "--generate" in result.output


def test_the_frozen_model_is_the_champion_in_force_when_the_shift_began() -> None:
    from leadscore.simulate import champion_at

    reg = pd.DataFrame(
        {
            "model_version": ["a", "b", "c", "d"],
            "status": ["retired", "challenger", "retired", "champion"],
            "trained_at": pd.to_datetime(["2025-11-01", "2025-12-01", "2025-12-15", "2026-02-01"]),
        }
    )
    # b lost its promotion gate: c, promoted later, was the champion when 2026 began
    assert champion_at(reg, pd.Timestamp("2026-01-01")) == "c"
    assert champion_at(reg, pd.Timestamp("2025-12-10")) == "a"
    assert champion_at(reg, pd.Timestamp("2025-10-01")) is None


class _Fixed:
    """A stand-in model: its probability is a column of the features."""

    def __init__(self, column: str) -> None:
        self.column = column

    def predict_proba(self, frame: pd.DataFrame) -> object:
        return frame[self.column].to_numpy(dtype=float)


def test_pooled_evaluation_covers_the_months_from_the_shift_on() -> None:
    import numpy as np

    from leadscore.simulate import (
        MonthResult,
        eval_frames,
        evaluate,
        paired_auc_difference,
        pooled,
        pooled_frame,
        predictions,
    )

    rng = np.random.default_rng(3)
    months = []
    for k, clock in enumerate(["2026-01-01", "2026-02-01", "2026-03-01"]):
        n = 400
        truth_p = rng.uniform(0, 0.4, n)
        y = rng.random(n) < truth_p
        feats = pd.DataFrame(
            {
                "lead_id": [f"{k}-{i}" for i in range(n)],
                "good": truth_p + rng.normal(0, 0.05, n),
                "noise": rng.random(n),
            }
        )
        truth = pd.DataFrame(
            {"lead_id": feats["lead_id"], "true_probability": truth_p, "has_opportunity_90d": y}
        )
        frame = predictions(feats, truth, {"champion": _Fixed("good"), "frozen": _Fixed("noise")})
        assert len(frame) == n
        month = MonthResult(as_of=pd.Timestamp(clock), eval_frame=frame)
        months.append(month)
        one = evaluate(frame)
        assert one["champion"] > 0.6 and abs(one["frozen"] - 0.5) < 0.1
    shift = ("upmarket", pd.Timestamp("2026-02-01"))
    total = pooled(months, shift)
    assert total is not None and total["leads"] == 800
    assert total["champion"] > total["frozen"]
    assert pooled(months, None)["leads"] == 1200  # type: ignore[index]
    # the champion measurably above the frozen model: the paired interval excludes 0
    diff, low, high = paired_auc_difference(pooled_frame(months, shift), "champion", "frozen")
    assert diff == pytest.approx(total["champion"] - total["frozen"])
    assert 0 < low < diff < high
    # one model against itself: no difference, and no interval around it
    assert paired_auc_difference(months[0].eval_frame, "champion", "champion") == (0, 0, 0)
    rows = eval_frames(months)
    assert len(rows) == 1200 and rows["clock"].nunique() == 3


def test_retrain_cadence_days_reaches_every_build_as_a_dbt_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--retrain-cadence-days is passed to the builds (a stand-in records what it got)."""
    import json

    from leadscore import simulate as sim

    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "persons.csv").write_text("person_key,true_probability,has_opportunity_90d\n")
    (truth / "manifest.json").write_text(json.dumps({"export_at": "2026-07-01T00:00:00"}))
    monkeypatch.setenv("LEADSCORE_TRUTH_DIR", str(truth))
    monkeypatch.setenv("LEADSCORE_DB", str(tmp_path / "w.duckdb"))
    seen: dict[str, object] = {}

    def stand_in(settings: object, clocks: list, **kwargs: object) -> list:
        seen.update(kwargs, clocks=clocks)
        return []

    monkeypatch.setattr(sim, "simulate", stand_in)
    args = ["simulate", "--months", "2", "--start", "2026-05-01", "--retrain-cadence-days", "365"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen["extra_vars"] == {"retrain_cadence_days": 365}
    assert "retrain cadence 365 days" in " ".join(result.output.split())
    assert CliRunner().invoke(app, [*args[:-1], "0"]).exit_code == 2  # at least 1 day
