{#-
    Spark (Parquet tables, no delete): a partition per scoring run, overwritten when the same
    run is rebuilt, which is what delete+insert on the run's ids does elsewhere.
-#}
{{ config(
    materialized='incremental',
    unique_key='account_score_history_id',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    partition_by=['scoring_run_id'] if target.type == 'spark' else none,
    on_schema_change='append_new_columns'
) }}
{#-
    One row per account per scoring run, as lead_score_history is for leads. Account scores
    are rules (no model version), so a run is its scoring clock: rebuilding the same clock
    replaces its rows instead of duplicating them. Both the rules' account_grade and the
    effective_grade shown (with the override that made the difference) are kept.
-#}
with

scores as (

    select * from {{ ref('account_scores') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

runs as (

    select
        scores.*,
        clock.as_of,
        {{ dbt.hash(dbt.cast('clock.as_of', dbt.type_string())) }} as scoring_run_id
    from scores
    cross join clock

),

final as (

    select
        {{ dbt.hash(dbt.concat(['scoring_run_id', "'|'", 'account_id'])) }}
            as account_score_history_id,
        scoring_run_id,
        as_of,
        account_id,
        sf_account_id,
        hubspot_company_id,
        people,
        account_fit_score,
        account_engagement_score,
        engaged_people,
        engaged_functions,
        engaged_seniorities,
        surging_topics,
        account_grade,
        effective_grade,
        override_id,
        is_mqa,
        account_reason,
        scored_at
    from runs

)

select * from final
