"""The report's numbers and figures.

Ranking, calibration and drift numbers come from `leadscore.ml.metrics` (cumulative gains,
calibration by decile, PSI, the metric summary); the two small tables that module does not
have (lift per decile, conversion by grade) live here. Figures are drawn with matplotlib's
object API on the Agg canvas (no pyplot state, no display needed) and returned as PNG bytes.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from leadscore.ml import metrics as m

BLUE = "#2563eb"
ORANGE = "#ea580c"
GREY = "#6b7280"
GREEN = "#16a34a"
RED = "#dc2626"
DPI = 110
NO_GRADE = "(none)"


# --------------------------------------------------------------------------- tables
def decile_lift(y_true: Any, y_prob: Any, n_bins: int = 10) -> pd.DataFrame:
    """Leads ranked by probability (highest first) cut into ``n_bins`` near-equal groups.

    Columns: decile (1 = highest scores), n, conversions, conversion_rate, lift (the decile's
    rate over the overall rate) and cumulative_lift (top 1..k deciles together).
    """
    y = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(y_prob, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true and y_prob differ in length: {y.shape} vs {p.shape}")
    cols = ["decile", "n", "conversions", "conversion_rate", "lift", "cumulative_lift"]
    if len(y) == 0:
        return pd.DataFrame(columns=cols)
    base = y.mean()
    order = np.argsort(-p, kind="stable")
    rows, seen_n, seen_pos = [], 0, 0.0
    for i, idx in enumerate((b for b in np.array_split(order, n_bins) if len(b)), start=1):
        pos = float(y[idx].sum())
        seen_n, seen_pos = seen_n + len(idx), seen_pos + pos
        rate = pos / len(idx)
        rows.append(
            {
                "decile": i,
                "n": len(idx),
                "conversions": pos,
                "conversion_rate": rate,
                "lift": rate / base if base else math.nan,
                "cumulative_lift": (seen_pos / seen_n) / base if base else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def grade_sort_key(grade: str) -> tuple[int, str]:
    """A1 < A2 < ... < D4; anything else after, the missing grade last."""
    if grade == NO_GRADE:
        return (2, grade)
    return (0, grade) if re.fullmatch(r"[A-Z]\d?", grade) else (1, grade)


def _grades(series: pd.Series) -> pd.Series:
    s = series.astype("string").str.strip()
    return s.mask(s.isna() | (s == ""), NO_GRADE).astype(object)


def conversion_by_grade(holdout: pd.DataFrame) -> pd.DataFrame:
    """Holdout conversion by grade: grade, n, conversions, conversion_rate (grade order)."""
    cols = ["grade", "n", "conversions", "conversion_rate"]
    if "grade" not in holdout.columns or holdout["grade"].isna().all():
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame(
        {"grade": _grades(holdout["grade"]), "label": holdout["label"].astype(float)}
    )
    out = frame.groupby("grade", sort=False)["label"].agg(n="size", conversions="sum")
    out = out.reset_index()
    out["conversion_rate"] = out["conversions"] / out["n"]
    out = out.sort_values("grade", key=lambda s: s.map(grade_sort_key)).reset_index(drop=True)
    return out[cols]


def psi_label(psi: float) -> str:
    """The usual reading of a PSI value."""
    if math.isnan(psi):
        return "not computable"
    if psi < 0.1:
        return "stable"
    if psi < 0.25:
        return "moderate shift"
    return "large shift: investigate"


# --------------------------------------------------------------------------- figures
def to_png(fig: Figure) -> bytes:
    """PNG bytes of a figure (Agg canvas; no timestamp/software metadata, so reproducible)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _figure(width: float = 6.0, height: float = 3.7) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def _message(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_axis_off()


def lift_figure(holdout: pd.DataFrame) -> Figure:
    table = decile_lift(holdout["label"], holdout["probability"])
    fig = _figure()
    ax = fig.add_subplot()
    if table.empty or table["lift"].isna().all():
        _message(ax, "No conversions in the holdout: lift is undefined")
        return fig
    x = table["decile"].to_numpy()
    ax.bar(x, table["lift"], color=BLUE, alpha=0.85, label="lift of the decile")
    ax.plot(x, table["cumulative_lift"], color=ORANGE, marker="o", label="cumulative lift (top k)")
    ax.axhline(1.0, color=GREY, linestyle="--", linewidth=1, label="random (lift 1)")
    for xi, v in zip(x, table["lift"], strict=True):
        ax.annotate(
            f"{v:.1f}",
            (xi, v),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    ax.set_ylim(0, max(float(table["lift"].max()), float(table["cumulative_lift"].max())) * 1.12)
    ax.set_xticks(x)
    ax.set_xlabel("Holdout decile by predicted probability (1 = highest)")
    ax.set_ylabel("Lift (conversion rate / base rate)")
    ax.set_title("Lift by decile (holdout)")
    ax.legend(frameon=False, fontsize=8)
    _style(ax)
    return fig


def gains_figure(holdout: pd.DataFrame) -> Figure:
    y, p = holdout["label"].to_numpy(dtype=float), holdout["probability"].to_numpy(dtype=float)
    fig = _figure()
    ax = fig.add_subplot()
    if len(y) == 0 or y.sum() == 0:
        _message(ax, "No conversions in the holdout: gains are undefined")
        return fig
    table = m.cumulative_gains(y, p)
    xs = np.concatenate([[0.0], table["fraction_of_leads"].to_numpy()]) * 100
    ys = np.concatenate([[0.0], table["fraction_of_positives"].to_numpy()]) * 100
    base = y.mean()
    top = float(table["fraction_of_positives"].iloc[0]) * 100
    ax.plot(
        xs, ys, color=BLUE, marker="o", label=f"model (top 10% of leads: {top:.0f}% of conversions)"
    )
    ax.plot([0, 100], [0, 100], color=GREY, linestyle="--", linewidth=1, label="random")
    ax.plot(
        [0, base * 100, 100],
        [0, 100, 100],
        color=GREEN,
        linestyle=":",
        linewidth=1.2,
        label="perfect ranking",
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 102)
    ax.set_xlabel("% of holdout leads called (highest probability first)")
    ax.set_ylabel("% of all conversions captured")
    ax.set_title("Cumulative gains (holdout)")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    _style(ax)
    return fig


def calibration_figure(holdout: pd.DataFrame) -> Figure:
    y, p = holdout["label"].to_numpy(dtype=float), holdout["probability"].to_numpy(dtype=float)
    fig = _figure()
    ax = fig.add_subplot()
    if len(y) == 0:
        _message(ax, "No holdout rows")
        return fig
    table = m.calibration_by_decile(y, p)
    hi = max(float(table["mean_predicted"].max()), float(table["observed_rate"].max()))
    hi = min(1.0, hi * 1.1) if hi > 0 else 1.0
    ax.plot([0, hi], [0, hi], color=GREY, linestyle="--", linewidth=1, label="perfect calibration")
    ax.plot(
        table["mean_predicted"],
        table["observed_rate"],
        color=BLUE,
        marker="o",
        label="model (one point per decile)",
    )
    ece = m.expected_calibration_error(y, p)
    ax.set_xlim(0, hi)
    ax.set_ylim(0, hi)
    ax.set_xlabel("Mean predicted probability in the decile")
    ax.set_ylabel("Observed conversion rate")
    ax.set_title(f"Calibration by decile (holdout, ECE {ece:.3f})")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    _style(ax)
    return fig


def score_distribution_figure(scores: pd.DataFrame) -> Figure:
    frame = pd.DataFrame(
        {"grade": _grades(scores["grade"]), "score": pd.to_numeric(scores["score"])}
    ).dropna(subset=["score"])
    fig = _figure()
    ax = fig.add_subplot()
    if frame.empty:
        _message(ax, "No scored leads in this run")
        return fig
    grades = sorted(frame["grade"].unique(), key=grade_sort_key)
    data = [frame.loc[frame["grade"] == g, "score"].to_numpy() for g in grades]
    box = ax.boxplot(
        data,
        patch_artist=True,
        widths=0.6,
        showfliers=False,
        medianprops={"color": ORANGE, "linewidth": 1.5},
    )
    for patch in box["boxes"]:
        patch.set(facecolor="#bfdbfe", edgecolor=BLUE)
    ax.set_xticks(range(1, len(grades) + 1))
    small = len(grades) > 8
    ax.set_xticklabels(
        [f"{g}\n{len(d):,}" for g, d in zip(grades, data, strict=True)], fontsize=7 if small else 9
    )
    ax.set_xlabel("Grade (and number of open leads)")
    ax.set_ylabel("Score (0-100)")
    ax.set_ylim(-2, 102)
    ax.set_title(f"Score distribution by grade ({len(frame):,} open leads)")
    _style(ax)
    return fig


def conversion_by_grade_figure(holdout: pd.DataFrame) -> Figure:
    table = conversion_by_grade(holdout)
    fig = _figure()
    ax = fig.add_subplot()
    if table.empty:
        _message(ax, "Holdout rows carry no grade")
        return fig
    x = np.arange(len(table))
    rates = table["conversion_rate"].to_numpy(dtype=float) * 100
    ax.bar(x, rates, color=BLUE, alpha=0.85)
    base = float(holdout["label"].astype(float).mean()) * 100
    ax.axhline(base, color=GREY, linestyle="--", linewidth=1, label=f"base rate {base:.1f}%")
    small = len(table) > 8
    for xi, r in zip(x, rates, strict=True):
        ax.annotate(
            f"{r:.0f}%",
            (xi, r),
            ha="center",
            va="bottom",
            fontsize=7 if small else 8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(x)
    ax.set_xticklabels(
        [f"{g}\n{n:,}" for g, n in zip(table["grade"], table["n"], strict=True)],
        fontsize=7 if small else 9,
    )
    ax.set_ylim(0, max(rates.max(), base) * 1.15 + 1)
    ax.set_xlabel("Grade (and number of holdout leads)")
    ax.set_ylabel("Conversion rate (%)")
    ax.set_title("Conversion rate by grade (holdout)")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    _style(ax)
    return fig


def features_figure(importance: pd.DataFrame, top: int = 15) -> Figure:
    frame = importance[["feature", "importance"]].copy()
    frame["importance"] = pd.to_numeric(frame["importance"])
    frame = frame.dropna(subset=["importance"])
    frame = frame.reindex(frame["importance"].abs().sort_values(ascending=False).index).head(top)
    fig = _figure(6.0, 3.7 if len(frame) <= 12 else 4.2)
    ax = fig.add_subplot()
    if frame.empty:
        _message(ax, "No feature importance recorded for this model")
        return fig
    frame = frame.iloc[::-1]
    names = [f if len(f) <= 38 else f[:36] + "…" for f in frame["feature"].astype(str)]
    values = frame["importance"].to_numpy(dtype=float)
    colors = [BLUE if v >= 0 else RED for v in values]
    ax.barh(np.arange(len(frame)), values, color=colors, alpha=0.85)
    ax.set_yticks(np.arange(len(frame)))
    ax.set_yticklabels(names, fontsize=8)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_xlabel("Importance" + (" (red: lowers the score)" if (values < 0).any() else ""))
    ax.set_title(f"Top {len(frame)} features")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig


def drift_figure(scores: pd.DataFrame, previous: pd.DataFrame) -> tuple[Figure, float]:
    """Score distribution overlay and grade mix, current vs previous run; returns (fig, PSI)."""
    cur = pd.to_numeric(scores["score"]).dropna().to_numpy(dtype=float)
    prev = pd.to_numeric(previous["score"]).dropna().to_numpy(dtype=float)
    psi = m.population_stability_index(prev, cur)
    fig = _figure(12.0, 3.7)
    left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
    lo = float(min(cur.min(initial=0), prev.min(initial=0)))
    hi = float(max(cur.max(initial=100), prev.max(initial=100)))
    bins = np.linspace(lo, hi, 21)
    left.hist(
        prev, bins=bins, density=True, color=GREY, alpha=0.45, label=f"previous run ({len(prev):,})"
    )
    left.hist(
        cur,
        bins=bins,
        density=True,
        histtype="step",
        color=BLUE,
        linewidth=2,
        label=f"current run ({len(cur):,})",
    )
    left.set_xlabel("Score (0-100)")
    left.set_ylabel("Share of leads (density)")
    left.set_title(f"Score distribution: PSI {psi:.3f} ({psi_label(psi)})")
    left.legend(frameon=False, fontsize=8)
    _style(left)

    g_cur = _grades(scores["grade"]).value_counts(normalize=True)
    g_prev = _grades(previous["grade"]).value_counts(normalize=True)
    grades = sorted(set(g_cur.index) | set(g_prev.index), key=grade_sort_key)
    x = np.arange(len(grades))
    w = 0.4
    right.bar(
        x - w / 2,
        [g_prev.get(g, 0.0) * 100 for g in grades],
        w,
        color=GREY,
        alpha=0.6,
        label="previous run",
    )
    right.bar(
        x + w / 2,
        [g_cur.get(g, 0.0) * 100 for g in grades],
        w,
        color=BLUE,
        alpha=0.85,
        label="current run",
    )
    right.set_xticks(x)
    right.set_xticklabels(grades, fontsize=7 if len(grades) > 8 else 9)
    right.set_xlabel("Grade")
    right.set_ylabel("% of scored leads")
    right.set_title("Grade mix")
    right.legend(frameon=False, fontsize=8)
    _style(right)
    return fig, psi


def monitoring_figure(backtest: pd.DataFrame, monitoring: pd.DataFrame) -> Figure:
    """Monitoring over time: realised ROC-AUC and calibration of each backtested scoring run
    (model_backtest), and the like-for-like drift of each build (model_monitoring)."""
    fig = _figure(12.0, 3.7)
    auc_ax, cal_ax, drift_ax = fig.subplots(1, 3)
    runs = backtest[backtest["bucket"].isna()] if len(backtest) else backtest
    wide = (
        runs.pivot_table(index="as_of", columns="metric", values="value", aggfunc="first")
        if len(runs)
        else pd.DataFrame()
    )
    if wide.empty or "realised_roc_auc" not in wide:
        _message(auc_ax, "No scoring run has matured yet\n(one label horizon after a run)")
        _message(cal_ax, "No matured outcomes yet")
    else:
        wide = wide.sort_index()
        auc_ax.plot(wide.index, wide["realised_roc_auc"], marker="o", color=BLUE)
        auc_ax.axhline(0.5, color=GREY, linestyle="--", linewidth=1, label="chance")
        auc_ax.set_title("Realised ROC-AUC by scoring run")
        auc_ax.set_ylim(0.4, 1.0)
        auc_ax.legend(frameon=False, fontsize=8)
        cal_ax.plot(
            wide.index, wide["mean_predicted"] * 100, marker="o", color=GREY, label="mean predicted"
        )
        cal_ax.plot(wide.index, wide["actual_rate"] * 100, marker="o", color=BLUE, label="actual")
        cal_ax.set_title("Predicted vs actual conversion (%)")
        cal_ax.legend(frameon=False, fontsize=8)
        for ax in (auc_ax, cal_ax):
            ax.set_xlabel("Scoring run")
            ax.tick_params(axis="x", labelrotation=30, labelsize=7)
            _style(ax)
    drift = monitoring[monitoring["monitor"].isin(["score_psi", "feature_psi"])]
    if drift.empty:
        _message(drift_ax, "No drift measured yet")
    else:
        score = drift[drift["monitor"] == "score_psi"].groupby("measured_at")["value"].max()
        feature = drift[drift["monitor"] == "feature_psi"].groupby("measured_at")["value"].max()
        drift_ax.plot(score.index, score.values, marker="o", color=BLUE, label="score PSI")
        drift_ax.plot(
            feature.index, feature.values, marker="s", color=GREY, label="largest feature PSI"
        )
        breach = drift["breach_at"].dropna()
        if len(breach):
            drift_ax.axhline(
                float(breach.max()),
                color="#dc2626",
                linestyle="--",
                linewidth=1,
                label="breach (policy)",
            )
        drift_ax.set_title("Drift like for like, by build")
        drift_ax.set_xlabel("Build (scoring clock)")
        drift_ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        drift_ax.legend(frameon=False, fontsize=8)
        _style(drift_ax)
    return fig
