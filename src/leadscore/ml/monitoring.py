"""Model monitoring: how past scores fared once outcomes matured, and drift like for like.

Two kinds of evidence that the model no longer fits the market:

- **Outcome backtest** (:func:`backtest`): past scoring runs (``lead_score_history``) joined
  to the outcomes that matured since (one label horizon later): realised ROC-AUC,
  calibration-in-the-large (mean predicted vs actual rate), lift at the top decile and
  conversion by grade, per scoring run and model version.
- **Drift like for like** (:func:`feature_drift`, :func:`score_drift_like_for_like`): the
  training examples are snapshots of leads at fixed ages after creation (0, 7, ... 91 days,
  ``policy_training_cutoffs``) while today's open leads have every age (most are months
  old), so comparing them whole measures the age mix, not the market. Here only open leads
  within ``tolerance_days`` of a snapshot age are compared, and the training examples are
  weighted to the open leads' mix of those ages, so a PSI says the population moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leadscore.ml.metrics import lift_at_top_decile, roc_auc

BACKTEST_COLUMNS = [
    "scoring_run_id",
    "as_of",
    "model_version",
    "metric",
    "bucket",
    "value",
    "n_rows",
]

#: Metrics per run; ``bucket`` is null except for the by-grade rows.
RUN_METRICS = (
    "n_rows",
    "conversions",
    "realised_roc_auc",
    "mean_predicted",
    "actual_rate",
    "calibration_in_the_large",
    "observed_to_predicted",
    "lift_top_decile",
)


def backtest(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per (scoring_run_id, as_of, model_version): how the run's scores fared.

    ``outcomes`` has one row per scored lead of a past run whose horizon matured, with
    ``conversion_probability`` (what the run predicted), ``converted`` (0/1, what happened)
    and ``grade``. Returns long rows (BACKTEST_COLUMNS): the RUN_METRICS with a null
    bucket, then ``grade_conversion_rate`` and ``grade_mean_predicted`` per grade.
    ``calibration_in_the_large`` is actual rate minus mean predicted (0 = calibrated on
    average; negative = the model promised more than happened).
    """
    required = {"scoring_run_id", "as_of", "model_version", "conversion_probability", "converted"}
    missing = sorted(required - set(outcomes.columns))
    if missing:
        raise KeyError(f"backtest needs columns {missing} in the matured outcomes")
    rows: list[tuple[Any, ...]] = []
    keys = ["scoring_run_id", "as_of", "model_version"]
    for (run, as_of, version), group in outcomes.groupby(keys, sort=True, dropna=False):
        p = pd.to_numeric(group["conversion_probability"], errors="coerce")
        y = pd.to_numeric(group["converted"], errors="coerce")
        keep = p.notna() & y.notna()
        p, y = p[keep].to_numpy(float), y[keep].to_numpy(float)
        n = len(y)
        if n == 0:
            continue
        actual, predicted = float(y.mean()), float(p.mean())
        values = {
            "n_rows": float(n),
            "conversions": float(y.sum()),
            "realised_roc_auc": roc_auc(y, p),
            "mean_predicted": predicted,
            "actual_rate": actual,
            "calibration_in_the_large": actual - predicted,
            "observed_to_predicted": actual / predicted if predicted > 0 else float("nan"),
            "lift_top_decile": lift_at_top_decile(y, p),
        }
        rows.extend((run, as_of, version, k, None, values[k], n) for k in RUN_METRICS)
        if "grade" in group:
            graded = group[keep.to_numpy()]
            for grade, cell in graded.groupby("grade", sort=True):
                conv = pd.to_numeric(cell["converted"]).to_numpy(float)
                pred = pd.to_numeric(cell["conversion_probability"]).to_numpy(float)
                m = len(conv)
                rows.append((run, as_of, version, "grade_conversion_rate", grade, conv.mean(), m))
                rows.append((run, as_of, version, "grade_mean_predicted", grade, pred.mean(), m))
    frame = pd.DataFrame(rows, columns=BACKTEST_COLUMNS)
    for col in ("scoring_run_id", "model_version", "metric", "bucket"):
        frame[col] = frame[col].astype("str")
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[us]")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["n_rows"] = frame["n_rows"].astype("int64")
    return frame


# --------------------------------------------------------------------------- drift


