"""The feature layer's floor and a pandas peer, for `leadscore bench` (issue 13, item 6).

Both compute the point-in-time feature table (`int_lead_features_point_in_time`: the
(lead, cutoff) rows of `int_lead_cutoffs` and their features) straight from a built
warehouse's core marts, so the project's feature layer can be timed against them:

- **the floor**: one hand-written DuckDB query, written into a scratch DuckDB file (the
  project writes its table too);
- **the pandas peer**: the core tables read through DuckDB as Arrow, then the same features in
  pandas/numpy, as an analyst's notebook would.
- **the project's own SQL** (`--engine project`): the compiled full-refresh SQL of
  `int_lead_cutoffs` and the feature model (`dbt compile --full-refresh`), run in this same
  harness, so its CPU time compares with the floor's like for like (dbt's run_results.json
  has wall times only, taken while other nodes run beside them).

Inputs, for both: `fct_lead_funnel`, `dim_leads`, `fct_lead_activities`, `fct_intent_signals`,
the `policy_training_cutoffs` seed, and two one-row parameters the project also computes in
nodes of their own: the scoring clock (`int_scoring_clock`) and the label policy in force
(`int_label_policy`). Those two are not part of the timed feature layer on either side
(see leadscore.bench.FEATURE_LAYER_NODES).

Each is a reference only if it is right: :func:`compare_with_project` checks the candidate
against the project's table with `except all` both ways (doubles rounded to ROUND_DECIMALS)
on every project column the candidate computes, the list read from the project table itself,
and names the project columns the candidate does not compute.

Run as a step of its own (the bench's launcher measures peak RSS):
`python -m leadscore.bench_floor --engine duckdb --db WAREHOUSE --scratch FILE --out JSON`.
The JSON holds wall and CPU seconds of the computation (CPU = user + system of the whole
process, every thread), the row count, and the check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from leadscore.bench import FEATURE_TABLE

ENGINES = ("duckdb", "pandas", "project")
CUTOFFS_MODEL = "int_lead_cutoffs"
PROJECT_CUTOFFS_TABLE = "project_cutoffs"
ROUND_DECIMALS = 6
FLOATING_TYPES = ("DOUBLE", "FLOAT", "REAL")
CANDIDATE_TABLE = "candidate_features"
# merged (cutoff, activity) or (cutoff, intent week) pairs per pandas chunk: bounds memory
PANDAS_CHUNK_PAIRS = 4_000_000


# --- the floor: one query ---------------------------------------------------------------------

FLOOR_SQL = """
with
clock as (select as_of from {s}.int_scoring_clock),
horizon as (select horizon_days from {s}.int_label_policy),
-- a training cutoff is kept once the horizon, or scoring_policy's early-label age, has passed
early as (
    select least(h.horizon_days, coalesce(nullif(max(
        case when p.key = 'early_label_min_age_days' then cast(p.value as integer) end
    ), 0), h.horizon_days)) as min_age_days
    from horizon as h, clock as c
    left join {s}.scoring_policy as p
        on p.effective_from is null or cast(p.effective_from as timestamp) <= c.as_of
    group by h.horizon_days
),
offsets as (
    select o.days_after_created
    from {s}.policy_training_cutoffs as o, clock
    where
        (o.effective_from is null or cast(o.effective_from as timestamp) <= clock.as_of)
        and (o.effective_to is null or cast(o.effective_to as timestamp) > clock.as_of)
),
snapshots as (
    select
        f.lead_id,
        f.created_at + cast(o.days_after_created as bigint) * interval 1 day as cutoff_at,
        f.opportunity_at,
        f.disqualified_at,
        h.horizon_days,
        e.min_age_days,
        c.as_of
    from {s}.fct_lead_funnel as f, offsets as o, horizon as h, early as e, clock as c
    where f.created_at is not null
),
cutoffs as (
    select
        lead_id,
        cast(cutoff_at as timestamp) as cutoff_at,
        'train' as purpose,
        case
            when opportunity_at <= cutoff_at + cast(horizon_days as bigint) * interval 1 day
                and opportunity_at <= as_of
                then 1
            else 0
        end as label
    from snapshots
    where
        cutoff_at < as_of
        and cutoff_at + cast(min_age_days as bigint) * interval 1 day <= as_of
        and (opportunity_at is null or opportunity_at > cutoff_at)
        and (disqualified_at is null or disqualified_at > cutoff_at)
    union all
    select f.lead_id, cast(c.as_of as timestamp), 'score', cast(null as integer)
    from {s}.fct_lead_funnel as f, clock as c
    where
        f.created_at <= c.as_of
        and (
            (f.current_stage_at <= c.as_of and f.is_open)
            or (
                (f.current_stage_at is null or f.current_stage_at > c.as_of)
                and (f.opportunity_at is null or f.opportunity_at > c.as_of)
                and (f.disqualified_at is null or f.disqualified_at > c.as_of)
            )
        )
),
keyed as (
    select
        md5(lead_id || '|' || purpose || '|' || cast(cutoff_at as varchar)) as cutoff_id,
        lead_id,
        cutoff_at,
        purpose,
        label
    from cutoffs
),
ages as (
    select
        k.cutoff_id,
        a.activity_type,
        a.engagement_category,
        a.is_engagement,
        cast(date_diff('minute', a.activity_at, k.cutoff_at) as double) / 1440.0 as age_days
    from keyed as k
    inner join {s}.fct_lead_activities as a
        on
            k.lead_id = a.lead_id
            and a.activity_at < k.cutoff_at
            and a.activity_at >= k.cutoff_at - interval 180 day
),
engagement as (
    select
        cutoff_id,
        count(*) filter (where is_engagement and age_days < 7) as eng_events_7d,
        count(*) filter (where is_engagement and age_days < 30) as eng_events_30d,
        count(*) filter (where is_engagement and age_days < 90) as eng_events_90d,
        count(*) filter (where is_engagement) as eng_events_180d,
        count(*) filter (
            where engagement_category in ('awareness', 'engagement', 'high_intent')
        ) as touches_180d,
        count(*) filter (
            where is_engagement
            and engagement_category in ('awareness', 'engagement', 'high_intent')
        ) as engaged_touches_180d,
        count(*) filter (where activity_type = 'email_opened' and age_days < 90)
            as email_opens_90d,
        count(*) filter (where activity_type = 'email_clicked' and age_days < 90)
            as email_clicks_90d,
        count(*) filter (where activity_type = 'page_view' and age_days < 90) as page_views_90d,
        count(*) filter (where activity_type = 'email_opened' and age_days < 30)
            as email_opens_30d,
        count(*) filter (where activity_type = 'email_clicked' and age_days < 30)
            as email_clicks_30d,
        count(*) filter (where activity_type = 'page_view' and age_days < 30) as page_views_30d,
        count(*) filter (where activity_type = 'pricing_page_viewed' and age_days < 30)
            as pricing_views_30d,
        count(*) filter (where engagement_category = 'high_intent' and age_days < 90)
            as high_intent_90d,
        bool_or(activity_type = 'demo_requested' and age_days < 90) as has_demo_request_90d,
        bool_or(activity_type = 'trial_started' and age_days < 90) as has_trial_90d,
        count(*) filter (where activity_type = 'feature_used' and age_days < 30)
            as feature_uses_30d,
        count(*) filter (
            where activity_type in ('webinar_attended', 'event_attended') and age_days < 90
        ) as webinars_attended_90d,
        count(*) filter (where activity_type = 'campaign_responded' and age_days < 90)
            as campaign_responses_90d,
        count(*) filter (where engagement_category = 'negative' and age_days < 90)
            as negative_events_90d,
        min(age_days) filter (where is_engagement) as days_since_last_engagement,
        round(sum(case when is_engagement then exp(-age_days / 7.0) else 0 end), 6)
            as engagement_decay_7d,
        round(sum(case when is_engagement then exp(-age_days / 30.0) else 0 end), 6)
            as engagement_decay_30d
    from ages
    group by cutoff_id
),
intent_windows as (
    select
        k.cutoff_id,
        max(i.surge_score) filter (
            where i.week_start_date + interval 35 day > k.cutoff_at
        ) as intent_max_surge_4w,
        count(distinct i.topic) filter (
            where i.week_start_date + interval 35 day > k.cutoff_at
        ) as intent_topics_4w,
        count(*) as intent_surges_12w,
        avg(i.surge_score) as intent_avg_surge_12w
    from keyed as k
    inner join {s}.dim_leads as l on k.lead_id = l.lead_id
    inner join {s}.fct_intent_signals as i
        on
            l.account_id = i.account_id
            and i.week_start_date + interval 7 day <= k.cutoff_at
            and i.week_start_date + interval 91 day > k.cutoff_at
    group by k.cutoff_id
),
product_lines as (
    select
        k.cutoff_id,
        p.product_line,
        row_number() over (
            partition by k.cutoff_id
            order by count(*) desc, max(p.signal_at) desc, p.product_line asc
        ) as interest_rank
    from keyed as k
    inner join {s}.int_lead_product_signals as p
        on k.lead_id = p.lead_id and p.signal_at < k.cutoff_at
    group by k.cutoff_id, p.product_line
)
select
    k.cutoff_id,
    k.lead_id,
    k.cutoff_at,
    k.purpose,
    k.label,
    l.industry,
    l.size_tier,
    l.seniority,
    l.job_function,
    l.region,
    l.country_code,
    coalesce(l.has_free_mail, false) as has_free_mail,
    l.channel,
    date_diff('day', l.created_at, k.cutoff_at) as lead_age_days,
    coalesce(e.eng_events_7d, 0) as eng_events_7d,
    coalesce(e.eng_events_30d, 0) as eng_events_30d,
    coalesce(e.eng_events_90d, 0) as eng_events_90d,
    coalesce(e.eng_events_180d, 0) as eng_events_180d,
    cast(coalesce(e.eng_events_180d, 0) as double) * 7.0
    / greatest(date_diff('day', l.created_at, k.cutoff_at), 7) as eng_events_per_week,
    coalesce(e.touches_180d, 0) as touches_180d,
    cast(coalesce(e.engaged_touches_180d, 0) as double)
    / greatest(coalesce(e.touches_180d, 0), 1) as engaged_share_180d,
    coalesce(e.email_opens_90d, 0) as email_opens_90d,
    coalesce(e.email_clicks_90d, 0) as email_clicks_90d,
    coalesce(e.page_views_90d, 0) as page_views_90d,
    coalesce(e.email_opens_30d, 0) as email_opens_30d,
    coalesce(e.email_clicks_30d, 0) as email_clicks_30d,
    coalesce(e.page_views_30d, 0) as page_views_30d,
    coalesce(e.pricing_views_30d, 0) as pricing_views_30d,
    coalesce(e.high_intent_90d, 0) as high_intent_90d,
    coalesce(e.has_demo_request_90d, false) as has_demo_request_90d,
    coalesce(e.has_trial_90d, false) as has_trial_90d,
    coalesce(e.feature_uses_30d, 0) as feature_uses_30d,
    coalesce(e.webinars_attended_90d, 0) as webinars_attended_90d,
    coalesce(e.campaign_responses_90d, 0) as campaign_responses_90d,
    coalesce(e.negative_events_90d, 0) as negative_events_90d,
    pl.product_line,
    e.days_since_last_engagement,
    coalesce(e.engagement_decay_7d, 0) as engagement_decay_7d,
    coalesce(e.engagement_decay_30d, 0) as engagement_decay_30d,
    coalesce(iw.intent_max_surge_4w, 0) as intent_max_surge_4w,
    coalesce(iw.intent_topics_4w, 0) as intent_topics_4w,
    coalesce(iw.intent_surges_12w, 0) as intent_surges_12w,
    coalesce(iw.intent_avg_surge_12w, 0) as intent_avg_surge_12w
