"""Tests of `leadscore bench` without dbt: run_results parsing, the table and its ratios,
per-child time/RSS measurement, failure messages and the CLI's argument checks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadscore.bench import (
    NOT_BUILT,
    BenchStepError,
    BuildTimes,
    SizeResult,
    StepResult,
    count_scored_leads,
    parse_run_results,
    read_build_times,
    run_step,
    size_label,
    table_rows,
    to_json,
    to_markdown,
)
from leadscore.cli import app

META = {"seed": 7, "date": "2025-01-01 00:00 UTC", "machine": "2 CPUs", "dbt_threads": 2}


def _result(uid: str, seconds: float, status: str = "success") -> dict[str, object]:
    return {"unique_id": uid, "status": status, "execution_time": seconds, "message": None}


RUN_RESULTS = {
    "elapsed_time": 42.0,
    "results": [
        _result("seed.leadscore.industry_map", 0.5),
        _result("model.leadscore.stg_salesforce__leads", 1.0),
        _result("model.leadscore.int_leads_deduplicated", 2.0),
        _result("model.leadscore.dim_leads", 3.0),
        _result("model.leadscore.fct_lead_features", 4.0),  # marts/scoring, not core
        _result("model.leadscore.ml_model_registry", 10.0),
        _result("model.leadscore.ml_lead_scores", 5.0),
        _result("model.leadscore.lead_scores", 0.25),
        _result("test.leadscore.unique_dim_leads_lead_id.abc", 0.5, "pass"),
        _result("unit_test.leadscore.lead_scores.grades", 0.25, "pass"),
    ],
}
MANIFEST = {
    "nodes": {
        "model.leadscore.stg_salesforce__leads": {
            "original_file_path": "models/staging/salesforce/stg_salesforce__leads.sql"
        },
        "model.leadscore.int_leads_deduplicated": {
            "original_file_path": "models/intermediate/int_leads_deduplicated.sql"
        },
        "model.leadscore.dim_leads": {"original_file_path": "models/marts/core/dim_leads.sql"},
        "model.leadscore.fct_lead_features": {
            "original_file_path": "models/marts/scoring/fct_lead_features.sql"
        },
    }
}


def _size(
    leads: int, gen_s: float, build_s: float, rss: int, times: BuildTimes, scored: int | None
) -> SizeResult:
    r = SizeResult(leads=leads, label=size_label(leads))
    r.steps["generate"] = StepResult("generate", gen_s, rss, 0, "g.log")
    r.steps["dbt seed"] = StepResult("dbt seed", 1.0, rss, 0, "s.log")
    r.steps["dbt build"] = StepResult("dbt build", build_s, 2 * rss, 0, "b.log")
    r.build = times
    r.scored_leads = scored
    return r


# --- run_results parsing ------------------------------------------------------------------------


def test_parse_run_results_splits_layers_using_manifest_paths() -> None:
    t = parse_run_results(RUN_RESULTS, MANIFEST)
    assert t.elapsed == 42.0
    assert t.staging_core == pytest.approx(6.0)  # stg + int + dim; fct in marts/scoring is not core
    assert t.training == 10.0
    assert t.scoring == 5.0
    assert t.tests == pytest.approx(0.75)
    assert t.nodes == 10
    assert t.failed == []


def test_parse_run_results_without_manifest_falls_back_to_name_prefixes() -> None:
    t = parse_run_results(RUN_RESULTS)
    assert t.staging_core == pytest.approx(10.0)  # fct_ counts as core by prefix


def test_missing_or_failed_ml_nodes_give_none_and_are_listed() -> None:
    partial = {
        "elapsed_time": 3.0,
        "results": [
            _result("model.leadscore.stg_salesforce__leads", 1.0),
            _result("model.leadscore.ml_model_registry", 2.0, "error"),
        ],
    }
    partial["results"][1]["message"] = "Python model failed:\n  no champion"  # type: ignore[index]
    t = parse_run_results(partial, MANIFEST)
    assert t.training is None and t.scoring is None
    assert t.failed == [
        "model.leadscore.ml_model_registry [error]: Python model failed: no champion"
    ]


def test_read_build_times_reads_the_target_folder(tmp_path: Path) -> None:
    assert read_build_times(tmp_path) is None
    (tmp_path / "run_results.json").write_text(json.dumps(RUN_RESULTS))
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    t = read_build_times(tmp_path)
    assert t is not None and t.staging_core == pytest.approx(6.0)


def test_count_scored_leads_prefers_lead_scores_and_reports_missing(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "w.duckdb"
    assert count_scored_leads(db) == (None, None)
    with duckdb.connect(str(db)) as con:
        con.sql("create table other as select 1 as x")
    assert count_scored_leads(db) == (None, None)
    with duckdb.connect(str(db)) as con:
        con.sql("create table ml_lead_scores as select range as lead_id from range(5)")
    assert count_scored_leads(db) == (5, "ml_lead_scores")
    with duckdb.connect(str(db)) as con:
        con.sql("create table lead_scores as select range as lead_id from range(3)")
    assert count_scored_leads(db) == (3, "lead_scores")


# --- table, ratios, JSON and Markdown -----------------------------------------------------------


def test_size_labels() -> None:
    assert [size_label(n) for n in (2000, 2500, 100_000, 1_000_000, 999, 12_345)] == [
        "2k",
        "2.5k",
        "100k",
        "1M",
        "999",
        "12,345",
    ]


def test_table_has_a_column_per_size_and_ratios_between_sizes() -> None:
    mib = 1024**2
    small = _size(100_000, 10.0, 40.0, 500 * mib, parse_run_results(RUN_RESULTS, MANIFEST), 5000)
    big_times = parse_run_results(RUN_RESULTS, MANIFEST)
    big_times.training, big_times.scoring = 80.0, 25.0
    big = _size(1_000_000, 95.0, 400.0, 2048 * mib, big_times, 50_000)
    header, rows = table_rows([big, small])  # order of input does not matter
    assert header == ["metric", "100k", "1M", "1M/100k"]
    by_metric = {row[0]: row[1:] for row in rows}
    assert by_metric["generate time"] == ["10.0 s", "95.0 s", "9.50x"]
    assert by_metric["generate peak RSS"] == ["500 MiB", "2.00 GiB", "4.10x"]
    assert by_metric["dbt build time (total)"] == ["40.0 s", "400.0 s", "10.00x"]
    assert by_metric["training (ml_model_registry)"] == ["10.0 s", "80.0 s", "8.00x"]
    assert by_metric["open leads scored"] == ["5,000", "50,000", "10.00x"]
    # throughput 5000/5 = 1000 vs 50000/25 = 2000
    assert by_metric["scoring throughput"] == ["1,000 leads/s", "2,000 leads/s", "2.00x"]

    data = to_json([small, big], META)
    assert [s["leads"] for s in data["sizes"]] == [100_000, 1_000_000]
    assert data["sizes"][1]["scoring_leads_per_s"] == pytest.approx(2000.0)
    assert data["ratios"]["1M/100k"]["training_s"] == pytest.approx(8.0)
    assert "wait4" in data["rss_method"]
    json.dumps(data)  # serializable

    md = to_markdown([small, big], META)
    assert "| metric | 100k | 1M | 1M/100k |" in md
    assert "| --- | ---: | ---: | ---: |" in md
    assert "| scoring throughput | 1,000 leads/s | 2,000 leads/s | 2.00x |" in md


def test_figures_not_built_yet_and_failed_sizes_are_marked() -> None:
    times = parse_run_results(
        {"elapsed_time": 1.0, "results": [_result("model.leadscore.dim_leads", 1.0)]}, MANIFEST
    )
    built = _size(2000, 1.0, 2.0, 1024**2, times, None)
    failed = SizeResult(leads=20_000, label="20k")
    failed.steps["generate"] = StepResult("generate", 9.0, 1024**2, 0, "g.log")
    failed.failure = BenchStepError("dbt build", "20k", Path("/w/logs/dbt-build.log"), "exit 1")
    _header, rows = table_rows([built, failed])
    by_metric = {row[0]: row[1:] for row in rows}
    assert by_metric["training (ml_model_registry)"][0] == NOT_BUILT
    assert by_metric["scoring throughput"][0] == NOT_BUILT
    assert by_metric["training (ml_model_registry)"][1] == "—"  # never reached
    assert by_metric["generate time"] == ["1.0 s", "9.0 s", "9.00x"]
    assert by_metric["training (ml_model_registry)"][2] == "—"
    md = to_markdown([built, failed], META)
    assert "20k: [20k] step `dbt build` failed: exit 1" in md
    assert to_json([built, failed], META)["sizes"][0]["training_s"] is None


# --- measuring a child, failures ---------------------------------------------------------------


def test_run_step_measures_time_and_peak_rss_of_the_child(tmp_path: Path) -> None:
    code = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); print('ok')"
    log = tmp_path / "logs" / "step.log"
    res = run_step("alloc", "2k", [sys.executable, "-c", code], env={}, cwd=tmp_path, log=log)
    assert res.exit_code == 0 and res.seconds > 0
    assert res.peak_rss_bytes is not None and res.peak_rss_bytes >= 200 * 1024**2
    assert "ok" in log.read_text()
    # a later, smaller child is measured on its own (no high-water mark from the first)
    small = run_step("small", "2k", [sys.executable, "-c", "pass"], env={}, cwd=tmp_path, log=log)
    assert small.peak_rss_bytes is not None and small.peak_rss_bytes < 150 * 1024**2


def test_failed_step_names_the_step_and_the_log(tmp_path: Path) -> None:
    log = tmp_path / "gen.log"
    code = "import sys; print('working'); sys.exit('Error: disk full while writing leads.csv')"
    with pytest.raises(BenchStepError) as info:
        run_step("generate", "2k", [sys.executable, "-c", code], env={}, cwd=tmp_path, log=log)
    message = str(info.value)
    assert "[2k] step `generate` failed: exit code 1" in message
    assert "disk full while writing leads.csv" in message
    assert f"Log: {log}" in message


def test_missing_executable_is_a_step_failure(tmp_path: Path) -> None:
    with pytest.raises(BenchStepError, match="step `dbt seed` failed: could not start"):
        run_step(
            "dbt seed", "2k", [str(tmp_path / "no-dbt")], env={}, cwd=tmp_path, log=tmp_path / "l"
        )


# --- CLI ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--leads", "0"], ["--leads", "1000", "--leads", "-5"]])
def test_cli_rejects_non_positive_sizes_with_exit_code_2(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", *args, "--work-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--leads" in result.output
    assert "must be a positive number of leads" in result.output
    assert not (tmp_path / "bench.json").exists()


def test_cli_refuses_a_work_dir_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "leads-5").mkdir()
    (tmp_path / "leads-5" / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["bench", "--leads", "5", "--work-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "was not made by `leadscore bench`" in result.output
    assert (tmp_path / "leads-5" / "precious.txt").exists()


def test_dbt_failure_lists_failed_nodes_and_both_logs(tmp_path: Path) -> None:
    from leadscore.bench import _attach_dbt_failures

    target, logs = tmp_path / "target", tmp_path / "logs"
    target.mkdir()
    failing = _result("model.leadscore.ml_model_registry", 1.0, "error")
    failing["message"] = "Runtime Error in model ml_model_registry: no module named ml.train"
    (target / "run_results.json").write_text(json.dumps({"results": [failing]}))
    exc = BenchStepError("dbt build", "2k", logs / "dbt-build.log", "exit code 1")
    _attach_dbt_failures(exc, target, logs)
    message = str(exc)
    assert "[2k] step `dbt build` failed: exit code 1" in message
    assert "model.leadscore.ml_model_registry [error]: Runtime Error" in message
    assert str(logs / "dbt-build.log") in message and str(logs / "dbt" / "dbt.log") in message
    assert (logs / "run_results.json").exists()  # kept after the data folder is removed


def test_one_table_training_step_reports_time_memory_and_quality_against_the_truth(
    tmp_path: Path,
) -> None:
    from leadscore.bench import one_table_training, training_line

    result = one_table_training(2500, 7, tmp_path)
    assert "error" not in result, result
    assert result["rows"] == 2500 and result["features"] == 20
    assert result["seconds"] > 0 and result["cpu_seconds"] > 0 and result["peak_rss_bytes"] > 0
    assert 0.7 < result["truth_roc_auc"] < 0.9
    assert 0.6 < result["roc_auc"] <= result["truth_roc_auc"] + 0.03
    assert result["validation_scheme"].startswith("grouped_stratified_kfold")
    line = training_line(result)
    assert "2,500 rows x 20 features" in line and "vs the truth's" in line


def test_daily_build_row_is_its_share_of_the_full_build() -> None:
    times = parse_run_results(RUN_RESULTS, MANIFEST)
    r = _size(100_000, 10.0, 100.0, 1024**2, times, 5000)
    _header, rows = table_rows([r])
    assert {row[0]: row[1] for row in rows}["daily build / full build"] == NOT_BUILT
    r.steps["daily build"] = StepResult("daily build", 20.0, 1024**2, 0, "d.log")
    by_metric = {row[0]: row[1] for row in table_rows([r])[1]}
    assert by_metric["daily build after 1% new activity (incremental)"] == "20.0 s"
    assert by_metric["daily build / full build"] == "20%"


def test_feature_layer_rows_set_the_project_against_the_floor_and_the_pandas_peer() -> None:
    from leadscore.bench import FEATURE_LAYER_NODES

    results = [
        _result(f"model.leadscore.{name}", seconds)
        for name, seconds in zip(FEATURE_LAYER_NODES, (1.0, 4.0, 0.5, 0.5), strict=True)
    ]
    results.append(_result("model.leadscore.int_scoring_clock", 9.0))  # a parameter, not counted
    times = parse_run_results({"elapsed_time": 20.0, "results": results})
    assert times.feature_layer == pytest.approx(6.0)
    assert times.feature_nodes == list(FEATURE_LAYER_NODES)
    r = _size(100_000, 10.0, 100.0, 1024**2, times, 5000)
    check = {
        "equal": True,
        "compared": ["cutoff_id", "eng_events_7d"],
        "not_computed": ["inputs_fingerprint"],
        "extra": [],
        "only_in_project": 0,
        "only_in_candidate": 0,
        "project_rows": 10,
        "candidate_rows": 10,
    }
    r.features["duckdb"] = {"seconds": 4.0, "cpu_seconds": 7.0, "peak_rss_bytes": 1024**3}
    r.features["duckdb"]["check"] = check
    r.features["pandas"] = {"seconds": 9.0, "cpu_seconds": 8.5, "peak_rss_bytes": 2 * 1024**3}
    r.features["pandas"]["check"] = {**check, "equal": False, "only_in_project": 3}
    by_metric = {row[0]: row[1] for row in table_rows([r])[1]}
    assert by_metric["feature layer (sum of its dbt node times)"] == "6.0 s"
    assert by_metric["feature floor: one DuckDB query (wall)"] == "4.0 s"
    assert by_metric["feature floor peak RSS"] == "1.00 GiB"
    assert by_metric["feature layer / floor (wall)"] == "1.50x"
    assert by_metric["feature layer's own SQL / floor (CPU)"] == "—"  # not measured
    assert by_metric["feature layer alone / floor (wall)"] == "—"  # not measured
    r.feature_layer_alone = 5.0
    by_metric = {row[0]: row[1] for row in table_rows([r])[1]}
    alone = "feature layer alone: its dbt nodes after the build, full refresh (sum of node times)"
    assert by_metric[alone] == "5.0 s"
    assert by_metric["feature layer alone / floor (wall)"] == "1.25x"
    r.features["project"] = {"seconds": 5.0, "cpu_seconds": 8.4, "check": check}
    by_metric = {row[0]: row[1] for row in table_rows([r])[1]}
    assert by_metric["feature layer's own SQL CPU"] == "8.4 s"
    assert by_metric["feature layer's own SQL / floor (CPU)"] == "1.20x"
    # a peer whose table differs from the project's is no reference: no ratio
    assert by_metric["pandas peer: read as Arrow + compute (wall)"] == "9.0 s"
    assert by_metric["pandas peer / feature layer (wall)"] == "—"
    md = to_markdown([r], META)
    assert "| feature layer / floor (wall) | 1.50x |" in md
    assert (
        "100k feature floor: equal to int_lead_features_point_in_time on 2 of its 3 columns" in md
    )
    assert "not computed: inputs_fingerprint" in md
    assert "100k pandas peer: NOT EQUAL (3 project rows missing" in md
    data = to_json([r], META)
    assert data["sizes"][0]["feature_layer_over_floor"] == pytest.approx(1.5)
    assert data["sizes"][0]["features"]["duckdb"]["cpu_seconds"] == 7.0


# --- Spark ------------------------------------------------------------------------------------


def test_run_step_counts_a_process_that_outlives_its_parent(tmp_path: Path) -> None:
    """pyspark never waits for its JVM: the step's own process exits first and the JVM is
    re-parented. The launcher reaps such a process and counts its memory."""
    grandchild = (
        "import time; b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
        "time.sleep(0.5)"
    )
    code = (
        "import subprocess, sys; "
        f"subprocess.Popen([sys.executable, '-c', {grandchild!r}]); print('parent exits')"
    )
    log = tmp_path / "step.log"
    res = run_step("orphan", "2k", [sys.executable, "-c", code], env={}, cwd=tmp_path, log=log)
    if sys.platform.startswith("linux"):
        assert res.orphans == 1 and not res.orphans_left
        assert res.peak_rss_bytes is not None and res.peak_rss_bytes >= 300 * 1024**2
    assert res.seconds < 5


def _landed(warehouse: Path, *systems: str) -> None:
    for name in systems:
        (warehouse / "tables" / f"{name}.db").mkdir(parents=True)


def test_spark_plan_is_leadscore_run_target_spark_in_the_sizes_own_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadscore import contract
    from leadscore.bench import (
        SPARK_BUILD_STEPS,
        spark_env,
        spark_generate_command,
        spark_plan,
    )
    from leadscore.dbt import dbt_executable
    from leadscore.spark import SparkSettings
    from leadscore.spark_run import ML_SELECTOR

    for var in ("WAREHOUSE", "MASTER", "DRIVER_MEMORY", "SHUFFLE_PARTITIONS", "SCHEMA"):
        monkeypatch.delenv(f"LEADSCORE_SPARK_{var}", raising=False)
    size_dir, log_dir = tmp_path / "leads-1000-spark", tmp_path / "logs" / "leads-1000-spark"
    env = spark_env(size_dir, log_dir)
    defaults = SparkSettings(warehouse=Path("x"))
    assert env["LEADSCORE_SPARK_WAREHOUSE"] == str(size_dir / "spark")
    assert env["LEADSCORE_SPARK_DRIVER_MEMORY"] == defaults.driver_memory
    assert env["LEADSCORE_SPARK_SHUFFLE_PARTITIONS"] == defaults.shuffle_partitions
    assert env["LEADSCORE_SPARK_MASTER"] == defaults.master
    assert env["DBT_TARGET_PATH"] == str(size_dir / "target")
    assert env["LEADSCORE_RAW_DIR"] == str(size_dir / "raw")

    gen = spark_generate_command(1000, 7, env)
    assert gen[:4] == [sys.executable, "-m", "leadscore.cli", "generate"]
    assert gen[gen.index("--leads") + 1] == "1000" and gen[gen.index("--seed") + 1] == "7"
    assert gen[gen.index("--out") + 1] == str(size_dir / "raw")
    assert gen[gen.index("--layout") + 1] == "fivetran" and "--into-spark" in gen

    # after generate: the systems landed in this size's warehouse (one missing here)
    names = [s.name for s in contract.systems()]
    _landed(size_dir / "spark", *names[:-1])
    steps = spark_plan(env)
    assert [name for name, _ in steps] == ["dbt seed", *SPARK_BUILD_STEPS]
    by_name = dict(steps)
    dbt = dbt_executable()
    for name in ("dbt seed", "dbt build", "dbt build scoring"):
        cmd = by_name[name]
        assert cmd[0] == dbt and cmd[cmd.index("--target") + 1] == "spark"
        dbt_vars = json.loads(cmd[cmd.index("--vars") + 1])
        assert dbt_vars["force_retrain"] is True
        for system in names[:-1]:
            assert dbt_vars[f"{system}_schema"] == system
            assert dbt_vars[f"{system}_layout"] == "fivetran"
        assert dbt_vars[f"{names[-1]}_enabled"] is False
    assert by_name["dbt seed"][1] == "seed"
    build = by_name["dbt build"]
    assert build[1] == "build" and build[build.index("--exclude") + 1] == ML_SELECTOR
    scoring = by_name["dbt build scoring"]
    assert scoring[1] == "build" and scoring[scoring.index("--select") + 1] == ML_SELECTOR
    assert by_name["ML step"] == [
        sys.executable,
        "-m",
        "leadscore.spark_ml",
        "--dataset",
        "demo",
        "--force-retrain",
    ]


def test_run_spark_runs_the_same_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`leadscore run --target spark` and the bench share spark_run.plan: run_spark hands
    each dbt step's arguments to run_dbt and runs the ML step's command, in plan order."""
    import subprocess

    from leadscore import spark_run

    monkeypatch.setenv("LEADSCORE_SPARK_WAREHOUSE", str(tmp_path / "wh"))
    _landed(tmp_path / "wh", "salesforce")
    ran: list[tuple[str, ...]] = []

    def fake_dbt(args: list[str], *_a: object, **_k: object) -> None:
        ran.append(("dbt", *args))

    def fake_run(args: list[str], **_k: object) -> subprocess.CompletedProcess[str]:
        ran.append(tuple(args))
        return subprocess.CompletedProcess(args, 0, '{"scored_leads": 3}\n', "")

    monkeypatch.setattr(spark_run.lspark, "check_runtime", lambda: None)
    monkeypatch.setattr(spark_run, "run_dbt", fake_dbt)
    monkeypatch.setattr(spark_run.subprocess, "run", fake_run)
    result = spark_run.run_spark({"force_retrain": True}, say=lambda _t: None)
    parsed = spark_run.source_vars(
        spark_run.lspark.SparkSettings.from_env(), {"force_retrain": True}
    )
    expected = [("dbt", *s.args) if s.dbt else s.args for s in spark_run.plan(parsed)]
    assert ran == expected
    assert list(result.seconds) == ["seed", "build", "ml", "build_scoring"]
    assert result.systems == ("salesforce",)