@dataclass(frozen=True)
class Comparable:
    """The two populations a like-for-like drift figure compares.

    ``reference_weights`` re-weight the reference rows (training examples) to the compared
    rows' mix of snapshot ages; ``compared_mask`` picks the open leads within the age
    tolerance of a snapshot age that the reference also has.
    """

    reference_mask: np.ndarray
    reference_weights: np.ndarray
    compared_mask: np.ndarray
    snapshot_ages: tuple[int, ...]
    tolerance_days: int

    @property
    def reference_rows(self) -> int:
        return int(self.reference_mask.sum())

    @property
    def compared_rows(self) -> int:
        return int(self.compared_mask.sum())


def nearest_snapshot(ages: Any, snapshot_ages: Sequence[int], tolerance_days: int) -> np.ndarray:
    """Each age's nearest snapshot age, or -1 when none is within ``tolerance_days``."""
    a = np.asarray(pd.to_numeric(pd.Series(ages), errors="coerce"), dtype=np.float64)
    snaps = np.asarray(sorted(set(int(s) for s in snapshot_ages)), dtype=np.float64)
    if len(snaps) == 0:
        raise ValueError("no training snapshot ages (policy_training_cutoffs) to compare at")
    dist = np.abs(a[:, None] - snaps[None, :])
    best = dist.argmin(axis=1)
    near = np.take_along_axis(dist, best[:, None], axis=1)[:, 0]
    out = np.where(np.isnan(a) | (near > tolerance_days), -1, snaps[best])
    return out.astype(np.int64)


def comparable_populations(
    reference_ages: Any,
    compared_ages: Any,
    snapshot_ages: Sequence[int],
    tolerance_days: int,
) -> Comparable:
    """Which reference and compared rows to compare, and the reference weights."""
    ref_bucket = nearest_snapshot(reference_ages, snapshot_ages, tolerance_days)
    cur_bucket = nearest_snapshot(compared_ages, snapshot_ages, tolerance_days)
    ref_counts = pd.Series(ref_bucket[ref_bucket >= 0]).value_counts()
    cur_mask = (cur_bucket >= 0) & np.isin(cur_bucket, ref_counts.index.to_numpy())
    cur_counts = pd.Series(cur_bucket[cur_mask]).value_counts()
    ref_mask = np.isin(ref_bucket, cur_counts.index.to_numpy())
    weights = np.zeros(len(ref_bucket), dtype=np.float64)
    if cur_mask.any():
        share = (cur_counts / cur_counts.sum()) / (ref_counts[cur_counts.index] / ref_counts.sum())
        weights[ref_mask] = pd.Series(ref_bucket[ref_mask]).map(share).to_numpy(float)
    return Comparable(
        reference_mask=ref_mask,
        reference_weights=weights,
        compared_mask=cur_mask,
        snapshot_ages=tuple(sorted(set(int(s) for s in snapshot_ages))),
        tolerance_days=int(tolerance_days),
    )


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    cum = cum / cum[-1]
    return np.interp(qs, cum, v)


def weighted_psi(
    expected: Any,
    actual: Any,
    expected_weights: Any = None,
    *,
    kind: str = "numeric",
    n_bins: int = 10,
    eps: float = 1e-4,
) -> float:
    """PSI of ``actual`` against a (weighted) ``expected`` sample.

    Numeric: bins at the expected (weighted) deciles, missing values a bin of their own.
    Categorical or boolean: one bin per value (missing included). Shares below ``eps`` are
    clipped so an empty bin counts as a large but finite shift. NaN when a side is empty.
    """
    e = pd.Series(expected).reset_index(drop=True)
    a = pd.Series(actual).reset_index(drop=True)
    w = (
        np.ones(len(e))
        if expected_weights is None
        else np.asarray(expected_weights, dtype=np.float64)
    )
    if len(e) == 0 or len(a) == 0 or w.sum() <= 0:
        return float("nan")
    if kind == "numeric":
        ev = pd.to_numeric(e, errors="coerce").to_numpy(float)
        av = pd.to_numeric(a, errors="coerce").to_numpy(float)
        present = ~np.isnan(ev)
        if present.any() and w[present].sum() > 0:
            qs = np.linspace(0, 1, n_bins + 1)[1:-1]
            edges = np.unique(_weighted_quantiles(ev[present], w[present], qs))
        else:
            edges = np.array([], dtype=float)
        e_bin = np.where(np.isnan(ev), -1, np.searchsorted(edges, ev, side="right"))
        a_bin = np.where(np.isnan(av), -1, np.searchsorted(edges, av, side="right"))
        e_key, a_key = pd.Series(e_bin), pd.Series(a_bin)
    else:
        e_key = e.astype("object").where(e.notna(), "<missing>").astype(str)
        a_key = a.astype("object").where(a.notna(), "<missing>").astype(str)
    e_share = pd.Series(w).groupby(e_key.to_numpy()).sum() / w.sum()
    a_share = a_key.value_counts() / len(a_key)
    bins = e_share.index.union(a_share.index)
    es = np.clip(e_share.reindex(bins, fill_value=0).to_numpy(float), eps, None)
    ac = np.clip(a_share.reindex(bins, fill_value=0).to_numpy(float), eps, None)
    return float(np.sum((ac - es) * np.log(ac / es)))