from keyed as k
inner join {s}.dim_leads as l on k.lead_id = l.lead_id
left join engagement as e on k.cutoff_id = e.cutoff_id
left join intent_windows as iw on k.cutoff_id = iw.cutoff_id
left join product_lines as pl on k.cutoff_id = pl.cutoff_id and pl.interest_rank = 1
"""


def floor_sql(schema: str) -> str:
    """The floor query over the warehouse attached as `schema` (e.g. `wh.main`)."""
    return FLOOR_SQL.format(s=schema)


# --- connections, timing --------------------------------------------------------------------


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Timer:
    wall: float = 0.0
    cpu: float = 0.0

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = _cpu_seconds() - self._cpu


def connect(scratch: Path | str, warehouse: Path, threads: int | None = None) -> tuple[Any, str]:
    """A writable scratch DuckDB with the warehouse attached read-only as `wh`.

    Settings as the dbt profile sets them (UTC, LEADSCORE_MEMORY_LIMIT); DuckDB's own thread
    count (the profile sets none, so dbt's DuckDB uses every core) unless `threads` is given.
    Returns the connection and the schema (`wh.<schema>`) that holds the feature table.
    """
    con = duckdb.connect(str(scratch))
    con.sql("set timezone = 'UTC'")
    con.sql(f"set memory_limit = '{os.environ.get('LEADSCORE_MEMORY_LIMIT', '80%')}'")
    if threads:
        con.sql(f"set threads = {int(threads)}")
    con.sql(f"attach '{warehouse}' as wh (read_only)")
    found = con.sql(
        "select schema_name from duckdb_tables() where database_name = 'wh' "
        "and table_name = ? order by schema_name limit 1",
        params=[FEATURE_TABLE],
    ).fetchall()
    if not found:
        raise LookupError(
            f"{warehouse} has no table {FEATURE_TABLE}: build the project first "
            "(`leadscore run` or `dbt build`)."
        )
    return con, f'wh."{found[0][0]}"'


def run_floor(con: Any, schema: str) -> Timer:
    """Create CANDIDATE_TABLE with the floor query; return its wall and CPU time."""
    con.sql(f"drop table if exists {CANDIDATE_TABLE}")
    with Timer() as t:
        con.sql(f"create table {CANDIDATE_TABLE} as {floor_sql(schema)}")
    return t


def run_project_sql(con: Any, schema: str, compiled_dir: Path) -> Timer:
    """The project's own SQL, timed like the floor: the compiled full-refresh SQL of
    int_lead_cutoffs and the feature model (`dbt compile --full-refresh`, files in
    `compiled_dir`) as two `create table`s in this process, reading the attached warehouse."""
    warehouse_db = con.sql(
        "select path from duckdb_databases() where database_name = 'wh'"
    ).fetchall()[0][0]
    catalog = f'"{Path(warehouse_db).stem}".'  # how the compiled SQL names the warehouse

    def compiled(model: str) -> str:
        found = sorted(compiled_dir.rglob(f"compiled/**/{model}.sql")) or sorted(
            compiled_dir.glob(f"{model}.sql")
        )
        path = found[0] if found else compiled_dir / f"{model}.sql"
        if not path.exists():
            raise FileNotFoundError(
                f"{path} not found: run `dbt compile --full-refresh -s {CUTOFFS_MODEL} "
                f"{FEATURE_TABLE}` and pass its compiled scoring folder as --compiled-dir"
            )
        return path.read_text().replace(catalog, "wh.")

    cutoffs_ref = f'wh."main"."{CUTOFFS_MODEL}"'
    features = compiled(FEATURE_TABLE)
    if cutoffs_ref not in features or "{{" in features:
        raise ValueError(
            f"{compiled_dir / FEATURE_TABLE}.sql is not compiled SQL reading {CUTOFFS_MODEL}"
        )
    features = features.replace(cutoffs_ref, PROJECT_CUTOFFS_TABLE)
    cutoffs = compiled(CUTOFFS_MODEL)
    for table in (PROJECT_CUTOFFS_TABLE, CANDIDATE_TABLE):
        con.sql(f"drop table if exists {table}")
    with Timer() as t:
        con.sql(f"create table {PROJECT_CUTOFFS_TABLE} as {cutoffs}")
        con.sql(f"create table {CANDIDATE_TABLE} as {features}")
    return t


# --- the pandas peer ----------------------------------------------------------------------------

ENGAGED_CATEGORIES = ("awareness", "engagement", "high_intent")
# count features: (column, activity types or None, categories or None, engagement only, days)
ACTIVITY_COUNTS: tuple[
    tuple[str, tuple[str, ...] | None, tuple[str, ...] | None, bool, int], ...
] = (
    ("eng_events_7d", None, None, True, 7),
    ("eng_events_30d", None, None, True, 30),
    ("eng_events_90d", None, None, True, 90),
    ("eng_events_180d", None, None, True, 180),
    ("touches_180d", None, ENGAGED_CATEGORIES, False, 180),
    ("engaged_touches_180d", None, ENGAGED_CATEGORIES, True, 180),
    ("email_opens_90d", ("email_opened",), None, False, 90),
    ("email_clicks_90d", ("email_clicked",), None, False, 90),
    ("page_views_90d", ("page_view",), None, False, 90),
    ("email_opens_30d", ("email_opened",), None, False, 30),
    ("email_clicks_30d", ("email_clicked",), None, False, 30),
    ("page_views_30d", ("page_view",), None, False, 30),
    ("pricing_views_30d", ("pricing_page_viewed",), None, False, 30),
    ("high_intent_90d", None, ("high_intent",), False, 90),
    ("has_demo_request_90d", ("demo_requested",), None, False, 90),
    ("has_trial_90d", ("trial_started",), None, False, 90),
    ("feature_uses_30d", ("feature_used",), None, False, 30),
    ("webinars_attended_90d", ("webinar_attended", "event_attended"), None, False, 90),
    ("campaign_responses_90d", ("campaign_responded",), None, False, 90),
    ("negative_events_90d", None, ("negative",), False, 90),
)
FLAG_FEATURES = ("has_demo_request_90d", "has_trial_90d")
ACTIVITY_COLUMNS = (
    *[name for name, *_ in ACTIVITY_COUNTS],
    "days_since_last_engagement",
    "engagement_decay_7d",
    "engagement_decay_30d",
)
INTENT_COLUMNS = (
    "intent_max_surge_4w",
    "intent_topics_4w",
    "intent_surges_12w",
    "intent_avg_surge_12w",
)
FIT_COLUMNS = (
    "industry",
    "size_tier",
    "seniority",
    "job_function",
    "region",
    "country_code",
    "has_free_mail",
    "channel",
)
MINUTE_NS = 60 * 10**9


def _read(con: Any, sql: str) -> pd.DataFrame:
    """A query's result as pandas, through Arrow."""
    return con.sql(sql).to_arrow_table().to_pandas()


def _minutes(ts: pd.Series) -> np.ndarray:
    """Whole minutes since the epoch, floored (DuckDB's date_diff('minute') counts these)."""
    return ts.to_numpy(dtype="datetime64[ns]").astype(np.int64) // MINUTE_NS


def _days(ts: pd.Series) -> np.ndarray:
    """Calendar days since the epoch (DuckDB's date_diff('day') counts day boundaries)."""
    return ts.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _duckdb_text(ts: pd.Series) -> pd.Series:
    """A timestamp as DuckDB casts it to text ('2026-01-02 03:04:05[.micro]')."""
    text = ts.dt.strftime("%Y-%m-%d %H:%M:%S")
    micro = ts.dt.microsecond
    if (micro != 0).any():
        frac = micro.map(lambda us: f".{us:06d}".rstrip("0") if us else "")
        text = text + frac
    return text


def _pair_chunks(
    left: pd.DataFrame, right: pd.DataFrame, key: str, n_keys: int
) -> Iterator[pd.DataFrame]:
    """`left.merge(right, on=key)` in pieces of about PANDAS_CHUNK_PAIRS rows (key: 0..n-1)."""
    left_n = np.bincount(left[key].to_numpy(), minlength=n_keys)
    right_n = np.bincount(right[key].to_numpy(), minlength=n_keys)
    pairs = np.cumsum(left_n.astype(np.int64) * right_n)
    if pairs.size == 0 or pairs[-1] == 0:
        return
    n_chunks = int(pairs[-1] // PANDAS_CHUNK_PAIRS) + 1
    bounds = np.searchsorted(pairs, np.arange(1, n_chunks) * PANDAS_CHUNK_PAIRS)
    edges = np.unique(np.concatenate([[0], bounds + 1, [n_keys]]))
    left_sorted = left.sort_values(key, kind="stable")
    right_sorted = right.sort_values(key, kind="stable")
    lk, rk = left_sorted[key].to_numpy(), right_sorted[key].to_numpy()
    for lo, hi in pairwise(edges.tolist()):
        lpart = left_sorted.iloc[np.searchsorted(lk, lo) : np.searchsorted(lk, hi)]
        rpart = right_sorted.iloc[np.searchsorted(rk, lo) : np.searchsorted(rk, hi)]
        if len(lpart) and len(rpart):
            yield lpart.merge(rpart, on=key)


def pandas_cutoffs(
    funnel: pd.DataFrame,
    offsets: Sequence[int],
    as_of: pd.Timestamp,
    horizon_days: int,
    min_age_days: int = 0,
) -> pd.DataFrame:
    """(cutoff_id, lead_id, cutoff_at, purpose, label): int_lead_cutoffs in pandas.
    ``min_age_days``: scoring_policy's early_label_min_age_days (0: matured cutoffs only)."""
    horizon = pd.Timedelta(days=horizon_days)
    min_age = pd.Timedelta(days=min(horizon_days, min_age_days or horizon_days))
    born = funnel[funnel["created_at"].notna()]
    snap = born.iloc[np.repeat(np.arange(len(born)), len(offsets))].reset_index(drop=True)
    snap["cutoff_at"] = snap["created_at"] + pd.to_timedelta(
        np.tile(np.asarray(offsets, dtype=np.int64), len(born)), unit="D"
    )
    cut, opp, dq = snap["cutoff_at"], snap["opportunity_at"], snap["disqualified_at"]
    keep = (
        (cut < as_of)
        & (cut + min_age <= as_of)
        & (opp.isna() | (opp > cut))
        & (dq.isna() | (dq > cut))
    )
    train = pd.DataFrame(
        {
            "lead_id": snap["lead_id"][keep],
            "cutoff_at": cut[keep],
            "purpose": "train",
            "label": ((opp <= cut + horizon) & (opp <= as_of))[keep].astype("int32"),
        }
    )
    stage, opp, dq = funnel["current_stage_at"], funnel["opportunity_at"], funnel["disqualified_at"]
    known_open = (stage <= as_of) & funnel["is_open"].fillna(False).astype(bool)
    open_at_clock = (
        (stage.isna() | (stage > as_of)) & (opp.isna() | (opp > as_of)) & (dq.isna() | (dq > as_of))
    )
    open_leads = funnel[(funnel["created_at"] <= as_of) & (known_open | open_at_clock)]
    score = pd.DataFrame(
        {
            "lead_id": open_leads["lead_id"],
            "cutoff_at": pd.Series(as_of, index=open_leads.index).astype(cut.dtype),
            "purpose": "score",
            "label": pd.array([pd.NA] * len(open_leads), dtype="Int32"),
        }
    )
    cutoffs = pd.concat([train, score], ignore_index=True)
    cutoffs["label"] = cutoffs["label"].astype("Int32")
    keys = cutoffs["lead_id"].astype(str) + "|" + cutoffs["purpose"] + "|"
    keys = keys + _duckdb_text(cutoffs["cutoff_at"])
    cutoffs.insert(0, "cutoff_id", [hashlib.md5(k.encode()).hexdigest() for k in keys])
    return cutoffs


def pandas_activity_features(
    cutoffs: pd.DataFrame, activities: pd.DataFrame, lead_codes: pd.Index
) -> pd.DataFrame:
    """The activity features per cutoff row (index = cutoff row number), missing rows absent."""
    left = pd.DataFrame(
        {
            "lead": lead_codes.get_indexer(cutoffs["lead_id"]),
            "row": np.arange(len(cutoffs)),
            "cut_min": _minutes(cutoffs["cutoff_at"]),
            "cut_ns": cutoffs["cutoff_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64),
        }
    )
    types = activities["activity_type"].astype("category")
    cats = activities["engagement_category"].astype("category")
    right = pd.DataFrame(
        {
            "lead": lead_codes.get_indexer(activities["lead_id"]),
            "act_min": _minutes(activities["activity_at"]),
            "act_ns": activities["activity_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64),
            "type": types.cat.codes.to_numpy(),
            "cat": cats.cat.codes.to_numpy(),
            "eng": activities["is_engagement"].fillna(False).to_numpy(dtype=bool),
        }
    )
    left, right = left[left["lead"] >= 0], right[right["lead"] >= 0]

    def codes(categories: pd.Index, values: tuple[str, ...] | None) -> np.ndarray | None:
        return None if values is None else np.flatnonzero(categories.isin(values))

    rules = [
        (name, codes(types.cat.categories, t), codes(cats.cat.categories, c), eng, days)
        for name, t, c, eng, days in ACTIVITY_COUNTS
    ]
    window_ns = 180 * 24 * 60 * MINUTE_NS
    parts = []
    for m in _pair_chunks(left, right, "lead", len(lead_codes)):
        m = m[(m["act_ns"] < m["cut_ns"]) & (m["act_ns"] >= m["cut_ns"] - window_ns)]
        age = (m["cut_min"].to_numpy() - m["act_min"].to_numpy()).astype(np.float64) / 1440.0
        eng = m["eng"].to_numpy()
        cols: dict[str, Any] = {"row": m["row"].to_numpy()}
        for name, type_codes, cat_codes, eng_only, days in rules:
            hit = age < days
            if type_codes is not None:
                hit &= np.isin(m["type"].to_numpy(), type_codes)
            if cat_codes is not None:
                hit &= np.isin(m["cat"].to_numpy(), cat_codes)
            if eng_only:
                hit &= eng
            cols[name] = hit
        cols["days_since_last_engagement"] = np.where(eng, age, np.nan)
        cols["engagement_decay_7d"] = np.where(eng, np.exp(-age / 7.0), 0.0)
        cols["engagement_decay_30d"] = np.where(eng, np.exp(-age / 30.0), 0.0)
        grouped = pd.DataFrame(cols).groupby("row")
        counts = grouped[[name for name, *_ in rules]].sum()
        counts["days_since_last_engagement"] = grouped["days_since_last_engagement"].min()
        decay = grouped[["engagement_decay_7d", "engagement_decay_30d"]].sum()
        parts.append(counts.join(decay.round(ROUND_DECIMALS)))
    return pd.concat(parts) if parts else pd.DataFrame()


def pandas_intent_features(
    cutoffs: pd.DataFrame, leads: pd.DataFrame, intent: pd.DataFrame
) -> pd.DataFrame:
    """The intent features per cutoff row (index = cutoff row number), missing rows absent."""
    accounts = pd.Index(intent["account_id"].dropna().unique())
    account_of = leads.set_index("lead_id")["account_id"]
    left = pd.DataFrame(
        {
            "account": accounts.get_indexer(cutoffs["lead_id"].map(account_of)),
            "row": np.arange(len(cutoffs)),
            "cut_ns": cutoffs["cutoff_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64),
        }
    )
    week_ns = intent["week_start_date"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    right = pd.DataFrame(
        {
            "account": accounts.get_indexer(intent["account_id"]),
            "week_ns": week_ns,
            "topic": intent["topic"].to_numpy(),
            "surge": intent["surge_score"].to_numpy(dtype=np.float64),
        }
    )
    left, right = left[left["account"] >= 0], right[right["account"] >= 0]
    day_ns = 24 * 60 * MINUTE_NS
    parts = []
    for m in _pair_chunks(left, right, "account", len(accounts)):
        cut, week = m["cut_ns"], m["week_ns"]
        m = m[(week + 7 * day_ns <= cut) & (week + 91 * day_ns > cut)]
        recent = m[m["week_ns"] + 35 * day_ns > m["cut_ns"]]
        grouped = m.groupby("row")["surge"]
        part = pd.DataFrame(
            {"intent_surges_12w": grouped.size(), "intent_avg_surge_12w": grouped.mean()}
        )
        recent_rows = recent.groupby("row")
        part["intent_max_surge_4w"] = recent_rows["surge"].max()
        part["intent_topics_4w"] = recent_rows["topic"].nunique()
        parts.append(part)
    return pd.concat(parts) if parts else pd.DataFrame()


@dataclass
class PandasRun:
    frame: pd.DataFrame
    read: Timer
    compute: Timer

    @property
    def wall(self) -> float:
        return self.read.wall + self.compute.wall

    @property
    def cpu(self) -> float:
        return self.read.cpu + self.compute.cpu


def _early_min_age(policy: pd.DataFrame, as_of: pd.Timestamp) -> int:
    """scoring_policy's early_label_min_age_days in force at ``as_of`` (0 without one)."""
    frm = pd.to_datetime(policy["effective_from"])
    rows = policy[(policy["key"] == "early_label_min_age_days") & (frm.isna() | (frm <= as_of))]
    return int(pd.to_numeric(rows["value"]).max()) if len(rows) else 0


def run_pandas(con: Any, schema: str) -> PandasRun:
    """The feature table in pandas from the core tables (read through DuckDB as Arrow)."""
    with Timer() as read:
        as_of = _read(con, f"select max(as_of) as as_of from {schema}.int_scoring_clock")
        as_of_ts = pd.Timestamp(as_of["as_of"].iloc[0])
        horizon = _read(con, f"select horizon_days from {schema}.int_label_policy")
        policy = _read(con, f"select key, value, effective_from from {schema}.scoring_policy")
        offsets = _read(
            con,
            f"select days_after_created, effective_from, effective_to "
            f"from {schema}.policy_training_cutoffs",
        )
        funnel = _read(
            con,
            "select lead_id, created_at, opportunity_at, disqualified_at, current_stage_at, "
            f"is_open from {schema}.fct_lead_funnel",
        )
        leads = _read(
            con,
            f"select lead_id, account_id, created_at, {', '.join(FIT_COLUMNS)} "
            f"from {schema}.dim_leads",
        )
        activities = _read(
            con,
            "select lead_id, activity_at, activity_type, engagement_category, is_engagement "
            f"from {schema}.fct_lead_activities",
        )
        intent = _read(
            con,
            f"select account_id, week_start_date, topic, surge_score "
            f"from {schema}.fct_intent_signals",
        )
        signals = _read(
            con,
            f"select lead_id, signal_at, product_line from {schema}.int_lead_product_signals",
        )
    with Timer() as compute:
        frm = pd.to_datetime(offsets["effective_from"])
        to = pd.to_datetime(offsets["effective_to"])
        in_force = (frm.isna() | (frm <= as_of_ts)) & (to.isna() | (to > as_of_ts))
        cutoffs = pandas_cutoffs(
            funnel,
            offsets.loc[in_force, "days_after_created"].astype(int).tolist(),
            as_of_ts,
            int(horizon["horizon_days"].iloc[0]),
            _early_min_age(policy, as_of_ts),
        )
        frame = pandas_features(cutoffs, leads, activities, intent, signals)
    return PandasRun(frame=frame, read=read, compute=compute)


def pandas_product_lines(cutoffs: pd.DataFrame, signals: pd.DataFrame) -> pd.Series:
    """The main product interest per cutoff row (index = cutoff row number), from the signals
    dated before the cutoff: most signals, then the latest signal, then the name; absent
    without a signal."""
    rows = cutoffs[["lead_id", "cutoff_at"]].reset_index(names="row")
    pairs = rows.merge(signals, on="lead_id")
    pairs = pairs[pairs["signal_at"] < pairs["cutoff_at"]]
    per_line = pairs.groupby(["row", "product_line"], sort=False).agg(
        n=("signal_at", "size"), latest=("signal_at", "max")
    )
    ranked = per_line.reset_index().sort_values(
        ["row", "n", "latest", "product_line"], ascending=[True, False, False, True]
    )
    return ranked.drop_duplicates("row").set_index("row")["product_line"]


def pandas_features(
    cutoffs: pd.DataFrame,
    leads: pd.DataFrame,
    activities: pd.DataFrame,
    intent: pd.DataFrame,
    signals: pd.DataFrame,
) -> pd.DataFrame:
    """Join the cutoffs to their lead's fit columns, activity, intent and product features."""
    lead_codes = pd.Index(leads["lead_id"])
    acts = pandas_activity_features(cutoffs, activities, lead_codes)
    ints = pandas_intent_features(cutoffs, leads, intent)
    rows = pd.RangeIndex(len(cutoffs))
    acts = acts.reindex(index=rows, columns=list(ACTIVITY_COLUMNS))
    ints = ints.reindex(index=rows, columns=list(INTENT_COLUMNS))
    fit = leads.set_index("lead_id")
    out = cutoffs.join(fit, on="lead_id", how="inner")
    kept = out.index  # cutoff rows whose lead is in dim_leads (the inner join)
    out["has_free_mail"] = out["has_free_mail"].fillna(False).astype(bool)
    age_days = _days(out["cutoff_at"]) - _days(out["created_at"])
    age = pd.Series(age_days, index=kept).where(out["created_at"].notna())
    out["lead_age_days"] = age.astype("Int64")
    for name, *_ in ACTIVITY_COUNTS:
        values = acts[name].loc[kept].fillna(0)
        out[name] = values > 0 if name in FLAG_FEATURES else values.astype(np.int64)
    eng180 = out["eng_events_180d"].astype(np.float64)
    out["eng_events_per_week"] = eng180 * 7.0 / np.fmax(age.astype(np.float64), 7.0)
    out["engaged_share_180d"] = out["engaged_touches_180d"].astype(np.float64) / np.maximum(
        out["touches_180d"], 1
    )
    out["days_since_last_engagement"] = acts["days_since_last_engagement"].loc[kept]
    for name in ("engagement_decay_7d", "engagement_decay_30d"):
        out[name] = acts[name].loc[kept].fillna(0.0)
    out["intent_max_surge_4w"] = ints["intent_max_surge_4w"].loc[kept].fillna(0)
    out["intent_topics_4w"] = ints["intent_topics_4w"].loc[kept].fillna(0).astype(np.int64)
    out["intent_surges_12w"] = ints["intent_surges_12w"].loc[kept].fillna(0).astype(np.int64)
    out["intent_avg_surge_12w"] = ints["intent_avg_surge_12w"].loc[kept].fillna(0.0)
    out["product_line"] = pandas_product_lines(cutoffs, signals).reindex(rows).loc[kept]
    return out.drop(columns=["account_id", "created_at", "engaged_touches_180d"]).reset_index(
        drop=True
    )


# --- the check ----------------------------------------------------------------------------------


@dataclass
class Check:
    """A candidate against the project's feature table, on the columns it computes."""

    project_rows: int
    candidate_rows: int
    only_in_project: int
    only_in_candidate: int
    compared: list[str] = field(default_factory=list)
    not_computed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.only_in_project == 0 and self.only_in_candidate == 0 and not self.extra


def compare_with_project(con: Any, schema: str, candidate: str = CANDIDATE_TABLE) -> Check:
    """`except all` both ways between the project's table and `candidate` (a table or view
    in `con`), doubles rounded to ROUND_DECIMALS, on the project's columns the candidate has
    (read from both tables: a column added to the project shows up as not computed)."""

    def columns(relation: str) -> dict[str, str]:
        return {name: str(kind) for name, kind, *_ in con.sql(f"describe {relation}").fetchall()}

    project = columns(f"{schema}.{FEATURE_TABLE}")
    cand = columns(candidate)
    compared = [c for c in project if c in cand]
    floating = {c for c in compared if project[c] in FLOATING_TYPES or cand[c] in FLOATING_TYPES}
    select = ", ".join(
        f'round("{c}", {ROUND_DECIMALS}) as "{c}"' if c in floating else f'"{c}"' for c in compared
    )
    proj_sel = f"select {select} from {schema}.{FEATURE_TABLE}"
    cand_sel = f"select {select} from {candidate}"

    def count(sql: str) -> int:
        return int(con.sql(f"select count(*) from ({sql})").fetchall()[0][0])

    return Check(
        project_rows=count(f"select * from {schema}.{FEATURE_TABLE}"),
        candidate_rows=count(f"select * from {candidate}"),
        only_in_project=count(f"{proj_sel} except all {cand_sel}"),
        only_in_candidate=count(f"{cand_sel} except all {proj_sel}"),
        compared=compared,
        not_computed=[c for c in project if c not in cand],
        extra=[c for c in cand if c not in project],
    )


# --- one run, as a bench step -------------------------------------------------------------------


def measure(
    engine: str,
    warehouse: Path,
    scratch: Path,
    threads: int | None = None,
    compiled_dir: Path | None = None,
) -> dict[str, Any]:
    """Compute the feature table with `engine`, check it; return figures and the check."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    scratch.unlink(missing_ok=True)
    con, schema = connect(scratch, warehouse, threads)
    try:
        figures: dict[str, Any] = {"engine": engine}
        if engine == "duckdb":
            t = run_floor(con, schema)
            figures.update(seconds=t.wall, cpu_seconds=t.cpu)
        elif engine == "project":
            if compiled_dir is None:
                raise ValueError("engine 'project' needs the compiled SQL folder (compiled_dir)")
            t = run_project_sql(con, schema, compiled_dir)
            figures.update(seconds=t.wall, cpu_seconds=t.cpu)
        else:
            run = run_pandas(con, schema)
            figures.update(
                seconds=run.wall,
                cpu_seconds=run.cpu,
                read_seconds=run.read.wall,
                compute_seconds=run.compute.wall,
            )
            con.register("candidate_frame", run.frame)
            con.sql(f"create table {CANDIDATE_TABLE} as select * from candidate_frame")
            con.unregister("candidate_frame")
        figures["duckdb_threads"] = int(
            con.sql("select current_setting('threads')").fetchall()[0][0]
        )
        check = compare_with_project(con, schema)
        figures["rows"] = check.candidate_rows
        figures["check"] = {**asdict(check), "equal": check.equal}
        return figures
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)


def check_line(label: str, check: dict[str, Any]) -> str:
    """One line a person reads: equal or not, on how many columns, which ones it skips."""
    n, total = len(check["compared"]), len(check["compared"]) + len(check["not_computed"])
    verdict = (
        "equal"
        if check["equal"]
        else f"NOT EQUAL ({check['only_in_project']:,} project rows missing, "
        f"{check['only_in_candidate']:,} rows not in the project"
        + (
            f", columns the project does not have: {', '.join(check['extra'])}"
            if check["extra"]
            else ""
        )
        + ")"
    )
    skipped = ", ".join(check["not_computed"]) or "none"
    return (
        f"{label}: {verdict} to {FEATURE_TABLE} on {n} of its {total} columns "
        f"({check['candidate_rows']:,} rows; except all both ways, doubles rounded to "
        f"{ROUND_DECIMALS} decimals); not computed: {skipped}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=ENGINES, required=True)
    parser.add_argument("--db", type=Path, required=True, help="The built warehouse (read-only).")
    parser.add_argument(
        "--scratch", type=Path, required=True, help="Scratch DuckDB file (removed after)."
    )
    parser.add_argument("--out", type=Path, required=True, help="Where to write the JSON.")
    parser.add_argument(
        "--threads", type=int, default=None, help="DuckDB threads (default: DuckDB's, as dbt)."
    )
    parser.add_argument(
        "--compiled-dir",
        type=Path,
        default=None,
        help="engine project: a dbt target folder (or a folder) with the compiled "
        "full-refresh SQL of "
        f"{CUTOFFS_MODEL} and {FEATURE_TABLE}.",
    )
    args = parser.parse_args(argv)
    figures = measure(args.engine, args.db, args.scratch, args.threads, args.compiled_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps({k: v for k, v in figures.items() if k != "check"}))
    print(check_line(args.engine, figures["check"]))
    return 0 if figures["check"]["equal"] else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
