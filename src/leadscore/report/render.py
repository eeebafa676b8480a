"""Write the model report: index.html (self-contained) plus the same charts as PNG files.

The page has inline CSS, charts as base64 ``data:`` images and no script or external URL, so it
can be mailed, attached to a ticket or opened from disk. Every chart is an ``<img>`` with an
``id`` (see ``CHART_IDS``) and an ``alt`` text.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from leadscore.ml import metrics as m
from leadscore.report import charts
from leadscore.report.inputs import ReportInputs

CHART_IDS: tuple[str, ...] = (
    "chart-lift",
    "chart-gains",
    "chart-calibration",
    "chart-conversion-by-grade",
    "chart-score-by-grade",
    "chart-features",
    "chart-drift",
)
DRIFT_TITLE = "Drift against the previous run"
NO_PREVIOUS_RUN = "No previous run: drift against the previous run cannot be computed yet."


@dataclass(frozen=True)
class _MetricRow:
    label: str
    keys: tuple[str, ...]
    kind: str  # "num" | "int" | "pct"
    hint: str


METRIC_ROWS: tuple[_MetricRow, ...] = (
    _MetricRow("ROC-AUC", ("roc_auc",), "num", "ranking quality; 0.5 = random, 1 = perfect"),
    _MetricRow("PR-AUC", ("pr_auc",), "num", "average precision; compare with the base rate"),
    _MetricRow(
        "Lift at top decile",
        ("lift_top_decile", "lift_at_top_decile"),
        "num",
        "conversion in the top 10% / overall conversion",
    ),
    _MetricRow("Brier score", ("brier",), "num", "mean squared error of the probability"),
    _MetricRow("ECE", ("ece",), "num", "expected calibration error (10 equal bins)"),
    _MetricRow("Holdout rows", ("n_holdout", "n"), "int", "leads the metrics were measured on"),
    _MetricRow(
        "Base rate", ("positive_rate", "base_rate"), "pct", "share of holdout leads converting"
    ),
)

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111827;
 font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 24px 32px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 8px}
.sub{color:#4b5563;margin:0 0 14px}
.top{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-bottom:16px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 16px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dt{color:#4b5563}dd{margin:0;font-weight:600;word-break:break-word}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #f3f4f6}
td.v{text-align:right;font-variant-numeric:tabular-nums;font-weight:600;white-space:nowrap}
td.h{color:#6b7280;font-size:12px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
figure{margin:0}
figure.wide{grid-column:1/-1}
figure img{display:block;width:100%;height:auto}
figcaption{color:#4b5563;font-size:12.5px;margin-top:6px}
.note{color:#92400e;background:#fffbeb;border:1px solid #fde68a;border-radius:6px;
 padding:10px 12px;font-weight:600}
.foot{color:#6b7280;font-size:12px;margin-top:14px}
"""


def _fmt(value: float, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "int":
        return f"{round(value):,}"
    if kind == "pct":
        return f"{value * 100:.2f}%"
    return f"{value:.3f}"


def _metric_values(inputs: ReportInputs) -> list[tuple[_MetricRow, float, bool]]:
    """(row, value, computed_here) for the metrics table; published values win."""
    holdout = inputs.holdout
    computed: dict[str, float] = {}
    if len(holdout):
        computed = m.summary(holdout["label"], holdout["probability"])
    computed["n_holdout"] = float(len(holdout))
    out = []
    for row in METRIC_ROWS:
        published = next(
            (inputs.metrics[k] for k in row.keys if inputs.metrics.get(k) is not None), None
        )
        if published is not None:
            out.append((row, float(published), False))
        else:
            key = next((k for k in row.keys if k in computed), row.keys[0])
            out.append((row, float(computed.get(key, math.nan)), True))
    return out


def _meta_html(inputs: ReportInputs) -> str:
    meta = inputs.meta
    items = [
        ("Model version", meta.get("model_version")),
        ("Trained at", meta.get("trained_at")),
        ("Dataset", meta.get("dataset")),
        ("Validation", meta.get("validation_scheme")),
        ("Open leads scored", f"{len(inputs.scores):,}"),
        (
            "Previous run",
            "none" if inputs.previous_scores is None else f"{len(inputs.previous_scores):,} leads",
        ),
    ]
    rows = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape('unknown' if v is None else str(v))}</dd>"
        for k, v in items
    )
    return f"<dl>{rows}</dl>"


def _metrics_html(inputs: ReportInputs) -> str:
    rows, any_computed = [], False
    for row, value, computed in _metric_values(inputs):
        any_computed |= computed
        mark = " †" if computed else ""
        rows.append(
            f'<tr><th scope="row">{html.escape(row.label)}</th>'
            f'<td class="v" data-metric="{row.keys[0]}">{_fmt(value, row.kind)}{mark}</td>'
            f'<td class="h">{html.escape(row.hint)}</td></tr>'
        )
    foot = (
        '<p class="foot">† not in the published metrics; computed here from the holdout rows.</p>'
        if any_computed
        else ""
    )
    return f'<table id="metrics">{"".join(rows)}</table>{foot}'