def describe_populations(
    comp: Comparable, reference_total: int, compared_total: int
) -> tuple[str, str]:
    """The two populations in words, for the mart's columns."""
    ages = ", ".join(str(a) for a in comp.snapshot_ages)
    reference = (
        f"training examples at snapshot ages {ages} days, weighted to the open leads' age "
        f"mix: {comp.reference_rows:,} of {reference_total:,} examples"
    )
    compared = (
        f"open leads at the scoring clock within {comp.tolerance_days} days of a snapshot "
        f"age: {comp.compared_rows:,} of {compared_total:,} open leads"
    )
    return reference, compared


DRIFT_COLUMNS = [
    "monitor",
    "subject",
    "value",
    "reference_rows",
    "compared_rows",
    "reference_population",
    "compared_population",
]


def feature_drift(
    reference: pd.DataFrame,
    compared: pd.DataFrame,
    kinds: Mapping[str, str],
    snapshot_ages: Sequence[int],
    tolerance_days: int,
    *,
    age_column: str = "lead_age_days",
) -> pd.DataFrame:
    """PSI per feature, training examples vs today's open leads at comparable ages.

    ``reference``: training examples (features, ``age_column``); ``compared``: open leads
    at the scoring clock (same features). ``kinds``: feature -> numeric / categorical /
    boolean (the catalog's kinds); features absent from either side are skipped. The age
    feature itself is not a monitor (it is what the comparison holds equal).
    """
    for name, frame in (("training examples", reference), ("open leads", compared)):
        if age_column not in frame:
            raise KeyError(f"{name} have no {age_column!r} column to compare ages by")
    comp = comparable_populations(
        reference[age_column], compared[age_column], snapshot_ages, tolerance_days
    )
    ref_rows = reference[comp.reference_mask]
    weights = comp.reference_weights[comp.reference_mask]
    cur_rows = compared[comp.compared_mask]
    ref_text, cur_text = describe_populations(comp, len(reference), len(compared))
    rows = []
    for feature, kind in kinds.items():
        if feature == age_column or feature not in reference or feature not in compared:
            continue
        psi = weighted_psi(
            ref_rows[feature],
            cur_rows[feature],
            weights,
            kind="numeric" if kind == "numeric" else "categorical",
        )
        rows.append(("feature_psi", feature, psi, len(ref_rows), len(cur_rows), ref_text, cur_text))
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


def score_drift_like_for_like(
    reference_scores: Any,
    reference_ages: Any,
    compared_scores: Any,
    compared_ages: Any,
    snapshot_ages: Sequence[int],
    tolerance_days: int,
) -> pd.DataFrame:
    """PSI of the champion's 0-100 score: training examples vs open leads, same ages.

    Both sides are scored by the same model (the champion), so the figure moves only when
    the leads do, not when the age mix does.
    """
    comp = comparable_populations(reference_ages, compared_ages, snapshot_ages, tolerance_days)
    ref = pd.Series(np.asarray(reference_scores, dtype=float))[comp.reference_mask]
    cur = pd.Series(np.asarray(compared_scores, dtype=float))[comp.compared_mask]
    psi = weighted_psi(ref, cur, comp.reference_weights[comp.reference_mask])
    ref_text, cur_text = describe_populations(
        comp, len(comp.reference_mask), len(comp.compared_mask)
    )
    return pd.DataFrame(
        [("score_psi", "score", psi, len(ref), len(cur), ref_text, cur_text)],
        columns=DRIFT_COLUMNS,
    )


# --------------------------------------------------------------------------- trigger

#: The early-outcome monitors: a run at least min_age_days old whose horizon has not matured
#: (:func:`early_outcome_monitors`).
CALIBRATION_EARLY = "calibration_early"
SEGMENT_EARLY = "segment_win_rate_early"
#: Monitors whose breach names a segment (retrain_reason segment_shift:<segment>).
SEGMENT_MONITORS = ("segment_win_rate", SEGMENT_EARLY)

