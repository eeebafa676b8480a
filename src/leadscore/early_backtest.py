"""Offline comparison of the two label rules on a replay warehouse (issue 14).

At each training clock T: (a) today's way, ``train_and_evaluate`` on the examples matured
by T; (b) the early-label rule (:func:`leadscore.ml.early.train_early`) on every example at
least ``early_label_min_age_days`` old at T. Both score the leads created in the month after
T from their features at the next clock, judged with :mod:`leadscore.simulate`'s helpers
(ROC-AUC against the truth's 90-day outcome, next to the truth's own).

Inputs are exported from a copy of a replay warehouse (never the replay itself): the
training rows (int_lead_features_point_in_time, purpose 'train', with fct_lead_funnel's
opportunity_at) of a build whose clock is late enough that every cutoff the clocks need is
there, and ``new_leads_at_clock`` of the builds at the evaluation clocks.

    # on a copy, for each clock C of 2026-03-01 .. 2026-06-01:
    dbt run -q --select "int_scoring_clock+,+int_scoring_features" --vars '{"as_of": "C"}'
    python -m leadscore.early_backtest --export WAREHOUSE PREFIX C EVAL_DIR
    # then (KEY=VALUE overrides scoring_policy's early-label values):
    python -m leadscore.early_backtest WAREHOUSE TRAIN.parquet TRUTH_DIR EVAL_DIR PREFIX OUT.csv
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd

from leadscore import pipeline
from leadscore.config import PROJECT_DIR
from leadscore.ml.early import labels_at, train_early
from leadscore.ml.policy import FeatureSpec, ScoringPolicy
from leadscore.ml.runtime import Progress
from leadscore.ml.train import train_and_evaluate
from leadscore.simulate import evaluate, new_leads_at_clock, predictions, truth_outcomes

CLOCKS = ("2026-02-01", "2026-03-01", "2026-04-01")


def policy_and_spec(db: Path, as_of: pd.Timestamp) -> tuple[ScoringPolicy, FeatureSpec]:
    """The warehouse's label policy, grades and catalog with this checkout's scoring_policy
    seed (the early-label values of the code under test)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        frames = {
            name: con.sql(f"select * from {name}").df()
            for name in ("policy_label", "policy_grades", "int_feature_catalog")
        }
        labels = con.sql("select * from feature_value_labels").df()
    finally:
        con.close()
    seed = pd.read_csv(PROJECT_DIR / "seeds" / "ml" / "scoring_policy.csv", dtype=str)
    policy = pipeline.build_policy(seed, frames["policy_label"], frames["policy_grades"], as_of)
    spec = pipeline.build_spec(frames["int_feature_catalog"], "demo", labels)
    return policy, spec


def run(
    db: Path,
    train_path: Path,
    truth_dir: Path,
    eval_dir: Path,
    prefix: str,
    clocks: tuple[str, ...] = CLOCKS,
    early_values: dict[str, object] | None = None,
) -> pd.DataFrame:
    rows = pd.read_parquet(train_path)
    truth = truth_outcomes(db, truth_dir)
    out = []
    for clock in clocks:
        at = pd.Timestamp(clock)
        policy, spec = policy_and_spec(db, at)
        policy = replace(policy, **(early_values or {}))
        progress = Progress(f"{prefix} {clock}")
        matured = labels_at(rows, at, policy.horizon_days, policy.horizon_days)
        today = train_and_evaluate(
            pipeline.canonical_order(
                matured.drop(columns=["label_age_days", "matured", "opportunity_at"])
            ),
            spec,
            policy,
            trained_at=at,
            progress=progress,
        )
        early = train_early(
            pipeline.canonical_order(rows[pd.to_datetime(rows["cutoff_at"]) < at]),
            spec,
            policy,
            at,
            trained_at=at,
            progress=progress,
        )
        nxt = at + pd.DateOffset(months=1)
        feats = pd.read_parquet(eval_dir / f"{prefix}_eval_{nxt:%Y%m%d}.parquet")
        frame = predictions(feats, truth, {"today": today, "early": early})
        scores = evaluate(frame)
        out.append(
            {
                "clock": clock,
                "eval_leads": int(scores["leads"]),
                "eval_conversions": int(scores["conversions"]),
                "today_auc": round(scores["today"], 4),
                "early_auc": round(scores["early"], 4),
                "truth_auc": round(scores["truth"], 4),
                "today_holdout_auc": round(today.metrics["roc_auc"], 4),
                "today_holdout_ece": round(today.metrics["ece"], 4),
                "early_holdout_auc": round(early.metrics["roc_auc"], 4),
                "early_holdout_ece": round(early.metrics["ece"], 4),
                "early_partly_matured_rows": int(early.metrics["early_partly_matured_rows"]),
                "today_mean_p": round(float(frame["today"].mean()), 4),
                "early_mean_p": round(float(frame["early"].mean()), 4),
                "truth_mean_p": round(float(frame["truth"].mean()), 4),
                "actual_rate": round(float(frame["y"].mean()), 4),
                "_frame": frame,
            }
        )
        print({k: v for k, v in out[-1].items() if k != "_frame"}, flush=True)
    result = pd.DataFrame(out)
    pooled = evaluate(pd.concat(list(result.pop("_frame")), ignore_index=True))
    print(
        f"{prefix} pooled: {int(pooled['leads'])} leads, {int(pooled['conversions'])} conv.; "
        f"today {pooled['today']:.4f}, early {pooled['early']:.4f}, truth {pooled['truth']:.4f}",
        flush=True,
    )
    return result


def export(db: Path, prefix: str, clock: pd.Timestamp, out_dir: Path) -> None:
    """The month's new leads at ``clock`` (simulate's query) and, from the warehouse's own
    clock's build, its training rows with opportunity_at (PREFIX_train_<clock>.parquet)."""
    since = clock - pd.DateOffset(months=1)
    new_leads_at_clock(db, since, clock).to_parquet(
        out_dir / f"{prefix}_eval_{clock:%Y%m%d}.parquet"
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        train = con.sql(
            "select f.* exclude (inputs_fingerprint), l.opportunity_at, l.disqualified_at "
            "from int_lead_features_point_in_time f join fct_lead_funnel l using (lead_id) "
            "where f.purpose = 'train'"
        ).df()
    finally:
        con.close()
    train.to_parquet(out_dir / f"{prefix}_train_{clock:%Y%m%d}.parquet")


def main(argv: list[str]) -> None:
    if argv[0] == "--export":
        db, prefix, clock, out_dir = argv[1:5]
        export(Path(db), prefix, pd.Timestamp(clock), Path(out_dir))
        return
    db, train, truth, eval_dir, prefix, out = argv[:6]
    # the seed's early-label values unless given as KEY=VALUE after the six arguments
    defaults = ScoringPolicy()
    early: dict[str, object] = {}
    for extra in argv[6:]:
        key, value = extra.split("=", 1)
        early[key] = type(getattr(defaults, key))(value)
    result = run(Path(db), Path(train), Path(truth), Path(eval_dir), prefix, early_values=early)
    result.to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1:])
