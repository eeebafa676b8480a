"""A contract-shaped `lead_scores` table from SQL alone, for tests, demos of publish/sync, bench.

It follows the columns of docs/interfaces.md so publish, sync and the outbound gate can be
exercised without the dbt pipeline.
"""

from __future__ import annotations

import duckdb

LEAD_SCORES_SQL = """
create or replace table {table} as
with base as (
    select i,
        ((hash(i * 7919 + {seed}) % 1000000) / 1000000.0) as u1,
        ((hash(i * 104729 + {seed}) % 1000000) / 1000000.0) as u2
    from range({n}) t(i)
)
select
    'L' || lpad(cast(i as varchar), 9, '0') as lead_id,
    '00Q' || lpad(cast(i as varchar), 15, '0') as sf_lead_id,
    cast(100000 + i as varchar) as hubspot_record_id,
    cast(500000 + i as varchar) as marketo_lead_id,
    '005' || lpad(cast(i % 7 as varchar), 15, '0') as owner_id,
    round(0.02 + 0.9 * u1 * u1, 6) as conversion_probability,
    cast(round(100 * u1) as integer) as score,
    round(100 * u1, 2) as percentile,
    cast(round(100 * u2) as integer) as fit_score,
    cast(round(100 * (1 - u2) * u1) as integer) as engagement_score,
    ['A', 'B', 'C', 'D'][1 + cast(floor(u2 * 3.999) as integer)]
        || cast(1 + cast(floor(u1 * 3.999) as integer) as varchar) as grade,
    '+ Visited pricing page ' || cast(1 + i % 5 as varchar) || 'x in 30 days' as reason_1,
    case when i % 3 = 0 then null else '- Free-mail address' end as reason_2,
    '+ Title: ' || ['VP', 'Director', 'Manager'][1 + i % 3] as reason_3,
    round((0.02 + 0.9 * u1 * u1) * 25000, 2) as expected_value,
    u1 > 0.7 as is_mql,
    'scored' as score_status,
    '{model_version}' as model_version,
    timestamp '2025-03-04 14:15:22.123' as scored_at,
    cast(row_number() over (partition by i % 7 order by u1 desc) as integer) as priority_rank,
    ['A', 'B', 'C', 'D'][1 + cast(floor(u2 * 3.999) as integer)]
        || cast(1 + cast(floor(u1 * 3.999) as integer) as varchar) as effective_grade,
    u1 > 0.7 as effective_is_mql,
    false as is_overridden,
    cast(null as varchar) as override_id,
    cast(null as varchar) as override_scope,
    cast(null as varchar) as override_set_by,
    cast(null as varchar) as override_reason,
    cast(null as timestamp) as override_set_at,
    cast(null as timestamp) as override_expires_at
from base
"""


def create_lead_scores(
    con: duckdb.DuckDBPyConnection,
    n: int = 1000,
    *,
    seed: int = 0,
    model_version: str = "test-v1",
    table: str = "lead_scores",
) -> None:
    """Create (or replace) `table` with n synthetic scored leads (and, as a build would, the
    `sensitive_columns` table publish reads; empty: these leads carry no personal data)."""
    con.execute(
        LEAD_SCORES_SQL.format(table=table, n=int(n), seed=int(seed), model_version=model_version)
    )
    con.execute(
        "create table if not exists sensitive_columns (sensitive_column_id varchar, "
        "model_name varchar, column_name varchar, reason varchar)"
    )