#: Which breach names the retrain when several breach: outcomes first, then drift.
TRIGGER_ORDER = (
    "realised_auc_drop",
    "calibration_in_the_large",
    "segment_win_rate",
    CALIBRATION_EARLY,
    SEGMENT_EARLY,
    "score_psi",
    "feature_psi",
)


#: Monitors whose evidence is conversions of leads whose label horizon has not matured.
EARLY_MONITORS = (CALIBRATION_EARLY, SEGMENT_EARLY)


def monitor_trigger(
    monitoring: pd.DataFrame | None,
    champion_version: str | None,
    newest_trained_at: pd.Timestamp | None,
    as_of: pd.Timestamp,
    *,
    newest_data_end: pd.Timestamp | None = None,
    horizon_days: int | None = None,
) -> tuple[str, str] | None:
    """(retrain_reason, detail) when the previous build's monitors call for a challenger.

    ``monitoring``: the ``model_monitoring`` table as the previous build left it. Its newest
    measurement at or before ``as_of`` counts; a breach with ``on_breach = retrain`` fires
    unless a model trained at or after that measurement answered it. A drift or matured
    outcome breach is answered by any such model (it learnt from the outcomes matured by
    then). An early-outcome breach (:data:`EARLY_MONITORS`) judges conversions of leads whose
    horizon has not matured, which a model trained on matured labels only cannot have seen:
    it is answered only when that model's newest training cutoff (``newest_data_end``, the
    registry's holdout_end or train_end) is at or after the measurement minus
    ``horizon_days``, the oldest run an early monitor judges; when either is unknown it is
    not answered. Drift monitors judge the champion, so they fire only while it is still
    the champion; outcome monitors (matured or early) judge the market's outcomes and fire
    whichever model they measured. Reason: ``segment_shift:<segment>`` for a segment's win
    rate (matured or early), else ``drift:<monitor>``.
    """
    if monitoring is None or monitoring.empty or champion_version is None:
        return None
    measured = pd.to_datetime(monitoring["measured_at"])
    rows = monitoring[measured <= pd.Timestamp(as_of)]
    if rows.empty:
        return None
    newest = pd.to_datetime(rows["measured_at"]).max()
    rows = rows[pd.to_datetime(rows["measured_at"]) == newest]
    if newest_trained_at is not None and pd.Timestamp(newest_trained_at) >= newest:
        saw_it = (
            newest_data_end is not None
            and horizon_days is not None
            and pd.Timestamp(newest_data_end) >= newest - pd.Timedelta(days=horizon_days)
        )
        if not saw_it:
            rows = rows[rows["monitor"].isin(EARLY_MONITORS)]
        else:
            return None
    breach = rows[(rows["status"] == "breach") & (rows["on_breach"] == "retrain")]
    is_outcome = breach["subject"] == "outcomes"
    breach = breach[is_outcome | (breach["model_version"] == champion_version)]
    if breach.empty:
        return None
    rank = {m: i for i, m in enumerate(TRIGGER_ORDER)}
    breach = breach.assign(
        _rank=breach["monitor"].map(rank).fillna(len(rank)),
        _excess=pd.to_numeric(breach["value"]) / pd.to_numeric(breach["breach_at"]),
    ).sort_values(["_rank", "_excess"], ascending=[True, False], kind="stable")
    top = breach.iloc[0]
    monitor = str(top["monitor"])
    reason = (
        f"segment_shift:{top['segment']}" if monitor in SEGMENT_MONITORS else f"drift:{monitor}"
    )
    others = len(breach) - 1
    detail = (
        f"{monitor} {top['subject']}/{top['segment']} = {float(top['value']):.3f} breached "
        f"{float(top['breach_at']):g} (policy_monitoring) at {newest}"
        + (f"; {others} more breach(es)" if others else "")
    )
    return reason, detail