def test_ml_step_figures_read_the_json_line_of_its_log(tmp_path: Path) -> None:
    from leadscore.bench import ml_step_figures

    log = tmp_path / "ML-step.log"
    assert ml_step_figures(log) is None
    log.write_text("$ python -m leadscore.spark_ml\n\nINFO training\n")
    assert ml_step_figures(log) is None
    figures = {
        "registry_rows_written": 2,
        "champion": "v1",
        "scored_leads": 7570,
        "train_seconds": 12.5,
        "score_seconds": 3.25,
    }
    log.write_text(f"$ python -m leadscore.spark_ml\n{json.dumps(figures)}\nbye\n")
    assert ml_step_figures(log) == figures


def _spark_size(leads: int, scale: float) -> SizeResult:
    r = SizeResult(leads=leads, label=size_label(leads), engine="spark")
    mib = 1024**2
    for step, seconds, rss in (
        ("generate", 20.0, 900),
        ("dbt seed", 60.0, 1200),
        ("dbt build", 600.0, 1800),
        ("ML step", 100.0, 2500),
        ("dbt build scoring", 90.0, 1500),
    ):
        r.steps[step] = StepResult(step, seconds * scale, rss * mib, 0, f"{step}.log")
    r.build = parse_run_results(RUN_RESULTS, MANIFEST)
    r.build.training, r.build.scoring = 40.0 * scale, 20.0 * scale
    r.scored_leads = int(1000 * scale)
    return r


