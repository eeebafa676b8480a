{#-
    The outcome backtest: per past scoring run and model version, how its scores fared once
    the outcomes matured (fct_scored_lead_outcomes): realised ROC-AUC, calibration in the
    large, lift at the top decile and conversion by grade (long format).
-#}
with

backtest as (

    select * from {{ ref('ml_outcome_backtest') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'scoring_run_id', "'|'", 'metric', "'|'", "coalesce(bucket, '')"])) }}
            as model_backtest_id,
        scoring_run_id,
        as_of,
        model_version,
        metric,
        bucket,
        value,
        n_rows
    from backtest

)

select * from final