def same_rows_comparison(
    holdout: pd.DataFrame | None,
    examples: pd.DataFrame,
    champion_predict: Any,
    champion_trained_at: pd.Timestamp,
    horizon_days: int,
    min_rows: int,
) -> tuple[dict[str, float], dict[str, float], int] | None:
    """Challenger and champion measured on the same most recent matured outcomes.

    Rows: the challenger's holdout (its evaluation model's out-of-sample predictions) whose
    label matured after the champion was trained (cutoff + horizon > champion's trained_at),
    so the champion never saw them either. The champion predicts them from their features
    (``examples`` joined on lead_id and cutoff_at). None when fewer than ``min_rows`` rows or
    one class only: the caller falls back to each model's own holdout figures.
    """
    from leadscore.ml.metrics import summary

    keys = ["lead_id", "cutoff_at"]
    if holdout is None or holdout.empty or not set(keys) <= set(examples.columns):
        return None
    if not set(keys) <= set(holdout.columns):
        return None
    matured = pd.to_datetime(holdout["cutoff_at"]) + pd.Timedelta(days=horizon_days)
    recent = holdout[matured > pd.Timestamp(champion_trained_at)]
    if len(recent) < min_rows or recent["label"].nunique() < 2:
        return None
    left = recent[[*keys, "label", "probability"]].assign(
        lead_id=lambda f: f["lead_id"].astype(str),
        cutoff_at=lambda f: pd.to_datetime(f["cutoff_at"]),
    )
    right = examples.drop(columns=["label"], errors="ignore").assign(
        lead_id=lambda f: f["lead_id"].astype(str),
        cutoff_at=lambda f: pd.to_datetime(f["cutoff_at"]),
    )
    rows = left.merge(right, on=keys, how="inner")
    if len(rows) < min_rows:
        return None
    y = rows["label"].to_numpy(float)
    challenger = summary(y, rows["probability"].to_numpy(float))
    champion = summary(y, np.asarray(champion_predict(rows), dtype=float))
    return challenger, champion, len(rows)


# --------------------------------------------------------------------------- early outcomes

#: A snapshot age needs this many matured conversions for its own timing curve; an age
#: with fewer uses the curve of every snapshot age pooled.
MIN_TIMING_CONVERSIONS = 30
#: The columns of :func:`early_outcome_monitors` (the drift columns and the segment).
EARLY_COLUMNS = [*DRIFT_COLUMNS[:2], "segment", *DRIFT_COLUMNS[2:]]


@dataclass(frozen=True)
class ConversionTiming:
    """G(t | a): the share of a horizon's conversions that have happened ``t`` days after a
    snapshot of a lead aged ``a`` days, estimated from matured training examples.

    ``days``: per snapshot age, the sorted days from the cutoff to the opportunity of the
    examples that converted within the horizon; ``pooled``: all of them. A lead is timed by
    the curve of the snapshot age nearest its own age (the lower one on a tie; the oldest
    snapshot for leads older than every snapshot), or by the pooled curve when that age has
    fewer than ``min_conversions``.
    """

    horizon_days: int
    days: Mapping[int, np.ndarray]
    pooled: np.ndarray
    min_conversions: int = MIN_TIMING_CONVERSIONS

    @property
    def conversions(self) -> int:
        return len(self.pooled)

    def share(self, elapsed_days: float, lead_ages: Any) -> np.ndarray:
        """G(elapsed_days | age) for each lead age (days at the scoring run's clock)."""
        ages = np.asarray(pd.to_numeric(pd.Series(lead_ages), errors="coerce"), dtype=float)
        if elapsed_days >= self.horizon_days:
            return np.ones(len(ages))
        if self.conversions == 0:
            return np.full(len(ages), np.nan)

        def cdf(values: np.ndarray) -> float:
            return float(np.searchsorted(values, elapsed_days, side="right") / len(values))

        out = np.full(len(ages), cdf(self.pooled))
        if not self.days:
            return out
        bucket = nearest_snapshot(ages, list(self.days), tolerance_days=np.iinfo(np.int32).max)
        for snap, values in self.days.items():
            if len(values) >= self.min_conversions:
                out[bucket == snap] = cdf(values)
        return out


def conversion_timing(
    examples: pd.DataFrame,
    horizon_days: int,
    *,
    min_conversions: int = MIN_TIMING_CONVERSIONS,
    age_column: str = "lead_age_days",
) -> ConversionTiming:
    """G from matured training examples: ``age_column`` (the snapshot age) and
    ``days_to_conversion`` (days from the cutoff to the opportunity; null or outside
    (0, horizon] for an example that did not convert within the horizon)."""
    for col in (age_column, "days_to_conversion"):
        if col not in examples:
            raise KeyError(f"conversion_timing needs a {col!r} column in the training examples")
    days = pd.to_numeric(examples["days_to_conversion"], errors="coerce")
    all_ages = pd.to_numeric(examples[age_column], errors="coerce").round()
    keep = days.notna() & (days > 0) & (days <= horizon_days) & all_ages.notna()
    ages = all_ages[keep].astype("int64").to_numpy()
    values = days[keep].to_numpy(float)
    per_age = {
        int(age): np.sort(values[ages == int(age)]) for age in sorted(all_ages.dropna().unique())
    }
    return ConversionTiming(int(horizon_days), per_age, np.sort(values), int(min_conversions))