def test_spark_columns_sit_beside_duckdb_with_their_own_rows() -> None:
    mib = 1024**2
    duck = _size(100_000, 10.0, 300.0, 500 * mib, parse_run_results(RUN_RESULTS, MANIFEST), 5000)
    spark_small, spark_big = _spark_size(100_000, 1.0), _spark_size(1_000_000, 3.0)
    header, rows = table_rows([spark_big, duck, spark_small])
    assert header == [
        "metric",
        "100k duckdb",
        "100k spark",
        "1M spark",
        "1M/100k spark",
        "spark/duckdb 100k",
    ]
    by_metric = {row[0]: row[1:] for row in rows}
    # the build to lead_scores on Spark: SQL layers + ML step + scoring marts, the largest peak
    assert by_metric["dbt build time (total)"][:2] == ["300.0 s", "13.2 min"]
    assert by_metric["dbt build peak RSS"][:3] == ["1000 MiB", "2.44 GiB", "2.44 GiB"]
    assert by_metric["dbt build time (total)"][3:] == ["3.00x", "2.63x"]
    assert by_metric["spark: ML step (leadscore.spark_ml)"] == [
        "n/a",
        "100.0 s",
        "300.0 s",
        "3.00x",
        "—",
    ]
    assert by_metric["daily build after 1% new activity (incremental)"][:3] == [
        NOT_BUILT,
        "n/a",
        "n/a",
    ]
    assert by_metric["training (ml_model_registry)"][:3] == ["10.0 s", "40.0 s", "120.0 s"]
    assert by_metric["scoring throughput"][1] == "50 leads/s"

    data = to_json([duck, spark_small, spark_big], {**META, "spark": {"driver_memory": "2g"}})
    assert [(s["label"], s["engine"]) for s in data["sizes"]] == [
        ("100k", "duckdb"),
        ("100k", "spark"),
        ("1M", "spark"),
    ]
    assert data["sizes"][0]["spark_ml_step_s"] is None
    assert data["sizes"][1]["spark_ml_step_s"] == 100.0
    assert data["sizes"][1]["daily_build_s"] is None
    assert data["ratios"]["spark/duckdb 100k"]["dbt_build_s"] == pytest.approx(790 / 300)
    md = to_markdown([duck, spark_small], {**META, "spark": {"driver_memory": "2g"}})
    assert "| metric | 100k duckdb | 100k spark | spark/duckdb 100k |" in md
    assert "driver memory 2g" in md


