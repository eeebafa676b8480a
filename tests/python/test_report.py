"""Model report: chart numbers, the HTML page, the warehouse loader, the CLI, and Chromium."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.config import PROJECT_DIR
from leadscore.report import (
    CHART_IDS,
    ReportDataError,
    ReportInputs,
    load_report_inputs,
    render_report,
)
from leadscore.report.browser import console_messages, find_chromium, screenshot_page
from leadscore.report.charts import conversion_by_grade, decile_lift, grade_sort_key, psi_label

SKIP_NO_CHROMIUM = "Chromium not installed: apt-get install chromium (the CI script installs it)"
SCREENSHOT_COPY = PROJECT_DIR / "reports" / "test-screenshots" / "report.png"


# --------------------------------------------------------------------------- synthetic data
def _grade(prob: np.ndarray, engagement: np.ndarray) -> np.ndarray:
    letter = np.array(["D", "C", "B", "A"])[np.digitize(prob, np.quantile(prob, [0.4, 0.7, 0.9]))]
    digit = np.array(["4", "3", "2", "1"])[np.digitize(engagement, [-0.7, 0.0, 0.7])]
    return np.char.add(letter.astype(str), digit.astype(str)).astype(object)


def _leads(rng: np.random.Generator, n: int, shift: float = 0.0) -> pd.DataFrame:
    z = rng.normal(shift, 1.0, n)
    engagement = 0.6 * z + rng.normal(0, 0.8, n)
    prob = 1 / (1 + np.exp(-(-2.4 + 1.3 * z)))
    return pd.DataFrame({"probability": prob, "grade": _grade(prob, engagement)})


def synthetic_inputs(seed: int = 7, with_previous: bool = True) -> ReportInputs:
    rng = np.random.default_rng(seed)
    holdout = _leads(rng, 3000)
    # Slightly over-confident at the top, so the calibration plot has something to show.
    holdout["label"] = (rng.random(len(holdout)) < holdout["probability"] ** 1.1).astype(int)
    current = _leads(rng, 2500)
    current["score"] = np.round(current["probability"].rank(pct=True) * 100)
    previous = _leads(rng, 2400, shift=-0.25)
    previous["score"] = np.round(np.clip(previous["probability"].rank(pct=True) * 100 - 8, 0, 100))
    features = [f"feature_{i:02d}" for i in range(18)] + ["a_really_long_feature_name_" * 2]
    importance = rng.gamma(1.2, 0.05, len(features)) * np.where(
        rng.random(len(features)) < 0.2, -1, 1
    )
    return ReportInputs(
        holdout=holdout[["label", "probability", "grade"]],
        scores=current[["score", "grade"]],
        previous_scores=previous[["score", "grade"]] if with_previous else None,
        feature_importance=pd.DataFrame({"feature": features, "importance": importance}),
        metrics={"roc_auc": 0.8123, "pr_auc": 0.4567, "lift_top_decile": 3.21, "brier": 0.0912},
        meta={
            "model_version": "20251101T120000-gbm-abcdef12",
            "trained_at": "2025-11-01 12:00:00",
            "dataset": "synthetic",
            "validation_scheme": "time-based holdout: train cutoffs < 2025-09-01, test after",
        },
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_report(synthetic_inputs(), tmp_path_factory.mktemp("report"))


# --------------------------------------------------------------------------- numbers
def test_decile_lift_hand_checked() -> None:
    # 10 leads, 2 conversions (base 0.2), both in the top 2 by probability.
    y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    table = decile_lift(y, p, n_bins=5)
    assert table["n"].tolist() == [2, 2, 2, 2, 2]
    assert table["lift"].tolist() == pytest.approx([5.0, 0, 0, 0, 0])
    assert table["cumulative_lift"].tolist() == pytest.approx([5.0, 2.5, 5 / 3, 1.25, 1.0])


def test_decile_lift_random_scores_hover_around_one() -> None:
    rng = np.random.default_rng(1)
    table = decile_lift(rng.random(20000) < 0.2, rng.random(20000))
    assert table["lift"].between(0.85, 1.15).all()
    assert table["cumulative_lift"].iloc[-1] == pytest.approx(1.0)


def test_conversion_by_grade_orders_grades_and_keeps_missing() -> None:
    holdout = pd.DataFrame(
        {
            "label": [1, 0, 1, 1, 0, 0],
            "probability": 0.5,
            "grade": ["B2", "A1", "A1", None, "C", "B2"],
        }
    )
    table = conversion_by_grade(holdout)
    assert table["grade"].tolist() == ["A1", "B2", "C", "(none)"]
    assert table["n"].tolist() == [2, 2, 1, 1]
    assert table["conversion_rate"].tolist() == pytest.approx([0.5, 0.5, 0.0, 1.0])
    assert conversion_by_grade(holdout.drop(columns="grade")).empty
    assert sorted(["D4", "A2", "(none)", "A1", "B1"], key=grade_sort_key) == [
        "A1",
        "A2",
        "B1",
        "D4",
        "(none)",
    ]


def test_psi_label_thresholds() -> None:
    assert psi_label(0.05) == "stable"
    assert psi_label(0.2) == "moderate shift"
    assert psi_label(0.4).startswith("large shift")


def test_report_inputs_name_a_missing_column() -> None:
    inputs = synthetic_inputs()
    with pytest.raises(ValueError, match="holdout lacks column"):
        ReportInputs(
            holdout=inputs.holdout.drop(columns="probability"),
            scores=inputs.scores,
            feature_importance=inputs.feature_importance,
        )


# --------------------------------------------------------------------------- the page
def test_report_has_every_chart_and_png(rendered: Path) -> None:
    page = rendered.read_text(encoding="utf-8")
    assert rendered.name == "index.html"
    for chart_id in CHART_IDS:
        match = re.search(
            rf'<img id="{chart_id}" alt="([^"]+)" src="data:image/png;base64,([^"]+)"', page
        )
        assert match, f"{chart_id} missing from the page"
        png = rendered.parent / f"{chart_id.removeprefix('chart-')}.png"
        assert png.stat().st_size > 5000, f"{png.name} is (nearly) empty"
        assert base64.b64decode(match.group(2)) == png.read_bytes(), (
            f"{png.name} differs from the page"
        )
    # Self-contained: no script, no external URL, no file reference.
    assert "<script" not in page.lower()
    assert not re.search(r"(?:src|href)=\"(?!data:)", page)
    assert "http://" not in page and "https://" not in page
    # Header and metrics.
    for text in (
        "20251101T120000-gbm-abcdef12",
        "2025-11-01 12:00:00",
        "time-based holdout: train cutoffs &lt; 2025-09-01, test after",
        "ROC-AUC",
        "0.812",
        "PR-AUC",
        "Lift at top decile",
        "3.210",
        "Brier score",
        "ECE",
        "Holdout rows",
        "3,000",
        "Base rate",
        "PSI",
    ):
        assert text in page, text
    # ECE, n and base rate were not published: computed from the holdout and marked.
    assert "computed here from the holdout rows" in page


def test_report_without_previous_run_says_so(tmp_path: Path) -> None:
    (tmp_path / "drift.png").write_bytes(b"stale")  # from an earlier render
    index = render_report(synthetic_inputs(with_previous=False), tmp_path)
    page = index.read_text(encoding="utf-8")
    assert "No previous run" in page
    assert 'id="chart-drift"' not in page
    assert not (tmp_path / "drift.png").exists()
    for chart_id in CHART_IDS[:-1]:
        assert f'id="{chart_id}"' in page


def test_report_survives_degenerate_inputs(tmp_path: Path) -> None:
    inputs = ReportInputs(
        holdout=pd.DataFrame({"label": [0, 0, 0], "probability": [0.1, 0.2, 0.3]}),
        scores=pd.DataFrame({"score": [10, None], "grade": ["A1", None]}),
        feature_importance=pd.DataFrame({"feature": [], "importance": []}),
    )
    page = render_report(inputs, tmp_path).read_text(encoding="utf-8")
    assert "unknown" in page and "n/a" in page
    assert all(f'id="{c}"' in page for c in CHART_IDS[:-1])


# --------------------------------------------------------------------------- warehouse + CLI
def _write_warehouse(db: Path, inputs: ReportInputs, skip: str | None = None) -> None:
    con = duckdb.connect(str(db))
    try:
        v_old, v_new = "v1", inputs.meta["model_version"]
        metrics = pd.DataFrame(
            [
                (v, k, val, "synthetic", inputs.meta["validation_scheme"], pd.Timestamp(t))
                for v, t in ((v_old, "2025-10-01"), (v_new, inputs.meta["trained_at"]))
                for k, val in inputs.metrics.items()
            ],
            columns=[
                "model_version",
                "metric",
                "value",
                "dataset",
                "validation_scheme",
                "trained_at",
            ],
        )
        holdout = inputs.holdout.assign(model_version=v_new)
        importance = inputs.feature_importance.assign(model_version=v_new)
        scores = inputs.scores.assign(model_version=v_new)
        assert inputs.previous_scores is not None
        history = pd.concat(
            [
                inputs.previous_scores.head(5).assign(scored_at=pd.Timestamp("2025-10-01")),
                inputs.previous_scores.assign(scored_at=pd.Timestamp("2025-10-15")),
                scores.assign(scored_at=pd.Timestamp("2025-11-01")),
            ]
        ).assign(model_version=v_new)
        frames = {
            "model_metrics": metrics,
            "ml_holdout_predictions": holdout,
            "ml_feature_importance": importance,
            "lead_scores": scores,
            "lead_score_history": history,
        }
        for name, frame in frames.items():
            if name != skip:
                con.register("frame", frame)
                con.execute(f"create table {name} as select * from frame")
                con.unregister("frame")
    finally:
        con.close()


def test_loader_reads_latest_model_and_previous_run(tmp_path: Path) -> None:
    inputs = synthetic_inputs()
    db = tmp_path / "w.duckdb"
    _write_warehouse(db, inputs)
    loaded = load_report_inputs(db)
    assert loaded.meta["model_version"] == inputs.meta["model_version"]
    assert loaded.meta["dataset"] == "synthetic"
    assert loaded.metrics["roc_auc"] == pytest.approx(0.8123)
    assert len(loaded.holdout) == len(inputs.holdout)
    assert len(loaded.scores) == len(inputs.scores)
    assert loaded.previous_scores is not None
    assert len(loaded.previous_scores) == len(inputs.previous_scores)  # 2025-10-15, not 10-01
    assert len(loaded.feature_importance) == len(inputs.feature_importance)


def test_loader_names_the_missing_table(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _write_warehouse(db, synthetic_inputs(), skip="ml_holdout_predictions")
    with pytest.raises(ReportDataError, match="no table ml_holdout_predictions"):
        load_report_inputs(db)
    with pytest.raises(ReportDataError, match="no warehouse at"):
        load_report_inputs(tmp_path / "absent.duckdb")


def test_cli_report(tmp_path: Path) -> None:
    runner = CliRunner()
    help_text = runner.invoke(app, ["report", "--help"]).output
    assert "--db" in help_text and "--out" in help_text

    missing = runner.invoke(app, ["report", "--db", str(tmp_path / "absent.duckdb")])
    assert missing.exit_code == 2
    assert "no warehouse at" in missing.output

    db = tmp_path / "w.duckdb"
    _write_warehouse(db, synthetic_inputs(), skip="lead_scores")
    no_table = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r")])
    assert no_table.exit_code == 2
    assert "lead_scores" in no_table.output and "ml_lead_scores" in no_table.output

    # History is optional (a first run, or a dataset without the history mart).
    db1 = tmp_path / "w1.duckdb"
    _write_warehouse(db1, synthetic_inputs(), skip="lead_score_history")
    first = runner.invoke(app, ["report", "--db", str(db1), "--out", str(tmp_path / "r1")])
    assert first.exit_code == 0, first.output
    page = Path(first.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8")
    assert "No previous run" in page

    db2 = tmp_path / "w2.duckdb"
    _write_warehouse(db2, synthetic_inputs())
    ok = runner.invoke(app, ["report", "--db", str(db2), "--out", str(tmp_path / "r")])
    assert ok.exit_code == 0, ok.output
    index = Path(ok.stdout.strip().splitlines()[-1])
    assert index == tmp_path / "r" / "index.html"
    assert 'id="chart-drift"' in index.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- Chromium
@pytest.fixture(scope="module")
def chromium() -> Path:
    exe = find_chromium()
    if exe is None:
        pytest.skip(SKIP_NO_CHROMIUM)
    return exe


def test_console_detector_parses_both_log_formats() -> None:
    stderr = (
        '[1:1:1122/185732.350759:INFO:CONSOLE:1] "Uncaught Error: x", source: file:///p.html (1)\n'
        '[1:1:0101/000000.000000:INFO:CONSOLE(7)] "late", source: file:///p.html (7)\n'
        "[1:2:1122/185731.387531:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n"
    )
    assert console_messages(stderr) == [
        '"Uncaught Error: x", source: file:///p.html (1)',
        '"late", source: file:///p.html (7)',
    ]


def test_chromium_console_detector_flags_a_page_error(chromium: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><p>bad</p><script>throw new Error("x")</script>')
    run = screenshot_page(bad, tmp_path / "bad.png", chromium=chromium, window_size=(400, 300))
    assert any("Uncaught Error: x" in msg for msg in run.console), run.stderr[-3000:]


def test_report_renders_in_chromium(chromium: Path, rendered: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    run = screenshot_page(rendered, shot, chromium=chromium, window_size=(1280, 2400))
    assert run.returncode == 0, run.stderr[-3000:]
    assert shot.stat().st_size > 50_000
    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)
    pixels = imread(shot)
    assert pixels.shape[:2] == (2400, 1280)
    assert float(pixels[..., :3].std()) > 0.05, "screenshot is (nearly) blank"
    assert run.console == [], f"page printed console messages: {run.console}"
