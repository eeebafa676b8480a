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


#: a lead's main product interest as of each scoring run: the rule of
#: int_lead_features_point_in_time (macros/product_lines.sql) on the signals dated before it
PRODUCT_LINE_AT_RUN = """
with runs as (select distinct as_of from lead_score_history),
counts as (
    select runs.as_of, s.lead_id, s.product_line, count(*) as n, max(s.signal_at) as latest
    from runs inner join int_lead_product_signals as s on s.signal_at < runs.as_of
    group by runs.as_of, s.lead_id, s.product_line
),
ranked as (
    select *, row_number() over (
        partition by as_of, lead_id order by n desc, latest desc, product_line
    ) as interest_rank
    from counts
)
select as_of, lead_id, product_line from ranked where interest_rank = 1
"""


def with_segments_at_run(frame: pd.DataFrame, at_run: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows with as_of and lead_id) with product_line as of each row's run
    ('unknown' before any signal), as a build whose history kept it would judge it."""
    keyed = at_run.assign(
        as_of=pd.to_datetime(at_run["as_of"]), lead_id=at_run["lead_id"].astype(str)
    )
    out = frame.drop(columns=["product_line"], errors="ignore").assign(
        as_of=lambda f: pd.to_datetime(f["as_of"]), lead_id=lambda f: f["lead_id"].astype(str)
    )
    out = out.merge(keyed, on=["as_of", "lead_id"], how="left")
    out["product_line"] = out["product_line"].fillna("unknown")
    return out


def cohort(
    path: Path, run: str, judge: str, since: str, *, segments_at_run: bool = False
) -> pd.DataFrame:
    """Per product line: the leads created since ``since`` that the run at ``run`` scored,
    their conversions in (run, judge], what the run promised (the sum of their 90-day
    probabilities) and the lines' ratios relative to all of them; the line is today's
    (dim_leads) or, with ``segments_at_run``, as of the run."""
    line = (
        f"(select lead_id, product_line from ({PRODUCT_LINE_AT_RUN}) "
        f"where as_of = timestamp '{run}')"
        if segments_at_run
        else "(select lead_id, product_line from dim_leads)"
    )
    with duckdb.connect(str(path), read_only=True) as con:
        frame = con.sql(
            f"""
            select coalesce(line.product_line, 'unknown') as product_line, count(*) as leads,
                count(case when f.opportunity_at > h.as_of
                    and f.opportunity_at <= timestamp '{judge}' then 1 end) as conversions,
                sum(h.conversion_probability) as promised
            from lead_score_history as h
            inner join dim_leads as d on h.lead_id = d.lead_id
            left join fct_lead_funnel as f on h.lead_id = f.lead_id
            left join {line} as line on h.lead_id = line.lead_id
            where h.as_of = timestamp '{run}' and h.score_status = 'scored'
                and d.created_at >= timestamp '{since}'
            group by 1 order by 1
            """
        ).df()
    overall = frame["conversions"].sum() / frame["promised"].sum()
    return frame.assign(relative_ratio=frame["conversions"] / frame["promised"] / overall)


def load(path: Path, *, segments_at_run: bool = False) -> dict[str, pd.DataFrame]:
    """The tables the rules read, in one read-only connection. ``segments_at_run``:
    product_line as each run saw it (signals dated before the run), not the warehouse's last
    value."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {
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
        at_run = con.sql(PRODUCT_LINE_AT_RUN).df() if segments_at_run else None
    if at_run is not None:
        tables["history"] = with_segments_at_run(tables["history"], at_run)
        tables["outcomes"] = with_segments_at_run(tables["outcomes"], at_run)
    return tables


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
    parser.add_argument(
        "--segments-at-run",
        action="store_true",
        help="judge product_line as each run saw it (signals dated before the run), not the "
        "warehouse's last value",
    )
    parser.add_argument(
        "--cohort",
        nargs=3,
        metavar=("RUN", "JUDGE", "SINCE"),
        help="instead: per product line, the leads created since SINCE that the run at RUN "
        "scored, their conversions up to JUDGE against the run's promise",
    )
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    if args.cohort:
        run, judge, since = args.cohort
        found = cohort(args.warehouse, run, judge, since, segments_at_run=args.segments_at_run)
        print(found.to_string(index=False))
        return
    tables = load(args.warehouse, segments_at_run=args.segments_at_run)
    policy = pd.read_csv(args.policy)
    if args.clock:
        clocks = [pd.Timestamp(c) for c in args.clock]
    else:
        runs = sorted(pd.to_datetime(tables["history"]["as_of"]).unique())
        clocks = [pd.Timestamp(c) for c in runs[1:]]
    rows = policy[policy["monitor"] == monitoring.SEGMENT_EARLY]
    min_rows = int(rows["min_rows"].iloc[-1])
    print(summary(tables, policy, clocks, args.watch, min_rows).to_string(index=False))


if __name__ == "__main__":
    main()