def early_run(
    history: pd.DataFrame, as_of: pd.Timestamp, horizon_days: int, min_age_days: int
) -> pd.Series | None:
    """The newest scoring run at least ``min_age_days`` old at ``as_of`` whose horizon has
    not matured (one row of history's scoring_run_id, as_of, model_version), or None."""
    if history.empty:
        return None
    runs = history[["scoring_run_id", "as_of", "model_version"]].drop_duplicates()
    age = (pd.Timestamp(as_of) - pd.to_datetime(runs["as_of"])) / pd.Timedelta(days=1)
    runs = runs[(age >= min_age_days) & (age < horizon_days)]
    if runs.empty:
        return None
    return runs.sort_values(["as_of", "scoring_run_id"], kind="stable").iloc[-1]


def judged_runs(
    history: pd.DataFrame,
    as_of: pd.Timestamp,
    horizon_days: int,
    min_age_days: int,
    *,
    pool: bool = True,
) -> pd.DataFrame:
    """The scored rows an early monitor judges at ``as_of``, one per lead.

    The judged model is the one of the newest run at least ``min_age_days`` old whose
    horizon has not matured (:func:`early_run`). With ``pool``, every run of that model in
    that age range counts and each lead is judged once, at the *oldest* of those runs that
    scored it, on everything that happened since. Not at the newest: a lead that converts
    between two runs is no longer open at the second, so judging each lead at its newest
    run keeps the converters' earlier months and drops the non-converters' (in the 30k
    no-shift replay, 449 conversions against 248 promised instead of about as many).
    Without ``pool``, only the newest run. Empty when no run is in the range.
    """
    run = early_run(history, as_of, horizon_days, min_age_days)
    if run is None:
        return history.iloc[:0]
    if not pool:
        return history[history["scoring_run_id"] == run["scoring_run_id"]]
    age = (pd.Timestamp(as_of) - pd.to_datetime(history["as_of"])) / pd.Timedelta(days=1)
    rows = history[
        (age >= min_age_days)
        & (age < horizon_days)
        & (history["model_version"].astype(str) == str(run["model_version"]))
    ]
    rows = rows.sort_values(["as_of", "scoring_run_id"], kind="stable")
    return rows.drop_duplicates("lead_id", keep="first")


