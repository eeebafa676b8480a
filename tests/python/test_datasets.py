"""Real exports end to end: `leadscore run --dataset x_education|olist_funnel`.

Each build runs on its own DuckDB file, dbt target and log folders under pytest's tmp dirs,
reading the shared datasets (../shared/datasets next to the project). The figures asserted
are the honest holdout metrics in `model_metrics` (see docs/add-your-own-export.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.config import PROJECT_DIR

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("datasets")]

DATASETS_DIR = Path(__file__).parents[3] / "shared" / "datasets"

# Floors below the measured honest figures. x_education: 0.876 on the newest 25% by Lead
# Number with Last Activity excluded as post-contact (it records sales-side events such as
# "SMS Sent" and is the last activity as of the export; with it the figure is 0.901, the
# published reference's, and the lift-share leak guard stops training on it).
X_EDUCATION_FLOOR = 0.86
OLIST_TARGET = 0.64


def _require_datasets() -> None:
    if not (DATASETS_DIR / "x_education" / "Leads.csv").exists():
        pytest.skip(f"shared datasets not found at {DATASETS_DIR}")


def _env(root: Path) -> dict[str, str]:
    return {
        "LEADSCORE_DB": str(root / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "LEADSCORE_DATASETS_DIR": str(DATASETS_DIR),
        "LEADSCORE_THREADS": "2",
        # HistGradientBoosting oversubscribes a small box under xdist; one thread is faster.
        "OMP_NUM_THREADS": "1",
    }


def _run(root: Path, *args: str) -> tuple[int, str]:
    root.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in _env(root).items():
            mp.setenv(key, value)
        result = CliRunner().invoke(app, ["run", *args])
    return result.exit_code, result.output


def _metrics(db_path: Path) -> dict[str, object]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.sql(
            "select dataset, validation_scheme, metric, value from model_metrics "
            "where bucket is null"
        ).fetchall()
    assert rows, "model_metrics is empty"
    out: dict[str, object] = {"dataset": rows[0][0], "validation_scheme": rows[0][1]}
    out.update({metric: value for _, _, metric, value in rows})
    return out


@pytest.fixture(scope="module")
def x_education(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    _require_datasets()
    root = tmp_path_factory.mktemp("x_education")
    code, output = _run(root, "--dataset", "x_education")
    assert code == 0, output
    yield root / "warehouse.duckdb", output


@pytest.fixture(scope="module")
def olist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    _require_datasets()
    root = tmp_path_factory.mktemp("olist_funnel")
    code, output = _run(root, "--dataset", "olist_funnel")
    assert code == 0, output
    yield root / "warehouse.duckdb", output


def test_x_education_ordered_split_metrics(x_education: tuple[Path, str]) -> None:
    """No dates, but rows in creation order: the newest 25% by Lead Number are the holdout."""
    db_path, output = x_education
    m = _metrics(db_path)
    assert m["dataset"] == "x_education"
    assert str(m["validation_scheme"]).startswith("ordered_split(by=lead_number")
    assert m["roc_auc"] >= X_EDUCATION_FLOOR
    assert m["pr_auc"] > m["positive_rate"]
    assert m["lift_top_decile"] > 2.0
    assert "ROC-AUC" in output and "lift at top decile" in output
    with duckdb.connect(str(db_path), read_only=True) as con:
        scored = con.sql("select count(*) from ml_lead_scores").fetchall()[0][0]
        used = con.sql("select features_json from ml_model_registry").fetchall()[0][0]
    assert scored == 9240
    for post_contact in (
        "tags",
        "lead_quality",
        "last_notable_activity",
        "lead_profile",
        "last_activity",
        "lead_number",
    ):
        assert f'"{post_contact}"' not in used


def test_olist_time_split_metrics(olist: tuple[Path, str]) -> None:
    db_path, output = olist
    m = _metrics(db_path)
    assert m["dataset"] == "olist_funnel"
    assert str(m["validation_scheme"]).startswith("time_split")
    assert m["roc_auc"] >= OLIST_TARGET
    assert m["pr_auc"] > m["positive_rate"]
    assert m["lift_top_decile"] > 1.5
    with duckdb.connect(str(db_path), read_only=True) as con:
        train_end, holdout_start = con.sql(
            "select train_end, holdout_start from ml_model_registry where status = 'champion'"
        ).fetchall()[0]
    assert train_end < holdout_start
    assert "validation: time_split" in output


def test_forcing_a_post_contact_field_fails_the_build(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    _require_datasets()
    code, output = _run(
        tmp_path,
        "--dataset",
        "x_education",
        "--select",
        "+ml_model_registry",
        "--vars",
        '{"force_include_features": "tags"}',
    )
    captured = capfd.readouterr()
    text = output + captured.out + captured.err
    assert code != 0
    assert "Leak check failed" in text
    assert "'tags'" in text
    # the CLI itself prints the failed node's message whole (its last sentence too) and
    # where the log is, not only dbt's stream
    assert "Remove it from force_include_features." in output
    assert f"Full dbt log: {tmp_path / 'logs' / 'dbt.log'}" in output.replace("\n", "")


def test_missing_data_folder_names_the_file(tmp_path: Path) -> None:
    code, output = _run(
        tmp_path, "--dataset", "x_education", "--data-dir", str(tmp_path / "nowhere")
    )
    assert code != 0
    assert "Leads.csv" in output


@pytest.mark.parametrize("dataset", ["x_education", "olist"])
def test_model_report_renders_for_the_dataset(
    dataset: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """`leadscore report` on each real dataset: every chart present, clean render in Chromium."""
    from leadscore.report.browser import find_chromium, screenshot_page
    from leadscore.report.loader import load_report_inputs
    from leadscore.report.render import CHART_IDS, render_report

    db_path, _ = request.getfixturevalue(dataset)
    page = render_report(load_report_inputs(db_path), tmp_path / "report")
    html = page.read_text(encoding="utf-8")
    for chart in CHART_IDS:
        if chart != "chart-drift":  # a first run has no previous run to drift from
            assert f'id="{chart}"' in html, chart
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium not installed: apt-get install chromium (the CI script installs it)")
    shot = PROJECT_DIR / "reports" / "test-screenshots" / f"report-{dataset}.png"
    run = screenshot_page(page, shot, chromium=chromium, window_size=(1280, 2400))
    assert run.returncode == 0, run.stderr[-3000:]
    assert shot.stat().st_size > 50_000
    assert run.console == [], f"page printed console messages: {run.console}"
