{#-
    Spark (Parquet tables, no delete): a partition per scoring run, overwritten when the same
    run is rebuilt, which is what delete+insert on the run's ids does elsewhere.
-#}
{{ config(
    materialized='incremental',
    unique_key='lead_score_history_id',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    partition_by=['scoring_run_id'] if target.type == 'spark' else none,
    on_schema_change='append_new_columns',
    full_refresh=false
) }}
{#-
    One row per lead per scoring run. A run is (scoring clock, model version): rebuilding the
    same run replaces its rows instead of duplicating them. Past runs cannot be rebuilt from
    the inputs, so `--full-refresh` keeps them (full_refresh = false). Both the model's grade /
    MQL flag and the effective ones (with the override that set them) are kept, for audits.
-#}
with

scores as (

    select * from {{ ref('lead_scores') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

runs as (

    select
        scores.*,
        clock.as_of,
        {{ dbt.hash(dbt.concat([dbt.cast('clock.as_of', dbt.type_string()), "'|'",
            "coalesce(scores.model_version, 'none')"])) }} as scoring_run_id
    from scores
    cross join clock

),

final as (

    select
        {{ dbt.hash(dbt.concat(['scoring_run_id', "'|'", 'lead_id'])) }}
            as lead_score_history_id,
        scoring_run_id,
        as_of,
        lead_id,
        sf_lead_id,
        hubspot_record_id,
        owner_id,
        conversion_probability,
        score,
        percentile,
        fit_score,
        engagement_score,
        grade,
        reason_1,
        reason_2,
        reason_3,
        expected_value,
        is_mql,
        effective_grade,
        effective_is_mql,
        override_id,
        override_set_by,
        override_reason,
        override_expires_at,
        score_status,
        model_version,
        scored_at
    from runs

)

select * from final