def early_expectations(
    scored: pd.DataFrame, timing: ConversionTiming, run_as_of: pd.Timestamp, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Per lead of a run not yet matured: what its score promised so far and what happened.

    ``scored``: the run's leads with ``conversion_probability``, ``lead_age_days`` (at the
    run's clock) and ``opportunity_at``. Adds ``expected`` = p x G(days since the run | age)
    and ``converted`` = 1 when the opportunity came after the run's clock and by ``as_of``.
    """
    elapsed = (pd.Timestamp(as_of) - pd.Timestamp(run_as_of)) / pd.Timedelta(days=1)
    p = pd.to_numeric(scored["conversion_probability"], errors="coerce").to_numpy(float)
    share = timing.share(elapsed, scored["lead_age_days"])
    opp = pd.to_datetime(scored["opportunity_at"])
    converted = (opp > pd.Timestamp(run_as_of)) & (opp <= pd.Timestamp(as_of))
    return scored.assign(
        elapsed_days=elapsed,
        timing_share=share,
        expected=p * share,
        converted=converted.fillna(False).astype("int64").to_numpy(),
    )


#: The columns of :func:`segment_reference`, indexed by segment.
REFERENCE_COLUMNS = ["ratio", "ratio_variance", "rows", "leads"]


def _segment_values(frame: pd.DataFrame, dim: str) -> pd.Series:
    if dim not in frame:
        raise KeyError(f"no segment column {dim!r}")
    return frame[dim].astype("object").where(frame[dim].notna(), "unknown").astype(str)


def segment_reference(holdout: pd.DataFrame, segments: Sequence[str]) -> pd.DataFrame:
    """Each segment's actual/predicted ratio in a model's own holdout, relative to the holdout.

    ``holdout``: the model's out-of-sample rows at training time (``lead_id``, ``label``,
    ``probability``) with the segment columns. The probabilities are rescaled by the
    holdout's own ratio (as the monitors rescale a run's), so ``ratio`` is how far the
    segment departed from the model's holdout as a whole when nothing had changed: a standing
    bias. ``ratio_variance`` is its sampling variance, clustered by lead (a lead's snapshots
    at several ages share one outcome): sum over leads of (conversions - expected)^2, over
    expected^2. Index: ``<dim>=<value>``; columns REFERENCE_COLUMNS.
    """
    y = pd.to_numeric(holdout["label"], errors="coerce").to_numpy(float)
    p = pd.to_numeric(holdout["probability"], errors="coerce").to_numpy(float)
    keep = ~(np.isnan(y) | np.isnan(p))
    frame = holdout[keep]
    y, p = y[keep], p[keep]
    overall = y.sum() / p.sum() if p.sum() > 0 else 1.0
    e = np.minimum(p * overall, 1.0)
    base = pd.DataFrame(
        {"lead_id": frame["lead_id"].astype(str).to_numpy(), "o": y, "e": e, "r": y - e}
    )
    rows = []
    for dim in segments:
        values = _segment_values(frame, dim).to_numpy()
        per_lead = base.assign(segment=[f"{dim}={v}" for v in values]).groupby(
            ["segment", "lead_id"], sort=False
        )
        leads = per_lead.agg(o=("o", "sum"), e=("e", "sum"), r=("r", "sum"), n=("o", "size"))
        for segment, cell in leads.groupby(level="segment", sort=True):
            big_e = float(cell["e"].sum())
            ratio = float(cell["o"].sum()) / big_e if big_e > 0 else float("nan")
            variance = float((cell["r"] ** 2).sum()) / big_e**2 if big_e > 0 else float("nan")
            rows.append((segment, ratio, variance, int(cell["n"].sum()), len(cell)))
    out = pd.DataFrame(rows, columns=["segment", *REFERENCE_COLUMNS])
    return out.set_index("segment")


def segment_change_z(
    observed: float,
    expected: float,
    variance: float,
    reference_ratio: float = 1.0,
    reference_variance: float = 0.0,
) -> float:
    """z of the change of a segment's actual/expected ratio against a reference ratio.

    ``observed``, ``expected``, ``variance``: the segment's conversions, its expected
    conversions (rescaled by its population's own ratio) and their variance under the model
    (sum of e(1 - e)); the ratio O/E has variance ``variance`` / E^2. ``reference_ratio``
    and ``reference_variance``: the same ratio in the model's holdout and its variance
    (:func:`segment_reference`). Signed: positive when the segment converts more than its
    reference. NaN when there is nothing to compare.

    With the defaults (no reference) it is :func:`poisson_tail_z`: the z of the exact Poisson
    tail of O conversions against E expected, not the normal (O - E) / sqrt(variance), which
    overstates a surplus of the few conversions young leads have made (O = 16 against
    E = 6.5: 3.71, where the exact tail is that of 3.03).
    """
    if not expected > 0 or not variance > 0:
        return float("nan")
    if reference_ratio == 1.0 and not reference_variance:
        return poisson_tail_z(observed, expected)
    ref_ratio = 1.0 if reference_ratio != reference_ratio else float(reference_ratio)
    ref_var = 0.0 if reference_variance != reference_variance else float(reference_variance)
    total = variance / expected**2 + ref_var
    return float((observed / expected - ref_ratio) / np.sqrt(total))


def poisson_tail_z(observed: float, expected: float) -> float:
    """The normal z whose tail equals the Poisson tail of ``observed`` counts against mean
    ``expected``: P(X >= O) for a surplus, P(X <= O) for a shortfall (signed: positive for a
    surplus), in the Wilson-Hilferty form (within about 0.01 of the exact tail for O of 5 and
    more). model_monitoring.sql computes the same expression for the matured monitor."""
    if not expected > 0:
        return float("nan")
    o = max(float(observed), 0.0)
    if o > expected:
        k = o
        return float(3 * np.sqrt(k) * (1 - 1 / (9 * k) - (expected / k) ** (1 / 3)))
    k = o + 1
    return float(3 * np.sqrt(k) * (1 - 1 / (9 * k) - (expected / k) ** (1 / 3)))


def family_threshold(segments: int, alpha: float) -> float:
    """The |z| a segment must reach so that the chance of any of ``segments`` segments
    reaching it by chance is at most ``alpha`` (Bonferroni, two-sided)."""
    from statistics import NormalDist

    if segments < 1 or not 0 < alpha < 1:
        raise ValueError(f"family_threshold needs segments >= 1 and 0 < alpha < 1: {alpha!r}")
    return float(NormalDist().inv_cdf(1 - alpha / (2 * segments)))


def early_outcome_monitors(
    leads: pd.DataFrame,
    segments: Sequence[str],
    *,
    run_as_of: pd.Timestamp,
    horizon_days: int,
    timing_conversions: int,
    reference: pd.DataFrame | None = None,
    max_age_days: float | None = None,
) -> pd.DataFrame:
    """calibration_early and segment_win_rate_early rows (DRIFT_COLUMNS) of the judged leads.

    ``leads``: :func:`early_expectations`' frame with the segment columns (one or several
    runs: ``elapsed_days`` may differ per lead; ``run_as_of`` is the newest judged run).
    Run level: |conversions so far / expected so far - 1| of every judged lead. Per segment,
    on the leads at most ``max_age_days`` old at their run (the ages the model was trained
    and validated at; None: all): |z| of the segment's conversions so far against its
    expected ones rescaled by those leads' own conversions/expected ratio, so a segment
    alarms when it departs from the rest. With a ``reference`` (:func:`segment_reference`,
    the judged model's holdout) the z tests the *change* of the segment's ratio against the
    ratio it had in that holdout (:func:`segment_change_z`), so a standing bias of the model
    is not a shift; a segment absent from the reference is tested against 1.
    """
    frame = leads[pd.notna(leads["expected"])]
    elapsed = pd.to_numeric(frame["elapsed_days"], errors="coerce")
    observed, expected = float(frame["converted"].sum()), float(frame["expected"].sum())
    ratio = observed / expected if expected > 0 else float("nan")
    if len(frame) and elapsed.min() != elapsed.max():
        when = (
            f"the runs up to {pd.Timestamp(run_as_of)}, {elapsed.min():.0f}-"
            f"{elapsed.max():.0f} of {horizon_days} days after them (each lead at its newest)"
        )
    else:
        days = f"{elapsed.iloc[0]:.0f}" if len(frame) else "nan"
        when = f"the run at {pd.Timestamp(run_as_of)}, {days} of {horizon_days} days after it"
    timing_text = f"G from {timing_conversions:,} matured training conversions"
    rows = [
        (
            CALIBRATION_EARLY,
            "outcomes",
            "all",
            abs(ratio - 1) if expected > 0 else float("nan"),
            timing_conversions,
            len(frame),
            f"conversions so far promised by {when} (sum of p x G, {timing_text}): {expected:.1f}",
            f"conversions so far of the same {len(frame):,} leads: {observed:.0f}",
        )
    ]
    young = frame
    if max_age_days is not None:
        ages = pd.to_numeric(frame["lead_age_days"], errors="coerce")
        young = frame[ages <= max_age_days]
    age_text = "" if max_age_days is None else f" at most {max_age_days:g} days old at their run"
    y_obs, y_exp = float(young["converted"].sum()), float(young["expected"].sum())
    y_ratio = y_obs / y_exp if y_exp > 0 else float("nan")
    rescaled = young.assign(
        _e=np.minimum(
            young["expected"].to_numpy(float) * (y_ratio if y_ratio == y_ratio else 1.0), 1.0
        )
    )
    for dim in segments:
        if dim not in rescaled:
            raise KeyError(f"early outcomes have no segment column {dim!r}")
        values = _segment_values(rescaled, dim)
        for value, cell in rescaled.groupby(values, sort=True):
            segment = f"{dim}={value}"
            e = cell["_e"].to_numpy(float)
            o, big_e = float(cell["converted"].sum()), float(e.sum())
            var = float((e * (1 - e)).sum())
            ref_text = ""
            if reference is not None and segment in reference.index:
                ref = reference.loc[segment]
                z = segment_change_z(o, big_e, var, ref["ratio"], ref["ratio_variance"])
                ref_text = (
                    f"; its actual/predicted ratio in the model's holdout: {ref['ratio']:.2f} "
                    f"({int(ref['leads']):,} leads)"
                )
            else:
                z = segment_change_z(o, big_e, var)
                if reference is not None:
                    ref_text = "; not in the model's holdout (compared with 1)"
            rows.append(
                (
                    SEGMENT_EARLY,
                    "outcomes",
                    segment,
                    abs(z),
                    timing_conversions,
                    len(cell),
                    f"conversions so far the segment's scores promised in {when}, rescaled by "
                    f"the ratio of the leads{age_text} ({y_ratio:.2f}): {big_e:.1f}{ref_text}",
                    f"conversions so far of the segment's {len(cell):,} leads{age_text}: {o:.0f} "
                    f"(ratio {o / big_e if big_e > 0 else float('nan'):.2f})",
                )
            )
    return pd.DataFrame(rows, columns=EARLY_COLUMNS)
