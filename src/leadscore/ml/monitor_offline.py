"""The segment monitors' rules replayed offline on a finished replay warehouse.

``python -m leadscore.ml.monitor_offline WAREHOUSE [--clock 2026-03-01 ...]`` prints, per
build clock, each rule variant's largest segment |z| and the |z| of one watched segment. The
warehouse (``leadscore simulate``'s, opened read-only) holds every build's
``lead_score_history`` and ``ml_model_registry``; each clock sees only what a build at that
clock saw: runs before it, models trained by then, training examples whose label had
matured, opportunities by then. Segment values (``dim_leads``) are the warehouse's last
ones (a product line is a lead's main interest at the last clock).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from leadscore import pipeline
from leadscore.ml import monitoring

#: Rule variants: (name, pool the judged model's unmatured runs, only leads at training
#: ages, test the change against the model's holdout ratio).
VARIANTS = (
    ("one run, all ages (old rule)", False, False, False),
    ("one run, training ages", False, True, False),
    ("pooled, training ages", True, True, False),
    ("pooled, training ages, vs holdout", True, True, True),
)
SEGMENTS = ("industry", "size_tier", "channel", "product_line")


def load(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            "history": con.sql(
                "select scoring_run_id, as_of, model_version, lead_id, score_status, "
                "conversion_probability from lead_score_history"
            ).df(),
            "leads": con.sql(f"select lead_id, {', '.join(SEGMENTS)} from dim_leads").df(),
            "funnel": con.sql(
                "select lead_id, created_at, opportunity_at from fct_lead_funnel"
            ).df(),
            "examples": con.sql(
                "select lead_id, cutoff_at, lead_age_days, label from int_training_examples"
            ).df(),
            "registry": con.sql(
                "select model_version, trained_at, holdout_parquet from ml_model_registry"
            ).df(),
            "outcomes": con.sql(
                f"select as_of, lead_id, model_version, conversion_probability, converted, "
                f"{', '.join(SEGMENTS)} from fct_scored_lead_outcomes"
            ).df(),
            "horizon": con.sql("select horizon_days from int_label_policy").df(),
            "offsets": con.sql("select * from policy_training_cutoffs").df(),
        }
    finally:
        con.close()


def early_at(
    tables: dict[str, pd.DataFrame],
    policy: pd.DataFrame,
    clock: pd.Timestamp,
    *,
    pool: bool,
    ages: bool,
    reference: bool,
) -> pd.DataFrame:
    """segment_win_rate_early as a build at ``clock`` would have measured it."""
    horizon = int(tables["horizon"]["horizon_days"].iloc[0])
    history = tables["history"][pd.to_datetime(tables["history"]["as_of"]) < clock]
    examples = tables["examples"]
    matured = pd.to_datetime(examples["cutoff_at"]) + pd.Timedelta(days=horizon) <= clock
    examples = examples[matured]
    funnel = tables["funnel"].copy()
    late = pd.to_datetime(funnel["opportunity_at"]) > clock
    funnel.loc[late, "opportunity_at"] = pd.NaT
    registry = tables["registry"]
    registry = registry[pd.to_datetime(registry["trained_at"]) <= clock]
    if not ages:
        policy = policy.assign(age_tolerance_days=pd.NA)
    out = pipeline.early_outcomes_frame(
        history,
        tables["leads"],
        funnel,
        examples,
        horizon,
        policy,
        list(SEGMENTS),
        clock,
        registry if reference else None,
        offsets=tables["offsets"],
        pool=pool,
    )
    return out[out["monitor"] == monitoring.SEGMENT_EARLY]


def matured_at(
    tables: dict[str, pd.DataFrame],
    policy: pd.DataFrame,
    clock: pd.Timestamp,
    *,
    ages: bool,
    reference: bool,
) -> pd.DataFrame:
    """segment_win_rate (model_monitoring.sql's rule, here in Python) on the newest run whose
    horizon has matured by ``clock``: the same z with p in place of p x G."""
    horizon = int(tables["horizon"]["horizon_days"].iloc[0])
    outcomes = tables["outcomes"]
    run_at = pd.to_datetime(outcomes["as_of"])
    matured = outcomes[run_at + pd.Timedelta(days=horizon) <= clock]
    if matured.empty:
        return pd.DataFrame(columns=monitoring.EARLY_COLUMNS)
    newest = matured[pd.to_datetime(matured["as_of"]) == pd.to_datetime(matured["as_of"]).max()]
    created = tables["funnel"][["lead_id", "created_at"]].assign(
        lead_id=lambda f: f["lead_id"].astype(str)
    )
    frame = newest.assign(lead_id=lambda f: f["lead_id"].astype(str)).merge(created, on="lead_id")
    age = (pd.to_datetime(frame["as_of"]) - pd.to_datetime(frame["created_at"])) / pd.Timedelta(
        days=1
    )
    frame = frame.assign(
        lead_age_days=np.floor(age.to_numpy(float)),
        expected=frame["conversion_probability"],
        elapsed_days=float(horizon),
    )
    rows = policy[policy["monitor"] == "segment_win_rate"]
    max_age = None
    if ages:
        oldest = float(tables["offsets"]["days_after_created"].max())
        max_age = oldest + float(rows["age_tolerance_days"].iloc[-1])
    ref = None
    if reference:
        holdout = pipeline.holdout_segments(
            tables["registry"], str(frame["model_version"].iloc[0]), tables["leads"]
        )
        ref = None if holdout is None else monitoring.segment_reference(holdout, SEGMENTS)
    out = monitoring.early_outcome_monitors(
        frame,
        SEGMENTS,
        run_as_of=pd.Timestamp(frame["as_of"].iloc[0]),
        horizon_days=horizon,
        timing_conversions=0,
        reference=ref,
        max_age_days=max_age,
    )
    return out[out["segment"] != "all"]


def summary(
    tables: dict[str, pd.DataFrame],
    policy: pd.DataFrame,
    clocks: Sequence[pd.Timestamp],
    watched: str,
    min_rows: int,
) -> pd.DataFrame:
    rows = []
    for clock in clocks:
        variants = [("early: " + v[0], *v[1:]) for v in VARIANTS] + [
            ("matured: all ages (old rule)", None, False, False),
            ("matured: training ages", None, True, False),
            ("matured: training ages, vs holdout", None, True, True),
        ]
        for name, pool, ages, reference in variants:
            if pool is None:
                found = matured_at(tables, policy, clock, ages=ages, reference=reference)
            else:
                found = early_at(tables, policy, clock, pool=pool, ages=ages, reference=reference)
            found = found[found["compared_rows"] >= min_rows]
            if found.empty:
                rows.append((clock.date(), name, 0, float("nan"), "-", float("nan"), 0))
                continue
            top = found.sort_values("value", ascending=False).iloc[0]
            others = found[found["segment"] != watched]
            top_other = others.sort_values("value", ascending=False).iloc[0]
            mine = found[found["segment"] == watched]
            rows.append(
                (
                    clock.date(),
                    name,
                    len(found),
                    float(mine["value"].iloc[0]) if len(mine) else float("nan"),
                    f"{top_other['segment']} {top_other['value']:.2f}",
                    float(top["value"]),
                    int(mine["compared_rows"].iloc[0]) if len(mine) else 0,
                )
            )
    return pd.DataFrame(
        rows,
        columns=["clock", "rule", "segments", watched, "largest other", "largest", "rows"],
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument(
        "--clock",
        action="append",
        default=None,
        help="build clocks (default: the warehouse's run clocks after its first)",
    )
    parser.add_argument("--watch", default="product_line=attribution")
    parser.add_argument("--policy", type=Path, default=Path("seeds/policy/policy_monitoring.csv"))
    args = parser.parse_args(argv)
    tables = load(args.warehouse)
    policy = pd.read_csv(args.policy)
    if args.clock:
        clocks = [pd.Timestamp(c) for c in args.clock]
    else:
        runs = sorted(pd.to_datetime(tables["history"]["as_of"]).unique())
        clocks = [pd.Timestamp(c) for c in runs[1:]]
    rows = policy[policy["monitor"] == monitoring.SEGMENT_EARLY]
    min_rows = int(rows["min_rows"].iloc[-1])
    pd.set_option("display.width", 200)
    print(summary(tables, policy, clocks, args.watch, min_rows).to_string(index=False))


if __name__ == "__main__":
    main()
