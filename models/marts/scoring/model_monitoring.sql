{{ config(
    materialized='incremental',
    unique_key='measured_at',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    full_refresh=false
) }}
{#-
    The model monitors of each build (one row per run x monitor x subject x segment), judged
    by policy_monitoring: drift like for like (ml_drift), the outcome backtest of the newest
    scoring run whose outcomes matured (model_backtest), realised vs predicted win rates
    per segment (var monitor_segments; leads at the ages the model was trained at), and the same two questions asked early of the newest
    run at least min_age_days old whose horizon has not matured (ml_early_outcomes). A breach with on_breach = retrain makes the next build train a challenger;
    publish warns or stops by publish_action. Rebuilding the same clock replaces its rows;
    `--full-refresh` keeps the past runs' rows (full_refresh = false).
-#}
with

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

monitor_policy as (

    select policy_monitoring.*
    from {{ ref('policy_monitoring') }} as policy_monitoring
    cross join clock
    where {{ in_force('clock.as_of', 'policy_monitoring') }}

),

drift as (

    select * from {{ ref('ml_drift') }}

),

early_outcomes as (

    select * from {{ ref('ml_early_outcomes') }}

),

backtest as (

    select * from {{ ref('model_backtest') }}

),

outcomes as (

    select * from {{ ref('fct_scored_lead_outcomes') }}

),

registry as (

    select
        model_version,
        roc_auc
    from {{ ref('ml_model_registry') }}

),

funnel as (

    select
        lead_id,
        created_at
    from {{ ref('fct_lead_funnel') }}

),

training_offsets as (

    select policy_training_cutoffs.days_after_created
    from {{ ref('policy_training_cutoffs') }} as policy_training_cutoffs
    cross join clock
    where {{ in_force('clock.as_of', 'policy_training_cutoffs') }}

),

-- segments are judged on the leads the model was trained and validated at the ages of: at
-- most the oldest training snapshot plus age_tolerance_days old at the run (no limit when the
-- policy sets no tolerance). Older open leads are outside what the model learnt, and their
-- miscalibration is a standing trait of the model, not a shift of the market.
segment_age_limit as (

    select
        max(training_offsets.days_after_created)
        + max(monitor_policy.age_tolerance_days) as max_age_days
    from training_offsets
    cross join monitor_policy
    where monitor_policy.monitor = 'segment_win_rate'

),

newest_run as (

    select max(as_of) as as_of
    from backtest
    where metric = 'n_rows'

),

newest_backtest as (

    select backtest.*
    from backtest
    inner join newest_run
        on backtest.as_of = newest_run.as_of
    where backtest.bucket is null

),

backtest_runs as (

    select
        scoring_run_id,
        as_of,
        model_version,
        max(case when metric = 'n_rows' then value end) as n_rows,
        max(case when metric = 'realised_roc_auc' then value end)
            as realised_roc_auc,
        max(case when metric = 'mean_predicted' then value end) as mean_predicted,
        max(case when metric = 'actual_rate' then value end) as actual_rate
    from newest_backtest
    group by scoring_run_id, as_of, model_version

),

auc_monitor as (

    select
        'realised_auc_drop' as monitor,
        'outcomes' as subject,
        'all' as segment,
        backtest_runs.model_version,
        registry.roc_auc - backtest_runs.realised_roc_auc as value,
        cast(backtest_runs.n_rows as integer) as compared_rows,
        cast(null as integer) as reference_rows,
        'holdout ROC-AUC of the model at training: '
        || cast(round(registry.roc_auc, 4) as {{ dbt.type_string() }}) as reference_population,
        'scores of the run at ' || cast(backtest_runs.as_of as {{ dbt.type_string() }})
        || ' against outcomes matured since: realised ROC-AUC '
        || cast(round(backtest_runs.realised_roc_auc, 4) as {{ dbt.type_string() }})
            as compared_population
    from backtest_runs
    inner join registry
        on backtest_runs.model_version = registry.model_version

),

calibration_monitor as (

    select
        'calibration_in_the_large' as monitor,
        'outcomes' as subject,
        'all' as segment,
        model_version,
        abs(actual_rate / nullif(mean_predicted, 0) - 1) as value,
        cast(n_rows as integer) as compared_rows,
        cast(null as integer) as reference_rows,
        'mean predicted probability of the run at '
        || cast(as_of as {{ dbt.type_string() }}) || ': '
        || cast(round(mean_predicted, 4) as {{ dbt.type_string() }}) as reference_population,
        'actual conversion rate of the same leads within the horizon: '
        || cast(round(actual_rate, 4) as {{ dbt.type_string() }}) as compared_population
    from backtest_runs

),

newest_outcomes as (

    select outcomes.*
    from outcomes
    inner join newest_run
        on outcomes.as_of = newest_run.as_of

),

aged_outcomes as (

    select
        newest_outcomes.*,
        floor(
            {{ dbt.datediff('funnel.created_at', 'newest_outcomes.as_of', 'minute') }}
            / 1440.0
        ) as lead_age_days
    from newest_outcomes
    inner join funnel
        on newest_outcomes.lead_id = funnel.lead_id

),

segment_outcomes as (

    select aged_outcomes.*
    from aged_outcomes
    cross join segment_age_limit
    where
        segment_age_limit.max_age_days is null
        or aged_outcomes.lead_age_days <= segment_age_limit.max_age_days

),

-- the judged leads' own calibration in the large (actual / predicted): a segment shifts when
-- it departs from the rest; a run-wide miss is calibration_in_the_large's alarm
run_calibration as (

    select
        as_of,
        model_version,
        sum(converted) / nullif(sum(conversion_probability), 0) as ratio
    from segment_outcomes
    group by as_of, model_version

),

rescaled_outcomes as (

    select
        segment_outcomes.*,
        least(segment_outcomes.conversion_probability * run_calibration.ratio, 1.0)
            as expected_probability
    from segment_outcomes
    inner join run_calibration
        on
            segment_outcomes.as_of = run_calibration.as_of
            and segment_outcomes.model_version = run_calibration.model_version

),

segment_cells as (

    {% for dimension in var('monitor_segments').split(',') %}
        select
            '{{ dimension }}=' || {{ dimension }} as segment,
            as_of,
            model_version,
            count(*) as n_rows,
            sum(converted) as conversions,
            sum(expected_probability) as expected,
            sum(expected_probability * (1 - expected_probability)) as variance
        from rescaled_outcomes
        group by {{ dimension }}, as_of, model_version
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

segment_tails as (

    -- the Poisson tail's k: the conversions for a surplus, one more for a shortfall
    select
        *,
        case
            when conversions > expected then conversions else conversions + 1
        end as tail_k
    from segment_cells

),

segment_monitor as (

    select
        'segment_win_rate' as monitor,
        'outcomes' as subject,
        segment,
        model_version,
        -- |z| of the exact Poisson tail of the conversions against the expected ones, in the
        -- Wilson-Hilferty form (leadscore.ml.monitoring.poisson_tail_z)
        case
            when expected > 0 and variance > 0
                then abs(
                    3 * sqrt(tail_k)
                    * (1 - 1 / (9 * tail_k) - power(expected / tail_k, 1.0 / 3))
                )
        end as value,
        cast(n_rows as integer) as compared_rows,
        cast(null as integer) as reference_rows,
        'predicted win rate of the segment in the run at ' || cast(as_of as {{ dbt.type_string() }})
        || ' (leads at training ages), rescaled by their actual/predicted: '
        || cast(round(expected / n_rows, 4) as {{ dbt.type_string() }}) as reference_population,
        'realised win rate of the same leads: '
        || cast(round(conversions / n_rows, 4) as {{ dbt.type_string() }}) as compared_population
    from segment_tails

),

drift_monitor as (

    select
        monitor,
        subject,
        'all' as segment,
        model_version,
        value,
        cast(compared_rows as integer) as compared_rows,
        cast(reference_rows as integer) as reference_rows,
        reference_population,
        compared_population
    from drift

),

early_monitor as (

    select
        monitor,
        subject,
        segment,
        model_version,
        value,
        cast(compared_rows as integer) as compared_rows,
        cast(reference_rows as integer) as reference_rows,
        reference_population,
        compared_population
    from early_outcomes

),

monitors as (

    select * from drift_monitor
    union all
    select * from early_monitor
    union all
    select * from auc_monitor
    union all
    select * from calibration_monitor
    union all
    select * from segment_monitor

),

judged as (

    select
        monitors.*,
        clock.as_of as measured_at,
        monitor_policy.warn_at,
        monitor_policy.breach_at,
        monitor_policy.min_rows,
        monitor_policy.on_breach,
        monitor_policy.publish_action,
        case
            when monitors.value is null then 'insufficient_data'
            when monitors.compared_rows < monitor_policy.min_rows
                then 'insufficient_data'
            when monitors.value >= monitor_policy.breach_at then 'breach'
            when monitors.value >= monitor_policy.warn_at then 'warn'
            else 'ok'
        end as status
    from monitors
    cross join clock
    inner join monitor_policy
        on monitors.monitor = monitor_policy.monitor

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            dbt.cast('measured_at', dbt.type_string()), "'|'",
            "coalesce(model_version, '')", "'|'",
            'monitor', "'|'", 'subject', "'|'", 'segment'])) }} as model_monitoring_id,
        measured_at,
        model_version,
        monitor,
        subject,
        segment,
        value,
        status,
        warn_at,
        breach_at,
        min_rows,
        compared_rows,
        reference_rows,
        on_breach,
        publish_action,
        reference_population,
        compared_population
    from judged

)

select * from final
