"""Read the report's inputs from the warehouse (the only module that knows table names).

Expected relations (any schema; first match by name wins, `main` preferred):

- ``model_metrics``: model_version, metric, value, dataset, validation_scheme, trained_at.
  The latest model is the one with the greatest trained_at.
- ``ml_holdout_predictions``: model_version, label, probability, grade (grade may be null).
- ``ml_feature_importance``: model_version, feature, importance.
- ``lead_scores``: score, grade, model_version (the current run; all rows are used).
- ``lead_score_history``: scored_at, score, grade, model_version. One run = one scored_at value.
  The previous run is the latest scored_at strictly before the current run, where the current
  run is max(lead_scores.scored_at) if lead_scores has that column, else the latest scored_at
  in the history (i.e. the history is assumed to include the current run).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from leadscore.report.inputs import ReportInputs

TABLES: dict[str, tuple[str, ...]] = {
    "model_metrics": (
        "model_version",
        "metric",
        "value",
        "dataset",
        "validation_scheme",
        "trained_at",
    ),
    "ml_holdout_predictions": ("model_version", "label", "probability", "grade"),
    "ml_feature_importance": ("model_version", "feature", "importance"),
}
# The current scores: the lead_scores mart (demo CRM pipeline) or, for a dataset without
# CRM marts (x_education, olist_funnel), the ML model's own output with the same columns.
SCORE_TABLES: tuple[str, ...] = ("lead_scores", "ml_lead_scores")
SCORE_COLUMNS: tuple[str, ...] = ("score", "grade", "model_version")
# Optional: earlier runs, for drift (absent on a first run or without the history mart).
HISTORY_TABLE = "lead_score_history"
# Optional: the outcome backtest and the monitors (demo builds with monitoring).
MONITORING_TABLES: tuple[str, ...] = ("model_backtest", "model_monitoring")


class ReportDataError(RuntimeError):
    """The warehouse lacks what the report needs (message says what and how to get it)."""


def _relations(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, list[str]]]:
    """name -> (quoted schema.name, column names), `main` schema first."""
    rows = con.sql(
        "select table_schema, table_name, column_name from information_schema.columns "
        "order by table_schema <> 'main', table_schema, table_name, ordinal_position"
    ).fetchall()
    out: dict[str, tuple[str, list[str]]] = {}
    for schema, name, column in rows:
        key = str(name).lower()
        qualified = f'"{schema}"."{name}"'
        if key not in out:
            out[key] = (qualified, [])
        if out[key][0] == qualified:
            out[key][1].append(str(column).lower())
    return out


def _check(relations: dict[str, tuple[str, list[str]]], db_path: Path) -> dict[str, str]:
    missing = [t for t in TABLES if t not in relations]
    if missing:
        raise ReportDataError(
            f"{db_path} has no table {', '.join(missing)} (needed by the model report). "
            "Run `leadscore run` first so the ML models and scoring marts are built."
        )
    for table, columns in TABLES.items():
        lacking = [c for c in columns if c not in relations[table][1]]
        if lacking:
            raise ReportDataError(
                f"table {table} in {db_path} lacks column(s) {', '.join(lacking)}; "
                f"it has {', '.join(relations[table][1])}"
            )
    found = {t: relations[t][0] for t in TABLES}
    score_table = next((t for t in SCORE_TABLES if t in relations), None)
    if score_table is None:
        raise ReportDataError(
            f"{db_path} has neither {' nor '.join(SCORE_TABLES)} (needed by the model report). "
            "Run `leadscore run` first so the scoring models are built."
        )
    lacking = [c for c in SCORE_COLUMNS if c not in relations[score_table][1]]
    if lacking:
        raise ReportDataError(f"table {score_table} in {db_path} lacks column(s) {lacking}")
    found["scores"] = relations[score_table][0]
    if HISTORY_TABLE in relations:
        found["history"] = relations[HISTORY_TABLE][0]
    for table in MONITORING_TABLES:
        if table in relations:
            found[table] = relations[table][0]
    return found


def load_report_inputs(db_path: Path) -> ReportInputs:
    """ReportInputs of the latest model and run in the DuckDB file ``db_path`` (read-only)."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise ReportDataError(f"no warehouse at {db_path}: run `leadscore run` or pass --db")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise ReportDataError(f"cannot open {db_path} read-only: {exc}") from exc
    try:
        relations = _relations(con)
        t = _check(relations, db_path)
        latest_rows = con.sql(
            "select model_version, dataset, validation_scheme, trained_at "
            f"from {t['model_metrics']} "
            "order by trained_at desc nulls last, model_version desc limit 1"
        ).fetchall()
        latest = latest_rows[0] if latest_rows else None
        if latest is None:
            raise ReportDataError(f"model_metrics in {db_path} is empty: no model was trained")
        version = latest[0]
        metric_rows = con.execute(
            f"select metric, value from {t['model_metrics']} where model_version = ?", [version]
        ).fetchall()
        metrics = {str(k): float(v) for k, v in metric_rows if v is not None}
        holdout = con.execute(
            f"select label, probability, grade from {t['ml_holdout_predictions']} "
            "where model_version = ?",
            [version],
        ).df()
        importance = con.execute(
            f"select feature, importance from {t['ml_feature_importance']} where model_version = ?",
            [version],
        ).df()
        scores = con.sql(f"select score, grade from {t['scores']} where score is not null").df()
        previous: pd.DataFrame | None = None
        history = t.get("history")
        if history is not None:
            score_cols = relations[t["scores"].split(".")[-1].strip('"').lower()][1]
            if "scored_at" in score_cols:
                current_run = f"(select max(scored_at) from {t['scores']})"
            else:
                current_run = f"(select max(scored_at) from {history})"
            previous = con.sql(
                f"select score, grade from {history} where scored_at = "
                f"(select max(scored_at) from {history} where scored_at < {current_run})"
            ).df()
        backtest = monitoring = None
        if all(name in t for name in MONITORING_TABLES):
            backtest = con.sql(
                f"select as_of, metric, bucket, value, n_rows from {t['model_backtest']}"
            ).df()
            monitoring = con.sql(
                "select measured_at, monitor, subject, segment, value, status, breach_at, "
                f"compared_population from {t['model_monitoring']}"
            ).df()
    finally:
        con.close()
    if previous is not None and previous.empty:
        previous = None
    return ReportInputs(
        holdout=holdout,
        scores=scores,
        previous_scores=previous,
        backtest=backtest,
        monitoring=monitoring,
        feature_importance=importance,
        metrics=metrics,
        meta={
            "model_version": version,
            "trained_at": str(latest[3]) if latest[3] is not None else None,
            "dataset": latest[1],
            "validation_scheme": latest[2],
        },
    )