def _img(
    chart_id: str,
    png: bytes,
    alt: str,
    caption: str,
    *,
    heading: str | None = None,
    attrs: str = "",
) -> str:
    data = base64.b64encode(png).decode("ascii")
    cls = "card wide" if heading else "card"
    head = f"<h2>{html.escape(heading)}</h2>" if heading else ""
    return (
        f'<figure class="{cls}"{attrs}>{head}'
        f'<img id="{chart_id}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _monitoring_html(backtest: pd.DataFrame, monitoring: pd.DataFrame, out_dir: Path) -> str:
    """The monitoring section: charts over time and the newest build's warnings/breaches."""
    png = charts.to_png(charts.monitoring_figure(backtest, monitoring))
    _write_bytes(out_dir / "monitoring.png", png)
    figure = _img(
        "chart-monitoring",
        png,
        "Realised ROC-AUC and predicted vs actual conversion by scoring run; drift by build",
        "Left and middle: each past scoring run against the outcomes that matured one label "
        "horizon later (model_backtest). Right: PSI of the score and the largest feature PSI, "
        "training examples vs open leads at comparable ages (model_monitoring).",
        heading="Model monitoring",
    )
    newest = monitoring[monitoring["measured_at"] == monitoring["measured_at"].max()]
    alerts = newest[newest["status"].isin(["warn", "breach"])]
    if alerts.empty:
        items = (
            '<p class="note" id="monitoring-alerts">No warning or breach in the newest build.</p>'
        )
    else:
        rows = "".join(
            f"<li>{html.escape(str(r.status))}: {html.escape(str(r.monitor))} "
            f"{html.escape(str(r.subject if r.segment == 'all' else r.segment))} = "
            f"{float(r.value):.3f}</li>"
            for r in alerts.itertuples()
        )
        items = f'<ul id="monitoring-alerts">{rows}</ul>'
    return figure.replace("</figure>", f"{items}</figure>")


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def render_report(inputs: ReportInputs, out_dir: Path) -> Path:
    """Write ``out_dir/index.html`` and one PNG per chart; return the index.html path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    holdout = inputs.holdout.dropna(subset=["label", "probability"])
    # Keep label as float 0/1 so every chart agrees on the base rate.
    holdout = holdout.assign(label=pd.to_numeric(holdout["label"]).astype(float))
    base = replace(inputs, holdout=holdout)

    specs: list[tuple[str, Callable[[], Figure], str, str]] = [
        (
            "chart-lift",
            lambda: charts.lift_figure(holdout),
            "Lift by holdout decile, bars per decile and cumulative line",
            "Holdout leads ranked by predicted probability and cut into ten equal groups. "
            "A lift of 3 means the group converts at three times the overall rate.",
        ),
        (
            "chart-gains",
            lambda: charts.gains_figure(holdout),
            "Cumulative gains curve on the holdout with random and perfect baselines",
            "Share of all holdout conversions found when calling the top x% of leads first; "
            "the further above the diagonal, the better the ranking.",
        ),
        (
            "chart-calibration",
            lambda: charts.calibration_figure(holdout),
            "Calibration plot: mean predicted probability against observed rate per decile",
            "Points on the dashed diagonal mean the probability can be read at face value; "
            "points below it mean the model is over-confident.",
        ),
        (
            "chart-conversion-by-grade",
            lambda: charts.conversion_by_grade_figure(holdout),
            "Holdout conversion rate by grade",
            "Observed conversion of holdout leads per grade (leads per grade under each label).",
        ),
        (
            "chart-score-by-grade",
            lambda: charts.score_distribution_figure(inputs.scores),
            "Box plot of current scores per grade",
            "Scores of the open leads in this run per grade: boxes span the middle half, the "
            "orange line is the median, whiskers reach 1.5 box-lengths.",
        ),
        (
            "chart-features",
            lambda: charts.features_figure(inputs.feature_importance),
            "Horizontal bar chart of the most important features",
            "The features the model leans on most (importance as recorded with the model).",
        ),
    ]
    figures: list[str] = []
    for chart_id, make, alt, caption in specs:
        png = charts.to_png(make())
        _write_bytes(out_dir / f"{chart_id.removeprefix('chart-')}.png", png)
        figures.append(_img(chart_id, png, alt, caption))

    drift_png = out_dir / "drift.png"
    if inputs.previous_scores is not None and len(inputs.previous_scores):
        fig, psi = charts.drift_figure(inputs.scores, inputs.previous_scores)
        png = charts.to_png(fig)
        _write_bytes(drift_png, png)
        drift = _img(
            "chart-drift",
            png,
            f"Score distribution and grade mix, current vs previous run (PSI {psi:.3f})",
            f"Population stability index of the current scores against the previous run: "
            f"{psi:.3f} ({charts.psi_label(psi)}). Under 0.1 is stable, 0.1-0.25 a moderate "
            "shift, above 0.25 worth investigating.",
            heading=DRIFT_TITLE,
            attrs=f' data-psi="{psi:.4f}"',
        )
    else:
        drift_png.unlink(missing_ok=True)
        drift = (
            f'<figure class="card wide"><h2>{DRIFT_TITLE}</h2>'
            f'<p class="note" id="no-previous-run">{html.escape(NO_PREVIOUS_RUN)}</p></figure>'
        )
    figures.append(drift)
    if inputs.monitoring is not None and inputs.backtest is not None:
        figures.append(_monitoring_html(inputs.backtest, inputs.monitoring, out_dir))

    dataset = inputs.meta.get("dataset") or "unknown dataset"
    title = f"Model report: {dataset}"
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
        "<body><main>"
        f"<h1>{html.escape(title)}</h1>"
        '<p class="sub">Lead-scoring model quality on the holdout, the scores of the latest run, '
        "and drift against the previous run.</p>"
        '<section class="top">'
        f'<div class="card" id="model-meta"><h2>Model</h2>{_meta_html(base)}</div>'
        f'<div class="card"><h2>Holdout metrics</h2>{_metrics_html(base)}</div>'
        "</section>"
        f'<section class="grid">{"".join(figures)}</section>'
        '<p class="foot">Generated by <code>leadscore report</code>. Charts are also saved as '
        "PNG files beside this page.</p>"
        "</main></body></html>\n"
    )
    index = out_dir / "index.html"
    _write_bytes(index, page.encode("utf-8"))
    return index