def test_a_duckdb_only_table_has_no_spark_rows() -> None:
    r = _size(100_000, 10.0, 100.0, 1024**2, parse_run_results(RUN_RESULTS, MANIFEST), 5000)
    header, rows = table_rows([r])
    assert header == ["metric", "100k"]
    assert not [row for row in rows if row[0].startswith("spark")]
    assert "spark_ml_step_s" not in to_json([r], META)["sizes"][0]


def test_cli_rejects_an_unknown_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["bench", "--leads", "5", "--engine", "snowflake", "--work-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "unknown engine 'snowflake'" in result.output


def test_profile_falls_back_to_the_spark_settings_defaults() -> None:
    """profiles.yml's `spark` target and SparkSettings must not disagree about a default."""
    import re

    from leadscore.config import PROJECT_DIR
    from leadscore.spark import SparkSettings

    text = (PROJECT_DIR / "profiles.yml").read_text()
    fallbacks = dict(re.findall(r"env_var\('(LEADSCORE_SPARK_\w+)', '([^']*)'\)", text))
    defaults = SparkSettings(warehouse=PROJECT_DIR / "warehouse" / "spark")
    for name, value in defaults.env().items():
        if name == "LEADSCORE_SPARK_WAREHOUSE":
            assert fallbacks[name] == "warehouse/spark"
        else:
            assert fallbacks[name] == value, name
